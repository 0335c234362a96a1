import type { Client, ClientConfig, Pool, PoolClient, QueryConfig } from 'pg';
import type { PostgresConnection } from './config';
import type { Connector } from './types';
import { sqlConnector } from './sql-connector';
import { errorMessage, isSocketError, redact, urlSecrets, type FailureKind } from './errors';
import { SessionCounter, type OpenContext } from './open-context';
import {
  CANCEL_TIMEOUT_MS,
  clientTimeoutMs,
  CLOSE_TIMEOUT_MS,
  connectTimeoutMs,
  deadline,
  settledWithin,
  TimeoutError,
  untilAborted,
} from './bounds';
import { quoteWith, type SqlDialect } from './sql-dialect';
import { requireExternal } from '../core/externals';

/**
 * Tables per UNION ALL statement. Planning grows faster than the branches: counting 13,000 tables over 8
 * sessions took 1.6 s with 100 per statement, 4.7 s with 500 and 17 s with 2,000 (bench, 2 cores, 2026-11).
 */
const POSTGRES_BATCH_SIZE = 100;

/** SQLSTATEs, see https://www.postgresql.org/docs/current/errcodes-appendix.html (checked 2026-11). */
const MISSING_TABLE = new Set(['42P01', '3F000']);
const MISSING_COLUMN = new Set(['42703']);
// admin_shutdown, crash_shutdown, cannot_connect_now and the connection_exception class
const CONNECTION_GONE = /^(57P0[123]|08...)$/;

export function classifyPostgres(err: unknown): FailureKind {
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code === 'string') {
    if (MISSING_TABLE.has(code)) return 'missing-table';
    if (MISSING_COLUMN.has(code)) return 'missing-column';
    if (CONNECTION_GONE.test(code)) return 'connection';
  }
  return isSocketError(err) ? 'connection' : 'query-failed';
}

/** The dialect of PostgreSQL (and Redshift, which shares its quoting and functions). */
export const postgresDialect: SqlDialect = {
  quote: quoteWith('"'),
  timestamp: (at) => `TIMESTAMPTZ '${at.toISOString()}'`,
  epochSeconds: (expr) => `extract(epoch from ${expr})::float8`,
  nullNumber: 'NULL::float8',
  classify: classifyPostgres,
};

/**
 * A query that always takes the extended protocol (Parse/Bind/Execute), whose Parse the server refuses for more
 * than one statement ("cannot insert multiple commands into a prepared statement"): a `where` cannot end the
 * read-only statement and smuggle `COMMIT; BEGIN READ WRITE; ...` after it, as the simple protocol would let it.
 * pg's typings (8.23) omit `queryMode`, which its Query reads.
 */
export function extendedQuery(text: string, values: unknown[]): QueryConfig {
  return { text, values, queryMode: 'extended' } as QueryConfig;
}

/** Ends a session gracefully within {@link CLOSE_TIMEOUT_MS}, else destroys its socket. */
async function endClient(client: Client): Promise<void> {
  if (!(await settledWithin(client.end(), CLOSE_TIMEOUT_MS))) client.connection.stream.destroy();
}

/** pg's own timeout errors, renamed after the wait that ran out and coded as a lost connection. */
function timeoutError(err: unknown, connectMs: number, queryMs: number): unknown {
  const message = errorMessage(err);
  if (message === 'timeout expired')
    return new TimeoutError(`no answer within ${connectMs} ms (connect timeout)`);
  if (message === 'Query read timeout')
    return new TimeoutError(`no answer within ${queryMs} ms (query timeout)`);
  return err;
}

