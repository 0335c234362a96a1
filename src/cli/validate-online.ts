import type { GuardrailConfig } from '../config/load';
import type { ConfigIssue } from '../config/errors';
import { createAwsProvider } from '../aws/provider';
import { createLogger } from '../core/log';
import { errorMessage } from '../core/redact';
import { createConnectionProvider } from '../connectors/provider';
import { distanceWithin, tableKey } from '../connectors/describe';
import type { Connector, DescribeRequest, TableDescription } from '../connectors/types';
import { findCheck } from '../../checks/registry';
import type { CheckTable } from '../../checks/types';
import { compareText } from '../core/text';

/** One table an enabled check reads, with the check it belongs to. */
interface TableUse extends CheckTable {
  checkId: string;
}

/** Requests for one connection, one per table: columns merged; `where` kept only when every use agrees. */
function mergeRequests(uses: TableUse[]): DescribeRequest[] {
  const byTable = new Map<string, DescribeRequest>();
  for (const { request } of uses) {
    const key = tableKey(request.table);
    const seen = byTable.get(key);
    if (!seen) byTable.set(key, { ...request, columns: [...(request.columns ?? [])] });
    else {
      seen.columns = [...new Set([...(seen.columns ?? []), ...(request.columns ?? [])])];
      if (seen.where !== request.where) delete seen.where;
    }
  }
  return [...byTable.values()];
}

function closest(name: string, candidates: readonly string[]): string | undefined {
  const wanted = name.toLowerCase();
  const scored = candidates
    .map((c) => [c, distanceWithin(c.toLowerCase(), wanted, 2)] as const)
    .filter(([, d]) => d <= 2)
    .sort((a, b) => a[1] - b[1]);
  return scored[0]?.[0];
}

/** The problems of one use, given what the catalog said of its table. */
function problemsOf(
  use: TableUse,
  found: TableDescription | undefined,
): { at: (string | number)[]; message: string }[] {
  const name = tableKey(use.request.table);
  const on = `on ${use.side} (connection ${use.connection})`;
  if (!found) return [{ at: use.at, message: `table ${name} was not described ${on}` }];
  if ('missing' in found) {
    const hint = found.suggestions.length ? `; did you mean ${found.suggestions.join(' or ')}?` : '';
    return [{ at: use.at, message: `table ${name} not found ${on}${hint}` }];
  }
  // A table the catalog hides that the database refused: its columns are unknown, the refusal is the problem.
  if (found.hidden && found.unreadable)
    return [{ at: use.at, message: `table ${name} cannot be read ${on}: ${found.unreadable}` }];
  const have = new Set(found.columns.map((c) => c.toLowerCase()));
  const missing = use.columns.filter((c) => !have.has(c.name.toLowerCase()));
  if (missing.length) {
    return missing.map((c) => {
      const near = closest(c.name, found.columns);
      const hint = near ? `; did you mean ${near}?` : '';
      return { at: c.at, message: `column ${c.name} not found in ${name} ${on}${hint}` };
    });
  }
  if (found.unreadable)
    return [{ at: use.at, message: `table ${name} cannot be read ${on}: ${found.unreadable}` }];
  return [];
}

/**
 * `validate --online`: connects (read-only, as a run does) and checks that every table and column the enabled
 * checks name exists on its connection and can be read; each miss is located where the config names it.
 */
export async function checkOnline(
  config: GuardrailConfig,
): Promise<{ issues: ConfigIssue[]; tables: number }> {
  const uses = config.checks
    .filter((c) => c.enabled)
    .flatMap((c) => (findCheck(c.kind)?.tablesOf?.(c) ?? []).map((t) => ({ ...t, checkId: c.id })));
  const log = createLogger();
  const connections = createConnectionProvider(config.connections, {
    configDir: config.dir,
    gcp: config.gcp,
    log,
    aws: createAwsProvider(config.aws),
  });
  const locate = (checkId: string, at: (string | number)[]) => {
    const position = config.positionOf?.(checkId, at) ?? { file: config.file };
    return { ...position, path: position.path ?? '' };
  };
  const issues: ConfigIssue[] = [];
  try {
    const byConnection = new Map<string, TableUse[]>();
    for (const use of uses)
      byConnection.set(use.connection, [...(byConnection.get(use.connection) ?? []), use]);
    for (const [name, connectionUses] of byConnection) {
      const timeoutMs = Math.max(
        ...config.checks
          .filter((c) => connectionUses.some((u) => u.checkId === c.id))
          .map((c) => c.timeoutMs),
      );
      let described: Map<string, TableDescription>;
      try {
        const connector: Connector = await connections.get(name);
        if (!connector.describe) continue;
        described = await connector.describe(mergeRequests(connectionUses), {
          signal: AbortSignal.timeout(timeoutMs),
        });
      } catch (err) {
        const first = connectionUses[0]!;
        issues.push({
          ...locate(first.checkId, [first.side]),
          checkId: first.checkId,
          message: `connection ${name}: ${errorMessage(err).split('\n', 1)[0]}`,
        });
        continue;
      }
      for (const use of connectionUses) {
        for (const problem of problemsOf(use, described.get(tableKey(use.request.table)))) {
          issues.push({
            ...locate(use.checkId, problem.at),
            checkId: use.checkId,
            message: problem.message,
          });
        }
      }
    }
  } finally {
    await connections.closeAll();
  }
  // By file and line, as an editor lists them; the sort is stable, so the two sides of a pair stay in order.
  issues.sort((a, b) => compareText(a.file, b.file) || (a.line ?? 0) - (b.line ?? 0));
  return { issues, tables: uses.length };
}
