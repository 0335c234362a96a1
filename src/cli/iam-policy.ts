import { findCheck } from '../../checks/registry';
import { providerPermissions } from '../aws/provider';
import { loadConfig } from '../config/load';
import { checkPermissions } from '../engine/permissions';
import type { GlobalOptions } from './options';

/** Least privilege: the union of the enabled checks' declared actions, one statement. */
export async function iamPolicyCommand(flags: GlobalOptions): Promise<void> {
  const config = loadConfig(flags.config);
  const actions = new Set<string>();
  for (const check of config.checks.filter((c) => c.enabled)) {
    const def = findCheck(check.kind);
    if (!def) continue;
    for (const action of checkPermissions(def, check, config.connections)) actions.add(action);
  }
  if (actions.size) for (const action of providerPermissions(config.aws)) actions.add(action);
  const statements: unknown[] = [];
  if (actions.size) {
    statements.push({
      Sid: 'GuardrailReadOnly',
      Effect: 'Allow',
      Action: [...actions].sort(),
      Resource: '*',
    });
  }
  // With aws.accounts, the identity Guardrail runs as only assumes the roles; each role carries the read-only
  // statement above in its own account.
  const roles = (config.aws?.accounts ?? []).map((a) => a.roleArn);
  if (actions.size && roles.length) {
    statements.push({
      Sid: 'GuardrailAssumeRoles',
      Effect: 'Allow',
      Action: ['sts:AssumeRole'],
      Resource: roles,
    });
  }
  const policy = { Version: '2012-10-17', Statement: statements };
  process.stdout.write(`${JSON.stringify(policy, null, 2)}\n`);
}
