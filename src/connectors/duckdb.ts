import { basename, extname, isAbsolute, resolve } from 'node:path';
import type { DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import type { DuckDbConnection } from './config';
import type { Connector, CountOptions, CountRequest, CountResult } from './types';
import { batchCount } from './batch-count';
import { sqlDescribe } from './describe';
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

/** The in-memory catalog every DuckDB connector opens; configured views live there. */
const MEMORY_CATALOG = 'memory';
/** Catalog names DuckDB reserves, which an attached file cannot take. */
const RESERVED_CATALOGS = new Set(['memory', 'temp', 'system', 'main']);
/** Alias of an attached file whose own name is reserved or empty. */
const FALLBACK_CATALOG = 'guardrail_db';

/** The schemas (other than `main`) that the configured views live in. */
function viewSchemas(views: Record<string, string>): string[] {
  const schemas = new Set<string>();
  for (const name of Object.keys(views)) {
    const parts = name.split('.');
    if (parts.length > 1) schemas.add(parts.slice(0, -1).join('.'));
  }
  schemas.delete('main');
  return [...schemas];
}

/**
 * Statements that create the configured views (`schema.view` creates the schema). With `catalog`, the views
 * and schemas are created in that catalog (the in-memory one), never in an attached database file.
 */
export function viewStatements(views: Record<string, string>, configDir: string, catalog?: string): string[] {
  const out: string[] = [];
  const prefix = catalog ? [catalog] : [];
  for (const [name, location] of Object.entries(views)) {
    const parts = name.split('.');
    if (parts.length > 1) {
      out.push(`CREATE SCHEMA IF NOT EXISTS ${[...prefix, ...parts.slice(0, -1)].map(quote).join('.')}`);
    }
    const qualified = [...prefix, ...(parts.length > 1 ? [] : ['main']), ...parts];
    const from = readerFor(resolveLocation(location, configDir));
    out.push(
      `CREATE OR REPLACE VIEW ${(catalog ? qualified : parts).map(quote).join('.')} AS SELECT * FROM ${from}`,
    );
  }
  return out;
}

/** The catalog name a database file is attached under: its file name without extension, as DuckDB names it. */
export function catalogFor(file: string): string {
  const stem = basename(file, extname(file));
  return stem && !RESERVED_CATALOGS.has(stem.toLowerCase()) ? stem : FALLBACK_CATALOG;
}

/**
 * Session settings for every connection (UTC is set for the whole database before its configuration is
 * locked, see {@link lockdownStatements}): with a database file attached, the file as default catalog and the in-memory views on the search path, so `table`, `schema.table` and
 * `catalog.schema.table` resolve as when the file was opened directly.
 */
export function sessionStatements(
  attached: { catalog: string; schemas: readonly string[] } | undefined,
  views: Record<string, string>,
): string[] {
  const out: string[] = [];
  if (!attached) return out;
  // DuckDB looks a `schema.table` whose schema is on no search path entry up in the first entry's catalog:
  // the file's `main` comes first so its schemas resolve as before.
  const path = [`${quote(attached.catalog)}.${quote('main')}`, `${quote(MEMORY_CATALOG)}.${quote('main')}`];
  for (const schema of viewSchemas(views)) {
    path.push(`${quote(MEMORY_CATALOG)}.${quote(schema)}`);
    // A view schema that the file also has: both are searched, so the file's tables in it still resolve.
    if (attached.schemas.includes(schema)) path.push(`${quote(attached.catalog)}.${quote(schema)}`);
  }
  out.push(`USE ${quote(attached.catalog)}`, `SET search_path = ${stringLiteral(path.join(','))}`);
  return out;
}

/** A glob's fixed directory (`landing/users/*.parquet` → `landing/users/`), or undefined for a plain path. */
function globDirectory(location: string): string | undefined {
  const glob = location.search(/[*?[{]/);
  return glob < 0 ? undefined : location.slice(0, location.lastIndexOf('/', glob) + 1);
}

/**
 * Run once the views exist, before any count: UTC for every session (as the MySQL and PostgreSQL sessions, so
 * window bounds compare with TIMESTAMPTZ columns as UTC whatever the host's TZ); then no file or URL but the
 * views' own can be read or written (no `COPY ... TO`, `read_text()`, `read_csv()` of another file, no
 * `INSTALL`), and the configuration is locked so no statement can turn that back on.
 * @see https://duckdb.org/docs/stable/operations_manual/securing_duckdb/overview (checked 2026-12)
 */
export function lockdownStatements(views: Record<string, string>, configDir: string): string[] {
  const paths: string[] = [];
  const directories: string[] = [];
  for (const location of Object.values(views).map((l) => resolveLocation(l, configDir))) {
    const directory = globDirectory(location);
    if (directory) directories.push(directory);
    else paths.push(location);
  }
  const list = (items: string[]) => `[${items.map(stringLiteral).join(', ')}]`;
  return [
    "SET GLOBAL TimeZone = 'UTC'",
    ...(paths.length ? [`SET allowed_paths = ${list(paths)}`] : []),
    ...(directories.length ? [`SET allowed_directories = ${list(directories)}`] : []),
    'SET enable_external_access = false',
    'SET lock_configuration = true',
  ];
}

/** Error classes whose first line names only identifiers, paths or SQL: kept as DuckDB wrote them. */
const PLAIN_ERRORS = /^(Error: )?(Catalog|Binder|Parser|Permission|INTERRUPT|Interrupt) Error:/;

/**
 * DuckDB's error, fit for a finding: its first line only (the rest echoes the SQL), and for the classes that
 * quote values (`Conversion Error: Could not convert string '...'`, which may be a file's content) everything
 * from the first quote on is cut.
 */
export function duckDbErrorMessage(message: string): string {
  const quote = PLAIN_ERRORS.test(message) ? -1 : message.search(/['"]/);
  const text = quote < 0 ? message : `${message.slice(0, quote)}'…'`;
  return text.split('\n', 1)[0] as string;
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
  const { DuckDBInstance: Instance, StatementType } = await import('@duckdb/node-api');
  const inMemory = config.path === ':memory:';
  // Always an in-memory database: a database file is attached read-only and the views live in memory, so
  // the agent never writes into the user's file (not even its views, not even under --dry-run).
  const instance: DuckDBInstance = await Instance.create(':memory:');
  const counter = new SessionCounter();
  let attached: { catalog: string; schemas: string[] } | undefined;
  const setup = await instance.connect();
  try {
    await setup.run("SET TimeZone = 'UTC'");
    if (!inMemory) {
      const file = resolve(ctx.configDir, config.path);
      const catalog = catalogFor(file);
      await setup.run(`ATTACH ${stringLiteral(file)} AS ${quote(catalog)} (READ_ONLY)`);
      const schemas = await setup.runAndReadAll(
        `SELECT schema_name FROM duckdb_schemas() WHERE database_name = ${stringLiteral(catalog)}`,
      );
      attached = { catalog, schemas: schemas.getRowObjectsJS().map((r) => String(r.schema_name)) };
    }
    for (const sql of viewStatements(config.views, ctx.configDir, MEMORY_CATALOG)) await setup.run(sql);
    for (const sql of lockdownStatements(config.views, ctx.configDir)) await setup.run(sql);
  } catch (err) {
    setup.closeSync();
    instance.closeSync();
    throw err;
  }
  setup.closeSync();
  const session = sessionStatements(attached, config.views);

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
      try {
        for (const sql of session) await conn.run(sql);
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
  const query = async (sql: string, signal: AbortSignal): Promise<Record<string, unknown>[]> => {
    const conn = await acquire();
    try {
      counter.roundTrips++;
      const reader = await guarded(conn, config.statementTimeout, signal, async () => {
        // DuckDB prepares exactly one statement ("Cannot prepare multiple statements at once") and names its
        // type from its own parser: anything but a SELECT is refused before it runs.
        const prepared = await conn.prepare(sql);
        try {
          if (prepared.statementType !== StatementType.SELECT) {
            throw new Error(
              `read-only connection: refusing a ${StatementType[prepared.statementType]} (only SELECT runs)`,
            );
          }
          return await prepared.runAndReadAll();
        } finally {
          prepared.destroySync();
        }
      });
      return reader.getRowObjectsJS() as Record<string, unknown>[];
    } catch (err) {
      const message = errorMessage(err);
      const safe = duckDbErrorMessage(message);
      throw safe === message ? err : new Error(safe);
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
    describe: sqlDescribe({ dialect: duckDbDialect, run: query }),
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
