import type * as z from 'zod';
import type { ConfigIssue } from './errors';
import { parseCoerced } from './coerce';
import { TopLevel } from './schema';
import type { ConfigSources } from './sources';

type TopLevelConfig = z.infer<typeof TopLevel>;

/** Top-level keys that map names to entries: a wrong entry is dropped alone, not the whole key. */
const NAMED_ENTRIES = new Set(['connections']);

/**
 * The top level, parsed; on errors they are reported and it is parsed again without the values at fault (an
 * unknown key; a wrong value: the connection at fault, or else the whole top-level key), so that the checks are
 * still validated. Each dropped value's path (`connections.dst`, `alerts`) is added to `dropped`, so that what
 * refers to it is not reported again as unknown.
 */
export function parseTopLevel(
  raw: Record<string, unknown>,
  report: (error: z.ZodError) => void,
  dropped = new Set<string>(),
): TopLevelConfig | undefined {
  const first = parseCoerced(TopLevel, raw);
  if (first.success) return first.data;
  report(first.error);
  const rest = structuredClone(raw);
  for (const issue of first.error.issues) {
    const path = issue.path.filter((p): p is string | number => typeof p !== 'symbol');
    const [key, name] = path;
    const entries = typeof key === 'string' && NAMED_ENTRIES.has(key) ? valueAt(rest, [key]) : undefined;
    if (issue.code === 'unrecognized_keys') {
      const parent = valueAt(rest, path);
      if (parent && typeof parent === 'object') for (const k of issue.keys) delete parent[k];
    } else if (entries && typeof name === 'string') {
      delete entries[name];
      dropped.add(`${key as string}.${name}`);
    } else if (path.length) {
      delete rest[path[0] as string];
      dropped.add(String(path[0]));
    }
  }
  const second = parseCoerced(TopLevel, rest);
  if (second.success) return second.data;
  for (const issue of second.error.issues)
    if (issue.path.length) {
      delete rest[issue.path[0] as string];
      dropped.add(String(issue.path[0]));
    }
  const third = parseCoerced(TopLevel, rest);
  return third.success ? third.data : undefined;
}

function valueAt(root: unknown, path: readonly (string | number)[]): Record<string, unknown> | undefined {
  let node = root;
  for (const key of path)
    node = node && typeof node === 'object' ? (node as Record<string, unknown>)[key] : undefined;
  return node && typeof node === 'object' ? (node as Record<string, unknown>) : undefined;
}

/** A config with no enabled check runs nothing and exits 0: a config mounted at the wrong path would go unseen. */
export function nothingToRun(
  sources: ConfigSources,
  listed: number,
  checks: readonly { enabled: boolean }[],
): ConfigIssue[] {
  if (checks.some((c) => c.enabled)) return [];
  const at = sources.locate(listed ? ['checks'] : [], true);
  const message = !Object.keys(sources.data).length
    ? 'the config is empty: nothing to run (is --config pointing at the mounted file?)'
    : listed
      ? 'every check is disabled (enabled: false): nothing to run'
      : 'no checks are configured: nothing to run (add one under checks:)';
  return [{ ...at, path: listed ? 'checks' : '', message }];
}
