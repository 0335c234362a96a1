import { dirname, resolve } from 'node:path';
import { ConfigError, formatPath } from './errors';
import type { Position } from './list-files';
import { nothingToRun, parseTopLevel } from './top-level';
import { issueCollector } from './issue-report';
import { indexOfCheck, parseChecks, readListFiles, validateChecks, type ListPositions } from './checks';
import { parseChannels } from './channels';
import { crossCheck } from './cross-check';
import { readSources, type LoadOptions } from './secret-stand-ins';
import type { ConfigSources } from './sources';
import type { GuardrailConfig, TopLevelConfig } from './types';

export type { ChannelConfig, CheckConfig, GuardrailConfig } from './types';
export { UNSET_SECRET, unsetSecret, type LoadOptions } from './secret-stand-ins';

/** Loads `path` and its includes, interpolates `${VAR}`s, validates everything; throws ConfigError. */
export function loadConfig(
  path: string,
  env: NodeJS.ProcessEnv = process.env,
  options: LoadOptions = {},
): GuardrailConfig {
  const file = resolve(path);
  const sources = readSources(file, env, options);
  if (sources.issues.length) throw new ConfigError(sources.issues);

  const { issues, report, zodIssues } = issueCollector(sources);

  // A mistake at the top level must not hide the checks' own: report it, then go on without the keys at fault.
  const dropped = new Set<string>();
  const data = parseTopLevel(sources.data, (error) => zodIssues(error, []), dropped);
  if (!data) throw new ConfigError(issues);
  const checks = parseChecks(data, sources, report, zodIssues);
  const listPositions: ListPositions = new Map();
  issues.push(...readListFiles(checks, data, sources, env, listPositions));
  const positionOf = locator(data, sources, listPositions);
  issues.push(...validateChecks(checks, positionOf));
  const channels = parseChannels(data, report, zodIssues);
  const warnings = crossCheck(data, checks, channels, report, dropped);
  if (!issues.length) issues.push(...nothingToRun(sources, data.checks.length, checks));
  if (issues.length) throw new ConfigError(issues);

  const { include: _include, checks: _checks, ...rest } = data;
  return { ...rest, file, dir: dirname(file), checks, channels, warnings, positionOf };
}

/**
 * Where a path inside a check stands in the files: an item that came from a list file (an analyst's tables file)
 * is located in that file, anything else in the config file that holds the check.
 */
function locator(data: TopLevelConfig, sources: ConfigSources, listPositions: ListPositions) {
  return (checkId: string, path: readonly (string | number)[]): Position => {
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
}

export function resolveFromConfig(config: { dir: string }, path: string): string {
  return resolve(config.dir, path);
}
