import { loadConfig } from '../config/load';
import { createLogger } from '../core/log';
import { UsageError } from '../core/errors';
import { iamPolicies } from '../engine/permissions';
import type { GlobalOptions } from './options';

export interface IamPolicyOptions extends GlobalOptions {
  /** `runner`: the identity Guardrail runs as; `member`: each `aws.accounts` role. */
  role?: 'runner' | 'member';
  /** Adds the scoped write permissions of `guardrail cleanup apply` where the resources live. */
  cleanup?: boolean;
}

/**
 * Prints one policy document. Needs no secret (unset secret variables stand in: the config is never used to
 * connect) and no network. With `aws.accounts` the runner and the member roles need different documents, so
 * `--role` is required; without, the runner does everything and the single document is the runner's.
 */
export async function iamPolicyCommand(flags: IamPolicyOptions): Promise<void> {
  const config = loadConfig(flags.config, process.env, { secrets: 'placeholder' });
  const policies = iamPolicies(config);
  if (!flags.role && policies.member) {
    throw new UsageError(
      'aws.accounts is set: the runner and the member accounts need different policies; ' +
        'print each with --role runner and --role member',
    );
  }
  if (flags.role === 'member' && !policies.member) {
    throw new UsageError(
      'no aws.accounts: there is no member role (the runner calls everything); use --role runner or omit --role',
    );
  }
  const log = createLogger();
  for (const note of policies.notes[flags.role ?? 'runner'])
    log.warn({ note }, 'iam-policy: fill in a placeholder');
  const policy = flags.role === 'member' ? policies.member : policies.runner;
  // Cleanup acts where the resources are: in each member account with aws.accounts, else as the runner.
  if (flags.cleanup && policy && (flags.role === 'member' || !policies.member)) {
    const { cleanupStatements } = await import('../engine/cleanup/permissions.js');
    const kinds = new Set(config.checks.filter((c) => c.enabled).map((c) => c.kind));
    (policy as { Statement: unknown[] }).Statement.push(...cleanupStatements(kinds));
  }
  process.stdout.write(`${JSON.stringify(policy, null, 2)}\n`);
}
