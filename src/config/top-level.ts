import type * as z from 'zod';
import type { ConfigIssue } from './errors';
import { parseCoerced } from './coerce';
import { TopLevel } from './schema';
import type { ConfigSources } from './sources';

type TopLevelConfig = z.infer<typeof TopLevel>;

/**
 * The top level, parsed; on errors they are reported and it is parsed again without the values at fault (an
 * unknown key, a wrong value: then the whole top-level key), so that the checks are still validated.
 */
export function parseTopLevel(
  raw: Record<string, unknown>,
  report: (error: z.ZodError) => void,
): TopLevelConfig | undefined {
  const first = parseCoerced(TopLevel, raw);
  if (first.success) return first.data;
  report(first.error);
  const rest = structuredClone(raw);
  for (const issue of first.error.issues) {
    const path = issue.path.filter((p): p is string | number => typeof p !== 'symbol');
    if (issue.code === 'unrecognized_keys') {
      const parent = valueAt(rest, path);
      if (parent && typeof parent === 'object') for (const key of issue.keys) delete parent[key];
    } else if (path.length) delete rest[path[0] as string];
  }
  const second = parseCoerced(TopLevel, rest);
  if (second.success) return second.data;
  for (const issue of second.error.issues) if (issue.path.length) delete rest[issue.path[0] as string];
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
