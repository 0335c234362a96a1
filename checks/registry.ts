import type { AnyCheckDefinition } from './types';
import { bigqueryExpensiveQueries } from './bigquery-expensive-queries';
import { idleEbsVolumes } from './idle-ebs-volumes';
import { idleElasticIps } from './idle-elastic-ips';
import { lambdaErrors } from './lambda-errors';
import { lockWaits } from './lock-waits';
import { longRunningQueries } from './long-running-queries';
import { rowCountConsistency } from './row-count-consistency';
import { s3StorageWaste } from './s3-storage-waste';

/**
 * Every check kind, sorted by kind. Adding a kind = its folder under checks/ + one line here
 * (test/checks/registry.test.ts fails when the two disagree).
 */
export const CHECKS: readonly AnyCheckDefinition[] = [
  bigqueryExpensiveQueries,
  idleEbsVolumes,
  idleElasticIps,
  lambdaErrors,
  lockWaits,
  longRunningQueries,
  rowCountConsistency,
  s3StorageWaste,
];

export function findCheck(kind: string): AnyCheckDefinition | undefined {
  return CHECKS.find((c) => c.kind === kind);
}
