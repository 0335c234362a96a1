import { isAbsolute, resolve } from 'node:path';
import type { DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import type { DuckDbConnection } from './config';
import type { Connector, CountOptions, CountRequest, CountResult } from './types';
import { batchCount } from './batch-count';
import { errorMessage, type FailureKind } from './errors';
import { abortError } from '../core/limit';
import { SessionCounter, type OpenContext } from './open-context';
import { quoteWith, type SqlDialect } from './sql-dialect';

/** Tables per UNION ALL statement; DuckDB plans even large unions quickly. */
const DUCKDB_BATCH_SIZE = 200;

const quote = quoteWith('"');

function classifyDuckDb(err: unknown): FailureKind {
  const message = errorMessage(err);
  if (/Catalog Error: (Table|View|Schema) with name .* does not exist/i.test(message)) return 'missing-table';
  if (/Binder Error: Referenced column .* not found/i.test(message)) return 'missing-column';
  return 'query-failed';
}

export const duckDbDialect: SqlDialect = {
  quote,
  timestamp: (at) => `TIMESTAMP '${at.toISOString().replace('T', ' ').replace('Z', '')}'`,
  epochSeconds: (expr) => `epoch(${expr})::DOUBLE`,
  nullNumber: 'CAST(NULL AS DOUBLE)',
  classify: classifyDuckDb,
};

function stringLiteral(text: string): string {
  return `'${text.split("'").join("''")}'`;
}

/** The table function that reads a landed file, by its extension. */
export function readerFor(location: string): string {
  const path = stringLiteral(location);
  const lower = location.toLowerCase();
  if (/\.parquet$|\.parq$/.test(lower)) return `read_parquet(${path})`;
  if (/\.(json|ndjson|jsonl)(\.gz)?$/.test(lower)) return `read_json_auto(${path})`;
  return `read_csv_auto(${path})`;
}

function resolveLocation(location: string, configDir: string): string {
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(location) || isAbsolute(location)
    ? location
    : resolve(configDir, location);
}

/** Statements that create the configured views (`schema.view` creates the schema). */
export function viewStatements(views: Record<string, string>, configDir: string): string[] {
  const out: string[] = [];
  for (const [name, location] of Object.entries(views)) {
    const parts = name.split('.');
    if (parts.length > 1) out.push(`CREATE SCHEMA IF NOT EXISTS ${parts.slice(0, -1).map(quote).join('.')}`);
    const from = readerFor(resolveLocation(location, configDir));
    out.push(`CREATE OR REPLACE VIEW ${parts.map(quote).join('.')} AS SELECT * FROM ${from}`);
  }
  return out;
}

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
  const { DuckDBInstance: Instance } = await import('@duckdb/node-api');
  const inMemory = config.path === ':memory:';
  const hasViews = Object.keys(config.views).length > 0;
  // A database file is opened read-only unless views must be created in it.
  const options: Record<string, string> = !inMemory && !hasViews ? { access_mode: 'READ_ONLY' } : {};
  const instance: DuckDBInstance = await Instance.create(
    inMemory ? ':memory:' : resolve(ctx.configDir, config.path),
    options,
  );
  const counter = new SessionCounter();
  const setup = await instance.connect();
  for (const sql of viewStatements(config.views, ctx.configDir)) await setup.run(sql);
  setup.closeSync();

  const idle: DuckDBConnection[] = [];
  const all: DuckDBConnection[] = [];
  const waiters: Array<(c: DuckDBConnection) => void> = [];
  const acquire = async (): Promise<DuckDBConnection> => {
    const free = idle.pop();
    if (free) return free;
    if (all.length < config.maxConnections) {
      const conn = await instance.connect();
      all.push(conn);
      counter.opened();
      return conn;
    }
    return new Promise((res) => waiters.push(res));
  };
  const release = (conn: DuckDBConnection): void => {
    const waiter = waiters.shift();
    if (waiter) waiter(conn);
    else idle.push(conn);
  };
  const query = async (sql: string, signal: AbortSignal): Promise<Record<string, unknown>[]> => {
    const conn = await acquire();
    try {
      counter.roundTrips++;
      const reader = await guarded(conn, config.statementTimeout, signal, () => conn.runAndReadAll(sql));
      return reader.getRowObjectsJS() as Record<string, unknown>[];
    } finally {
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
    query: async (sql, params, { signal }) => {
      if (params.length) throw new Error('duckdb connector: parameters are not supported');
      return query(sql, signal);
    },
    stats: () => counter.snapshot(),
    close: async () => {
      for (const conn of all) conn.closeSync();
      instance.closeSync();
      ctx.log.debug({ connection: name }, 'duckdb closed');
    },
  };
}
