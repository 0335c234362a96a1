import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import type { DuckDbConnection } from './config';
import type { Connector, CountOptions, CountRequest, CountResult } from './types';
import { batchCount } from './batch-count';
import { sqlDescribe } from './describe';
import { mayBlock } from '../core/blocking-calls';
import { abortError } from '../core/limit';
import { errorMessage } from './errors';
import {
  duckDbDialect,
  duckDbErrorMessage,
  quote,
  stringLiteral,
  TimestampAsTextError,
} from './duckdb-dialect';
import {
  catalogFor,
  lockdownStatements,
  MEMORY_CATALOG,
  resolveLocation,
  sessionStatements,
  goneFile,
  viewFileProblem,
  viewStatements,
  viewFiles,
} from './duckdb-setup';
import { SessionCounter, type OpenContext } from './open-context';
import { requireExternal } from '../core/externals';

/** Tables per UNION ALL statement; DuckDB plans even large unions quickly. */
const DUCKDB_BATCH_SIZE = 200;

/** Runs `fn` on `conn`, interrupting it when the timeout passes or `signal` aborts. */
async function guarded<T>(
  conn: DuckDBConnection,
  timeoutMs: number,
  signal: AbortSignal,
  fn: () => Promise<T>,
): Promise<T> {
  if (signal.aborted) throw abortError(signal);
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    conn.interrupt();
  }, timeoutMs);
  const onAbort = (): void => conn.interrupt();
  signal.addEventListener('abort', onAbort, { once: true });
  try {
    return await fn();
  } catch (err) {
    if (timedOut) throw new Error(`statement timed out after ${timeoutMs} ms`, { cause: err });
    throw err;
  } finally {
    clearTimeout(timer);
    signal.removeEventListener('abort', onAbort);
  }
}

/** Opens a DuckDB database (file or `:memory:`) with the configured files as views. */
export async function openDuckDb(
  name: string,
  config: DuckDbConnection,
  ctx: OpenContext,
): Promise<Connector> {
  const { DuckDBInstance: Instance, StatementType } = requireExternal('@duckdb/node-api');
  const inMemory = config.path === ':memory:';
  // Always an in-memory database: a database file is attached read-only and the views live in memory, so
  // the agent never writes into the user's file (not even its views, not even under --dry-run).
  const instance: DuckDBInstance = await Instance.create(':memory:');
  const counter = new SessionCounter();
  let attached: { catalog: string; schemas: string[] } | undefined;
  // Views that cannot be made, and why: their file gone, a FIFO or device (DuckDB would wait on it for ever), or one
  // DuckDB refuses (a Parquet file that is not one). Not made, so that the others still count: each statement
  // naming one fails with why, where one such view failed the whole connection.
  const unusable = new Map<string, string>();
  /** The views made: an unusable one's schema is not on the search path (a schema never made fails every session). */
  const made: Record<string, string> = {};
  const setup = await instance.connect();
  try {
    await mayBlock(setup.run("SET TimeZone = 'UTC'"));
    if (!inMemory) {
      const file = resolve(ctx.configDir, config.path);
      const catalog = catalogFor(file);
      await mayBlock(setup.run(`ATTACH ${stringLiteral(file)} AS ${quote(catalog)} (READ_ONLY)`));
      const schemas = await mayBlock(
        setup.runAndReadAll(
          `SELECT schema_name FROM duckdb_schemas() WHERE database_name = ${stringLiteral(catalog)}`,
        ),
      );
      attached = { catalog, schemas: schemas.getRowObjectsJS().map((r) => String(r.schema_name)) };
    }
    for (const [view, location] of Object.entries(config.views)) {
      const problem = await viewFileProblem(location, ctx.configDir);
      if (problem) {
        unusable.set(view, problem);
        continue;
      }
      try {
        for (const sql of viewStatements({ [view]: location }, ctx.configDir, MEMORY_CATALOG))
          await mayBlock(setup.run(sql));
        made[view] = location;
      } catch (err) {
        // DuckDB's first line, cut at its first quote (what it quotes may be the file's content).
        unusable.set(view, duckDbErrorMessage(errorMessage(err), [resolveLocation(location, ctx.configDir)]));
      }
    }
    for (const sql of lockdownStatements(config.views, ctx.configDir)) await mayBlock(setup.run(sql));
  } catch (err) {
    setup.closeSync();
    instance.closeSync();
    // Its first line: the rest echoes the statement (and what a quote in it holds may be a file's content).
    const message = errorMessage(err);
    const safe = duckDbErrorMessage(message, inMemory ? [] : [resolve(ctx.configDir, config.path)]);
    throw safe === message ? err : new Error(safe, { cause: err });
  }
  setup.closeSync();
  const session = sessionStatements(attached, made);

  const idle: DuckDBConnection[] = [];
  /** Connections whose statement has not returned, interrupted or not. */
  const busy = new Set<DuckDBConnection>();
  const all: DuckDBConnection[] = [];
  const waiters: Array<(c: DuckDBConnection) => void> = [];
  const acquire = async (): Promise<DuckDBConnection> => {
    const free = idle.pop();
    if (free) return free;
    if (all.length < config.maxConnections) {
      const conn = await instance.connect();
      all.push(conn);
      counter.opened();
      try {
        for (const sql of session) await mayBlock(conn.run(sql));
      } catch (err) {
        all.splice(all.indexOf(conn), 1);
        conn.closeSync();
        counter.closed();
        throw err;
      }
      return conn;
    }
    return new Promise((res) => waiters.push(res));
  };
  const release = (conn: DuckDBConnection): void => {
    const waiter = waiters.shift();
    if (waiter) waiter(conn);
    else idle.push(conn);
  };
  const ownFiles = viewFiles(config.views, ctx.configDir);
  const query = async (sql: string, signal: AbortSignal): Promise<Record<string, unknown>[]> => {
    // Before DuckDB reads it: with a database file attached, an unmade view's name can resolve to the file's
    // table of the same name, which would be counted in its place (a review).
    const unmade = unusableViewNamed(sql, unusable);
    if (unmade) throw new Error(`view ${unmade}`);
    const conn = await acquire();
    busy.add(conn);
    try {
      counter.roundTrips++;
      const reader = await guarded(conn, config.statementTimeout, signal, async () => {
        // DuckDB prepares exactly one statement ("Cannot prepare multiple statements at once") and names its
        // type from its own parser: anything but a SELECT is refused before it runs.
        const prepared = await mayBlock(conn.prepare(sql));
        try {
          if (prepared.statementType !== StatementType.SELECT) {
            throw new Error(
              `read-only connection: refusing a ${StatementType[prepared.statementType]} (only SELECT runs)`,
            );
          }
          return await mayBlock(prepared.runAndReadAll());
        } finally {
          prepared.destroySync();
        }
      });
      return reader.getRowObjectsJS() as Record<string, unknown>[];
    } catch (err) {
      const message = errorMessage(err);
      const file = missingViewFile(message, ownFiles);
      if (file) throw new Error(goneFile(file), { cause: err });
      const text = timestampAsText(message, sql);
      if (text) throw new TimestampAsTextError(text, { cause: err });
      const safe = duckDbErrorMessage(message);
      throw safe === message ? err : new Error(safe);
    } finally {
      busy.delete(conn);
      release(conn);
    }
  };

  return {
    name,
    type: 'duckdb',
    count: (requests: CountRequest[], options: CountOptions): Promise<CountResult[]> =>
      batchCount(requests, {
        ...options,
        dialect: duckDbDialect,
        run: query,
        batchSize: config.batchSize ?? DUCKDB_BATCH_SIZE,
        concurrency: config.maxConnections,
      }),
    describe: sqlDescribe({ dialect: duckDbDialect, run: query }),
    query: async (sql, params, { signal }) => {
      if (params.length) throw new Error('duckdb connector: parameters are not supported');
      return query(sql, signal);
    },
    stats: () => counter.snapshot(),
    close: async () => {
      // A statement blocked in the operating system (a view over a FIFO with no writer, a hung network mount)
      // ignores DuckDB's interrupt, and closing its connection or the database waits for it on this thread, for
      // ever: those are left to the end of the process.
      if (busy.size) {
        ctx.log.warn(
          { connection: name, statements: busy.size },
          'duckdb: a statement did not return after its interrupt (a view over a FIFO or a hung mount?); ' +
            'not closing this connection',
        );
      }
      for (const conn of all) if (!busy.has(conn)) conn.closeSync();
      if (!busy.size) instance.closeSync();
      ctx.log.debug({ connection: name }, 'duckdb closed');
    },
  };
}

