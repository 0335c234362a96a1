import { dirname, resolve } from 'node:path';
import type * as z from 'zod';
import { findCheck, CHECKS } from '../../checks/registry';
import { findChannel, CHANNELS } from '../../alerts/channels/registry';
import { AGENT_CHECK_ID, type CheckCommon, type PendingFor } from '../core/types';
import { ConfigError, formatPath, unsetVariableMessage, type ConfigIssue } from './errors';
import { checkSchema, TopLevel } from './schema';
import { ConnectionConfig } from '../connectors/config';
import { ConfigSources, display } from './sources';
import { loadListFiles, type Position } from './list-files';
import { parseCoerced } from './coerce';
import { nothingToRun, parseTopLevel } from './top-level';

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
  /**
   * Where a path inside a check was written, list files included (`['tables', 7, 'where']` may stand in
   * `tables/shop.yaml`): for messages about the config found later, e.g. by `validate --online`.
   */
  positionOf?(checkId: string, path: readonly (string | number)[]): Position;
}

/** Per check and list key: how many items were written inline, and where the list files' items stand. */
type ListPositions = Map<string, Map<string, { inline: number; positions: Position[] }>>;

/** Loads `path` and its includes, interpolates `${VAR}`s, validates everything; throws ConfigError. */
export function loadConfig(
  path: string,
  env: NodeJS.ProcessEnv = process.env,
  options: LoadOptions = {},
): GuardrailConfig {
  const file = resolve(path);
  const sources = readSources(file, env, options);
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

  // A mistake at the top level must not hide the checks' own: report it, then go on without the keys at fault.
  const data = parseTopLevel(sources.data, (error) => zodIssues(error, []));
  if (!data) throw new ConfigError(issues);
  const checks = parseChecks(data, report, zodIssues);
  const listPositions: ListPositions = new Map();
  issues.push(...readListFiles(checks, data, sources, env, listPositions));
  issues.push(...validateChecks(checks, data, sources));
  const channels = parseChannels(data, report, zodIssues);
  const warnings = crossCheck(data, checks, channels, report);
  if (!issues.length) issues.push(...nothingToRun(sources, data.checks.length, checks));
  if (issues.length) throw new ConfigError(issues);

  const { include: _include, checks: _checks, ...rest } = data;
  const positionOf = (checkId: string, path: readonly (string | number)[]): Position => {
    const [key, index, sub] = path;
    const list = typeof key === 'string' ? listPositions.get(checkId)?.get(key) : undefined;
    if (list && typeof index === 'number' && index >= list.inline) {
      const item = list.positions[index - list.inline];
      if (item) return (typeof sub === 'string' && item.keys?.[sub]) || item;
    }
    const merged = ['checks', indexOfCheck(data, checkId), ...path];
    const { file: at, line, col } = sources.locate(merged);
    return { file: at, ...(line ? { line } : {}), ...(col ? { col } : {}), path: formatPath(merged) };
  };
  return { ...rest, file, dir: dirname(file), checks, channels, warnings, positionOf };
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
  positions: ListPositions,
) {
  const issues: ConfigIssue[] = [];
  for (const check of checks) {
    const index = indexOfCheck(data, check.id);
    const lists = new Map<string, { inline: number; positions: Position[] }>();
    positions.set(check.id, lists);
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
      const list = lists.get(spec.into) ?? {
        inline: ((check[spec.into] as unknown[] | undefined) ?? []).length,
        positions: [],
      };
      list.positions.push(...result.positions);
      lists.set(spec.into, list);
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

export interface LoadOptions {
  /**
   * `placeholder`: an unset `${VAR}` (no default) in a secret-bearing key ({@link SECRET_KEYS}) reads as
   * {@link UNSET_SECRET}`VAR` instead of failing; anywhere else it is still an error. Only `iam-policy` asks for
   * it: it prints a policy and never connects. @default 'require'
   */
  secrets?: 'require' | 'placeholder';
}

/** Keys whose values are, or carry, credentials: connection and state URLs, webhooks, passwords, secret ARNs. */
const SECRET_KEYS = new Set(['url', 'webhookUrl', 'password', 'secretArn']);
/** What an unset secret reads as: a URL (valid wherever one is expected) on a reserved TLD that never resolves. */
export const UNSET_SECRET = 'https://unset.invalid/';

/** The name of the unset variable a value stands in for (`secrets: 'placeholder'`), else undefined. */
export function unsetSecret(value: unknown): string | undefined {
  return typeof value === 'string' && value.startsWith(UNSET_SECRET)
    ? value.slice(UNSET_SECRET.length)
    : undefined;
}

function readSources(file: string, env: NodeJS.ProcessEnv, options: LoadOptions): ConfigSources {
  const standIn: NodeJS.ProcessEnv = { ...env };
  const stood = new Set<string>();
  for (;;) {
    const sources = new ConfigSources(standIn);
    sources.load(file);
    if (options.secrets !== 'placeholder') return sources;
    // A file with an unset variable is not read at all, nor what it includes: again until none is new.
    const unset = sources.issues.flatMap((i) => i.unsetVariable ?? []).filter((n) => !stood.has(n));
    if (!unset.length) return keepSecretStandIns(sources);
    for (const name of unset) {
      stood.add(name);
      standIn[name] = `${UNSET_SECRET}${name}`;
    }
  }
}

/** Stand-ins are for secrets only: elsewhere an unset variable is reported as usual; an unset state URL is dropped. */
function keepSecretStandIns(sources: ConfigSources): ConfigSources {
  const state = sources.data.state as Record<string, unknown> | undefined;
  if (state && typeof state.url === 'string' && state.url.includes(UNSET_SECRET)) delete state.url;
  const visit = (node: unknown, path: (string | number)[]): void => {
    if (typeof node === 'string') {
      const name = node.includes(UNSET_SECRET) ? node.split(UNSET_SECRET)[1]?.match(/^\w+/)?.[0] : undefined;
      if (name && !SECRET_KEYS.has(String(path.at(-1)))) {
        sources.issues.push({ ...sources.locate(path), message: unsetVariableMessage(name) });
      }
    } else if (node && typeof node === 'object') {
      for (const [key, value] of Object.entries(node))
        visit(value, [...path, Array.isArray(node) ? Number(key) : key]);
    }
  };
  visit(sources.data, []);
  return sources;
}
