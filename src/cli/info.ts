import { CHECKS, findCheck } from '../../checks/registry';
import { loadConfig } from '../config/load';
import { configJsonSchema } from '../config/schema';
import { formatDuration } from '../core/duration';
import { providerPermissions } from '../aws/provider';
import { checkPermissions } from '../engine/permissions';
import type { GlobalOptions } from './options';

export async function validateCommand(flags: GlobalOptions): Promise<void> {
  const config = loadConfig(flags.config);
  const lines = [`${config.file}: valid`];
  lines.push(`state: ${flags.state ? 'from --state' : config.state.url.replace(/\/\/[^@/]*@/, '//***@')}`);
  lines.push(`checks (${config.checks.length}):`);
  for (const c of config.checks) {
    const off = c.enabled ? '' : ' [disabled]';
    lines.push(
      `  ${c.id} (${c.kind}) schedule "${c.schedule}", timeout ${formatDuration(c.timeoutMs)}${off}`,
    );
  }
  lines.push(
    `connections: ${
      Object.entries(config.connections)
        .map(([n, c]) => `${n} (${c.type})`)
        .join(', ') || 'none'
    }`,
  );
  lines.push(`channels: ${config.channels.map((c) => `${c.name} (${c.type})`).join(', ') || 'none'}`);
  lines.push(`routes (first match wins):`);
  for (const r of config.alerts.routes)
    lines.push(`  ${r.match ? JSON.stringify(r.match) : '(everything else)'} → ${r.channel}`);
  lines.push(`silences: ${config.alerts.silences.length}`);
  for (const w of config.warnings) lines.push(`warning: ${w}`);
  process.stdout.write(`${lines.join('\n')}\n`);
}

export async function checksCommand(): Promise<void> {
  const lines: string[] = [];
  for (const def of CHECKS) {
    lines.push(`${def.kind}`);
    lines.push(`  ${def.description}`);
    lines.push(`  keys: ${Object.keys(def.configSchema.shape).join(', ')}`);
  }
  process.stdout.write(`${lines.join('\n')}\n`);
}

/** Least privilege: the union of the enabled checks' declared actions, one statement. */
export async function iamPolicyCommand(flags: GlobalOptions & { cleanup?: boolean }): Promise<void> {
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
  if (flags.cleanup) {
    const { cleanupStatements } = await import('../engine/cleanup/permissions.js');
    statements.push(...cleanupStatements(new Set(config.checks.filter((c) => c.enabled).map((c) => c.kind))));
  }
  const policy = { Version: '2012-10-17', Statement: statements };
  process.stdout.write(`${JSON.stringify(policy, null, 2)}\n`);
}

export async function schemaCommand(): Promise<void> {
  process.stdout.write(`${JSON.stringify(configJsonSchema(), null, 2)}\n`);
}
