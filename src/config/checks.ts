import { dirname } from 'node:path';
import { findCheck, CHECKS } from '../../checks/registry';
import { AGENT_CHECK_ID, type PendingFor } from '../core/types';
import type { ConfigIssue } from './errors';
import { checkSchema } from './schema';
import { display, type ConfigSources } from './sources';
import { loadListFiles, type Position } from './list-files';
import { parseCoerced } from './coerce';
import type { Report, ZodReport } from './issue-report';
import type { CheckConfig, TopLevelConfig } from './types';

/** Per check and list key: how many items were written inline, and where the list files' items stand. */
export type ListPositions = Map<string, Map<string, { inline: number; positions: Position[] }>>;

export function parseChecks(
  data: TopLevelConfig,
  sources: ConfigSources,
  report: Report,
  zodIssues: ZodReport,
): CheckConfig[] {
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
      // The merged index (checks[3]) is no help when the checks come from several files: name the file and line.
      const other = sources.locate(['checks', seen.get(id)!, 'id']);
      const where = other.line ? `${other.file}:${other.line}` : other.file;
      return report(['checks', i, 'id'], `duplicate check id '${id}' (also ${where})`, id);
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
export function readListFiles(
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
      const globAt = (i: number) =>
        sources.locate(Array.isArray(globs) ? ['checks', index, spec.key, i] : ['checks', index, spec.key]);
      for (const i of result.unmatched) {
        const glob = Array.isArray(globs) ? globs[i] : globs;
        const message =
          `no file matches ${JSON.stringify(glob)} (relative to the folder of this config file); ` +
          'remove it if no file is meant to be read';
        issues.push({ ...globAt(i), message, checkId: check.id });
      }
      for (const { index: i, message } of result.tooWide)
        issues.push({ ...globAt(i), message, checkId: check.id });
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

/**
 * Each plugin's own cross-key validation, located like any other problem: in the list file an item came from
 * (an analyst's tables file), not at its index in the merged list, which no file shows.
 */
export function validateChecks(
  checks: CheckConfig[],
  positionOf: (checkId: string, path: readonly (string | number)[]) => Position,
): ConfigIssue[] {
  return checks.flatMap((check) =>
    (findCheck(check.kind)?.validate?.(check) ?? []).map((problem) => {
      const { file, line, col, path } = positionOf(check.id, problem.path);
      const also = problem.also ? `; also at ${where(positionOf(check.id, problem.also))}` : '';
      return {
        file,
        ...(line ? { line } : {}),
        ...(col ? { col } : {}),
        path: path ?? '',
        message: `${problem.message}${also}`,
        checkId: check.id,
      };
    }),
  );
}

/** `file:line`, or the file alone when the line is not known. */
function where(position: Position): string {
  return position.line ? `${position.file}:${position.line}` : position.file;
}

/** Where a validated check stands in the merged `checks` list, for locating its problems. */
export function indexOfCheck(data: TopLevelConfig, id: string): number {
  return data.checks.findIndex((c) => (c as { id?: unknown }).id === id);
}

/** Whether a check sets `for:` itself (even to 0, which then overrides `defaults.for`). */
function ownFor(item: unknown): boolean {
  return !!item && typeof item === 'object' && (item as Record<string, unknown>).for !== undefined;
}
