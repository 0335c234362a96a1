import { dirname, resolve } from 'node:path';
import { ConfigError, formatPath, type ConfigIssue } from './errors';
import type { Position } from './list-files';
import { nothingToRun, parseTopLevel } from './top-level';
import { issueCollector } from './issue-report';
import { indexOfCheck, parseChecks, readListFiles, validateChecks, type ListPositions } from './checks';
import { parseChannels } from './channels';
import { crossCheck } from './cross-check';
import {
  readSources,
  readStandingIn,
  showStandIns,
  standIns,
  UNSET_SECRET,
  type LoadOptions,
} from './secret-stand-ins';
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
  if (!sources.issues.length) return validate(file, sources, env);
  if (options.secrets === 'placeholder' || sources.issues.some((i) => !i.unsetVariable))
    throw new ConfigError(sources.issues);
  throw new ConfigError(unsetAndTheRest(file, env));
}

/**
 * The config with only unset variables so far: each is reported, and the rest is checked with stand-ins for them,
 * so that a pull request's CI, which has no secrets, still shows an analyst's typo in a tables file. What a
 * stand-in itself gets wrong (at its place, or naming it) is not a problem of its own. A stand-in is text: a check
 * with an unset number or flag fails its own shape, and is checked no further (its list files are not read).
 */
function unsetAndTheRest(file: string, env: NodeJS.ProcessEnv): ConfigIssue[] {
  const { sources, unset } = readStandingIn(file, env);
  if (sources.issues.length) return [...unset, ...sources.issues];
  let rest: ConfigIssue[] = [];
  try {
    validate(file, sources, env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    rest = error.issues;
  }
  // Where a stand-in stands: at the variable's own place, and at every path of the merged config that holds it
  // (an alias or a merge key copies it elsewhere: a second read saw "expected number" at the alias).
  const place = (i: ConfigIssue) => `${i.file}:${i.line ?? 0}:${i.col ?? 0}`;
  const standing = new Set(unset.map(place));
  const paths = new Set(standIns(sources.data).map((s) => formatPath(s.path)));
  return [
    ...unset,
    ...rest
      .filter((i) => i.aroundStandIn || (!standing.has(place(i)) && !paths.has(i.path)))
      // A problem about a stand-in's own text (an unknown connection named by it) is not one; a real problem of
      // a check whose id is a stand-in is, named by the variable.
      .filter(
        (i) =>
          !i.message
            .split(i.checkId ?? '\u0000')
            .join('')
            .includes(UNSET_SECRET),
      )
      .map((i) =>
        i.checkId?.includes(UNSET_SECRET)
          ? { ...i, checkId: showStandIns(i.checkId), message: showStandIns(i.message) }
          : i,
      ),
  ];
}

/** Validates the merged config (`sources`, read without a problem); throws ConfigError. */
function validate(file: string, sources: ConfigSources, env: NodeJS.ProcessEnv): GuardrailConfig {
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
