import { dirname, resolve } from 'node:path';
import type { z } from 'zod';
import { findCheck, CHECKS } from '../../checks/registry';
import { findChannel, CHANNELS } from '../../alerts/channels/registry';
import { AGENT_CHECK_ID, type CheckCommon, type PendingFor } from '../core/types';
import { ConfigError, type ConfigIssue } from './errors';
import { checkSchema, TopLevel } from './schema';
import { ConnectionConfig } from '../connectors/config';
import { ConfigSources, display } from './sources';
import { loadListFiles } from './list-files';
import { parseCoerced } from './coerce';

type TopLevelConfig = z.infer<typeof TopLevel>;

export interface ChannelConfig {
  name: string;
  type: string;
  config: Record<string, unknown>;
}

export type CheckConfig = CheckCommon & Record<string, unknown>;

/** A loaded, validated config. */
export interface GuardrailConfig extends Omit<TopLevelConfig, 'checks' | 'include'> {
  file: string;
  dir: string;
  checks: CheckConfig[];
  channels: ChannelConfig[];
  /** Non-fatal remarks for `validate`. */
  warnings: string[];
}

/** Loads `path` and its includes, interpolates `${VAR}`s, validates everything; throws ConfigError. */
export function loadConfig(path: string, env: NodeJS.ProcessEnv = process.env): GuardrailConfig {
  const file = resolve(path);
  const sources = new ConfigSources(env);
  sources.load(file);
  if (sources.issues.length) throw new ConfigError(sources.issues);

  const issues: ConfigIssue[] = [];
  const report = (path: readonly PropertyKey[], message: string, checkId?: string) =>
    issues.push({ ...sources.locate(path), message, ...(checkId ? { checkId } : {}) });
  const zodIssues = (error: z.ZodError, base: PropertyKey[], checkId?: string) => {
    for (const issue of error.issues) {
      const keys = issue.code === 'unrecognized_keys' ? issue.keys : [undefined];
      for (const key of keys) {
        const at = key === undefined ? [...base, ...issue.path] : [...base, ...issue.path, key];
        issues.push({
          ...sources.locate(at, key !== undefined),
          message: describe(issue, key),
          ...(checkId ? { checkId } : {}),
        });
      }
    }
  };

  const top = parseCoerced(TopLevel, sources.data);
  if (!top.success) {
    zodIssues(top.error, []);
    throw new ConfigError(issues);
  }
  const data = top.data;
  const checks = parseChecks(data, report, zodIssues);
  issues.push(...readListFiles(checks, data, sources, env));
  issues.push(...validateChecks(checks, data, sources));
  const channels = parseChannels(data, report, zodIssues);
  const warnings = crossCheck(data, checks, channels, report);
  if (issues.length) throw new ConfigError(issues);

  const { include: _include, checks: _checks, ...rest } = data;
  return { ...rest, file, dir: dirname(file), checks, channels, warnings };
}

type Report = (path: readonly PropertyKey[], message: string, checkId?: string) => void;
type ZodReport = (error: z.ZodError, base: PropertyKey[], checkId?: string) => void;

function parseChecks(data: TopLevelConfig, report: Report, zodIssues: ZodReport): CheckConfig[] {
  const checks: CheckConfig[] = [];
  const seen = new Map<string, number>();
  data.checks.forEach((raw, i) => {
    if (!raw || typeof raw !== 'object' || Array.isArray(raw)) {
      return report(['checks', i], 'each check must be a mapping with at least id and kind');
    }
    const item = raw as Record<string, unknown>;
    const id = typeof item.id === 'string' ? item.id : undefined;
    if (typeof item.kind !== 'string') return report(['checks', i], 'check has no kind', id);
    const def = findCheck(item.kind);
    if (!def) {
      const known = CHECKS.map((c) => c.kind).join(', ');
      return report(['checks', i, 'kind'], `unknown check kind '${item.kind}'; known kinds: ${known}`, id);
    }
    if (id === AGENT_CHECK_ID) {
      return report(
        ['checks', i, 'id'],
        `check id '${id}' is reserved for the agent's own health findings`,
        id,
      );
    }
    if (id !== undefined && seen.has(id)) {
      return report(['checks', i, 'id'], `duplicate check id '${id}' (also checks[${seen.get(id)}])`, id);
    }
    if (id !== undefined) seen.set(id, i);
    const parsed = parseCoerced(checkSchema(def), item);
    if (!parsed.success) return zodIssues(parsed.error, ['checks', i], id);
    const {
      timeout,
      schedule,
      for: pendingFor,
      ...own
    } = parsed.data as Record<string, unknown> & {
      timeout?: number;
      schedule?: string;
      for?: PendingFor;
    };
    checks.push({
      ...own,
      id: own.id as string,
      kind: def.kind,
      enabled: own.enabled as boolean,
      schedule: schedule ?? data.defaults.schedule,
      timeoutMs: timeout ?? data.defaults.timeout,
      ...(ownFor(item)
        ? pendingFor
          ? { pendingFor }
          : {}
        : data.defaults.for
          ? { pendingFor: data.defaults.for }
          : {}),
    });
  });
  return checks;
}

