import type { AnyCheckDefinition } from '../src/core/types';
import { idleEbsVolumes } from './idle-ebs-volumes';
import { idleElasticIps } from './idle-elastic-ips';
import { lambdaErrors } from './lambda-errors';
import { rowCountConsistency } from './row-count-consistency';

/**
 * Every check kind, sorted by kind. Adding a kind = its folder under checks/ + one line here
 * (test/checks/registry.test.ts fails when the two disagree).
 */
export const CHECKS: readonly AnyCheckDefinition[] = [
  idleEbsVolumes,
  idleElasticIps,
  lambdaErrors,
  rowCountConsistency,
];

export function findCheck(kind: string): AnyCheckDefinition | undefined {
  return CHECKS.find((c) => c.kind === kind);
}