/**
 * The view, and why it was not made, that `sql` names as configured (`"staging"."orders"`, not as the end of a
 * longer name), if one could not be made at open: a missing `sales.orders` beside an unusable `staging.orders`
 * keeps DuckDB's own error.
 */
export function unusableViewNamed(sql: string, unusable: ReadonlyMap<string, string>): string | undefined {
  if (!unusable.size) return undefined; // every statement passes here
  const lower = sql.toLowerCase();
  for (const [view, why] of unusable) {
    const written = view.split('.').map(quote).join('.').toLowerCase();
    for (let at = lower.indexOf(written); at >= 0; at = lower.indexOf(written, at + 1)) {
      const before = lower[at - 1];
      const after = lower[at + written.length];
      if (before !== '.' && after !== '.') return `${view}: ${why}`;
    }
  }
  return undefined;
}

/**
 * What DuckDB's "No function matches ... 'epoch(VARCHAR)'" means for a view over a file: the sniffer read its time
 * column as text, which it does when one value in it is not a timestamp (a bad or cut row), and the freshness
 * bound cannot be computed. DuckDB's message names neither the column nor why (a trial).
 */
export function timestampAsText(message: string, sql: string): string | undefined {
  if (!/No function matches the given name and argument types 'epoch\(VARCHAR\)'/.test(message))
    return undefined;
  // The dialect writes `epoch(max("col"))` for the freshness bound (sql-dialect.ts).
  const columns = [...new Set([...sql.matchAll(/epoch\(max\(("(?:[^"]|"")+")\)/g)].map((m) => m[1]))];
  const column = columns.length === 1 ? `column ${columns[0]}` : 'the time column';
  return (
    `${column} is read as text, not as a timestamp: DuckDB reads a file's column as text when a value in it is ` +
    'not a timestamp (a bad, empty or cut row?)'
  );
}

/**
 * The file of a configured view that is gone. DuckDB then looks for it as a folder of such files, which the
 * locked-down file system refuses: "Permission Error: Cannot access file … file system operations are disabled by
 * configuration", which reads as a setting to change (a trial renamed a CSV under `serve`). Any other file refused
 * (a `where` reaching for one) keeps DuckDB's refusal.
 */
export function missingViewFile(message: string, viewFiles: ReadonlySet<string>): string | undefined {
  const accessed = /Cannot access file "([^"]+)"/.exec(message)?.[1];
  if (!accessed) return undefined;
  const file = accessed.replace(/\/\*\*\/\*[^/]*$/, '');
  return viewFiles.has(file) && !existsSync(file) ? file : undefined;
}