/** Reads each check's list files (e.g. analysts' `tableFiles`) into its list key, with located errors. */
function readListFiles(
  checks: CheckConfig[],
  data: TopLevelConfig,
  sources: ConfigSources,
  env: NodeJS.ProcessEnv,
) {
  const issues: ConfigIssue[] = [];
  for (const check of checks) {
    const index = indexOfCheck(data, check.id);
    for (const spec of findCheck(check.kind)?.listFiles ?? []) {
      const globs = check[spec.key] as string | string[] | undefined;
      if (globs === undefined) continue;
      const file = sources.fileOf(['checks', index]);
      const result = loadListFiles(spec, globs, dirname(file ?? '.'), env, display);
      if (!result.matched) {
        const message = `no file matches ${JSON.stringify(globs)} (relative to the folder of this config file)`;
        issues.push({ ...sources.locate(['checks', index, spec.key]), message, checkId: check.id });
      }
      issues.push(...result.issues.map((i) => ({ ...i, checkId: check.id })));
      check[spec.into] = [...((check[spec.into] as unknown[] | undefined) ?? []), ...result.items];
    }
  }
  return issues;
}

/** Each plugin's own cross-key validation, located like any other problem. */
function validateChecks(checks: CheckConfig[], data: TopLevelConfig, sources: ConfigSources): ConfigIssue[] {
  return checks.flatMap((check) => {
    const index = indexOfCheck(data, check.id);
    return (findCheck(check.kind)?.validate?.(check) ?? []).map((problem) => ({
      ...sources.locate(['checks', index, ...problem.path]),
      message: problem.message,
      checkId: check.id,
    }));
  });
}

/** Where a validated check stands in the merged `checks` list, for locating its problems. */
function indexOfCheck(data: TopLevelConfig, id: string): number {
  return data.checks.findIndex((c) => (c as { id?: unknown }).id === id);
}

function parseChannels(data: TopLevelConfig, report: Report, zodIssues: ZodReport): ChannelConfig[] {
  const channels: ChannelConfig[] = [];
  for (const [name, raw] of Object.entries(data.alerts.channels)) {
    const path = ['alerts', 'channels', name];
    const type = raw && typeof raw === 'object' ? (raw as Record<string, unknown>).type : undefined;
    const def = typeof type === 'string' ? findChannel(type) : undefined;
    if (!def) {
      const known = CHANNELS.map((c) => c.type).join(', ');
      report([...path, 'type'], `unknown channel type '${String(type)}'; known types: ${known}`);
      continue;
    }
    const { type: _type, ...rest } = raw as Record<string, unknown>;
    const parsed = parseCoerced(def.configSchema, rest);
    if (!parsed.success) zodIssues(parsed.error, path);
    else channels.push({ name, type: def.type, config: parsed.data as Record<string, unknown> });
  }
  return channels;
}

function crossCheck(data: TopLevelConfig, checks: CheckConfig[], channels: ChannelConfig[], report: Report) {
  const warnings: string[] = [];
  checks.forEach((check) => {
    const def = findCheck(check.kind);
    const index = indexOfCheck(data, check.id);
    for (const ref of def?.connectionsOf?.(check) ?? []) {
      if (!(ref.name in data.connections)) {
        const known = Object.keys(data.connections).join(', ') || 'none defined';
        report(
          ['checks', index, ...ref.path],
          `unknown connection '${ref.name}' (connections: ${known})`,
          check.id,
        );
      }
    }
  });
  const channelNames = new Set(Object.keys(data.alerts.channels));
  data.alerts.routes.forEach((route, i) => {
    if (!channelNames.has(route.channel)) {
      report(['alerts', 'routes', i, 'channel'], `unknown channel '${route.channel}'`);
    }
    if (!route.match && i < data.alerts.routes.length - 1) {
      report(
        ['alerts', 'routes', i],
        'a route without match catches everything: only the last route may omit it',
      );
    }
  });
  if (checks.length && !data.alerts.routes.length)
    warnings.push('alerts.routes is empty: findings notify nobody');
  const checkIds = new Set(checks.map((c) => c.id));
  data.alerts.silences.forEach((silence, i) => {
    if (silence.match.check && !checkIds.has(silence.match.check)) {
      warnings.push(`alerts.silences[${i}] matches check '${silence.match.check}', which is not configured`);
    }
  });
  for (const channel of channels) {
    for (const w of findChannel(channel.type)?.warnings?.(channel.config) ?? []) {
      warnings.push(`alerts.channels.${channel.name}: ${w}`);
    }
  }
  return warnings;
}

function describe(issue: z.core.$ZodIssue, key?: string): string {
  if (issue.code === 'unrecognized_keys') return `unknown key '${key}'`;
  if (issue.code === 'invalid_type') {
    const got = (issue as { input?: unknown }).input;
    if (got === undefined) return `required (expected ${issue.expected})`;
    if (typeof got === 'number' && !Number.isFinite(got)) return `expected a finite number, got ${got}`;
    return `expected ${issue.expected}, got ${Array.isArray(got) ? 'list' : got === null ? 'null' : typeof got}`;
  }
  if (issue.code === 'invalid_value')
    return `expected one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`;
  if (issue.code === 'invalid_union') {
    const { note, input } = issue as { note?: string; input?: unknown };
    if (note === 'No matching discriminator' && issue.path[0] === 'connections') {
      const types = ConnectionConfig.options.map((o) => o.shape.type.value).join(', ');
      const type = input && typeof input === 'object' ? (input as { type?: unknown }).type : input;
      return `unknown connection type '${String(type)}'; expected one of ${types}`;
    }
    return note ?? 'does not match any allowed form';
  }
  return issue.message;
}

export function resolveFromConfig(config: { dir: string }, path: string): string {
  return resolve(config.dir, path);
}

/** Whether a check sets `for:` itself (even to 0, which then overrides `defaults.for`). */
function ownFor(item: unknown): boolean {
  return !!item && typeof item === 'object' && (item as Record<string, unknown>).for !== undefined;
}