/** Opens a bounded pg pool whose sessions are read-only, in UTC, with a statement timeout. */
export async function openPostgres(
  name: string,
  config: PostgresConnection,
  ctx: OpenContext,
): Promise<Connector> {
  const pg = requireExternal('pg');
  const secrets = urlSecrets(config.url);
  const counter = new SessionCounter();
  const connectMs = connectTimeoutMs(config.statementTimeout);
  const queryMs = clientTimeoutMs(config.statementTimeout);
  // pg-pool would apply connectionTimeoutMillis to waiting for a busy session as well, failing a sweep that
  // merely queues behind another check; only opening a session gets it, the wait is bounded by the signal.
  class BoundedClient extends pg.Client {
    constructor(options?: ClientConfig) {
      super({ ...options, connectionTimeoutMillis: connectMs });
    }
  }
  const pool: Pool = new pg.Pool({
    Client: BoundedClient,
    connectionString: config.url,
    max: config.maxConnections,
    statement_timeout: config.statementTimeout,
    // Client-side, for a server that stops answering: the server's statement_timeout fires first otherwise.
    query_timeout: queryMs,
    application_name: 'guardrail',
    // Sent in the startup packet: no extra round trip, and no session can write.
    options: '-c default_transaction_read_only=on -c TimeZone=UTC',
  });
  const sessions = new Set<PoolClient>();
  pool.on('connect', (client) => {
    sessions.add(client);
    counter.opened();
  });
  pool.on('remove', (client) => {
    sessions.delete(client);
    counter.closed();
  });
  // An idle session killed by the server emits here; the pool replaces it on next use.
  pool.on('error', (err) =>
    ctx.log.warn({ connection: name, err: redact(err.message, secrets) }, 'session lost'),
  );

  // Cancelling the backend's query makes the statement fail promptly. On a session of its own: through the
  // pool it would wait behind the very sessions that are busy (every one of them, with maxConnections: 1).
  const cancel = (pid: number): void => {
    const canceller = new pg.Client({
      connectionString: config.url,
      connectionTimeoutMillis: CANCEL_TIMEOUT_MS,
      statement_timeout: CANCEL_TIMEOUT_MS,
      query_timeout: CANCEL_TIMEOUT_MS,
      application_name: 'guardrail-cancel',
    });
    canceller.on('error', () => undefined);
    void canceller
      .connect()
      .then(() => canceller.query('SELECT pg_cancel_backend($1)', [pid]))
      .catch((err: unknown) =>
        ctx.log.warn(
          { connection: name, err: redact(errorMessage(err), secrets) },
          'cancelling a query failed',
        ),
      )
      .finally(() => endClient(canceller));
  };

  const run = async (
    sql: string,
    params: unknown[],
    signal: AbortSignal,
  ): Promise<Record<string, unknown>[]> => {
    signal.throwIfAborted();
    // A session that arrives after the abort goes back to the pool unused.
    const client: PoolClient = await untilAborted(pool.connect(), signal, (late) => late.release()).catch(
      (err: unknown) => {
        throw timeoutError(err, connectMs, queryMs);
      },
    );
    let broken: Error | undefined;
    const onAbort = (): void => {
      const pid = (client as unknown as { processID?: number }).processID;
      if (pid) cancel(pid);
    };
    // A checked-out client whose socket drops between statements emits here instead of rejecting a query.
    const onError = (err: Error): void => {
      broken = err;
    };
    client.on('error', onError);
    signal.addEventListener('abort', onAbort, { once: true });
    try {
      counter.roundTrips++;
      const result = await client.query(extendedQuery(sql, params));
      return result.rows as Record<string, unknown>[];
    } catch (raw) {
      const err = timeoutError(raw, connectMs, queryMs);
      // A session whose query timed out on the client may still be running it: never reuse it.
      if (classifyPostgres(err) === 'connection') broken = err as Error;
      throw err;
    } finally {
      signal.removeEventListener('abort', onAbort);
      client.release(broken);
      client.off('error', onError);
    }
  };

  /** Ends the pool within {@link CLOSE_TIMEOUT_MS}, then destroys the sockets a silent server still holds. */
  const close = async (): Promise<void> => {
    const gone = new Promise<void>((resolve) => {
      const check = (): void => {
        if (sessions.size === 0) resolve();
      };
      pool.on('remove', check);
      check();
    });
    const ended = pool.end().catch(() => undefined);
    if (await settledWithin(Promise.all([ended, gone]), CLOSE_TIMEOUT_MS)) return;
    for (const client of sessions) client.connection.stream.destroy();
  };

  const probe = deadline(config.statementTimeout, `no answer within ${config.statementTimeout} ms`);
  try {
    await run('SELECT 1', [], probe.signal);
  } catch (err) {
    await close();
    throw err;
  } finally {
    probe.clear();
  }

  return sqlConnector({
    name,
    type: 'postgres',
    dialect: postgresDialect,
    run,
    batchSize: config.batchSize ?? POSTGRES_BATCH_SIZE,
    maxConnections: config.maxConnections,
    secrets,
    counter,
    close,
  });
}
