import type { Pool, PoolClient } from 'pg';
import type { PostgresConnection } from './config';
import type { Connector } from './types';
import { sqlConnector } from './sql-connector';
import { errorMessage, isSocketError, redact, urlSecrets, type FailureKind } from './errors';
import { SessionCounter, type OpenContext } from './open-context';
import { quoteWith, type SqlDialect } from './sql-dialect';

/**
 * Tables per UNION ALL statement. Planning grows faster than the branches: counting 13,000 tables over 8
 * sessions took 1.6 s with 100 per statement, 4.7 s with 500 and 17 s with 2,000 (bench, 2 cores, 2026-11).
 */
const POSTGRES_BATCH_SIZE = 100;
/** How long the session that cancels a query may take to connect: the cancel is worth little when late. */
const CANCEL_CONNECT_TIMEOUT_MS = 5_000;

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

/** Opens a bounded pg pool whose sessions are read-only, in UTC, with a statement timeout. */
export async function openPostgres(
  name: string,
  config: PostgresConnection,
  ctx: OpenContext,
): Promise<Connector> {
  const pg = await import('pg');
  const secrets = urlSecrets(config.url);
  const counter = new SessionCounter();
  const pool: Pool = new pg.Pool({
    connectionString: config.url,
    max: config.maxConnections,
    statement_timeout: config.statementTimeout,
    application_name: 'guardrail',
    // Sent in the startup packet: no extra round trip, and no session can write.
    options: '-c default_transaction_read_only=on -c TimeZone=UTC',
  });
  pool.on('connect', () => counter.opened());
  pool.on('remove', () => counter.closed());
  // An idle session killed by the server emits here; the pool replaces it on next use.
  pool.on('error', (err) =>
    ctx.log.warn({ connection: name, err: redact(err.message, secrets) }, 'session lost'),
  );

  const run = async (
    sql: string,
    params: unknown[],
    signal: AbortSignal,
  ): Promise<Record<string, unknown>[]> => {
    signal.throwIfAborted();
    const client: PoolClient = await pool.connect();
    let broken: Error | undefined;
    // Cancelling the backend's query makes the statement fail promptly. On a session of its own: through the
    // pool it would wait behind the very sessions that are busy (every one of them, with maxConnections: 1).
    const onAbort = (): void => {
      const pid = (client as unknown as { processID?: number }).processID;
      if (!pid) return;
      const canceller = new pg.Client({
        connectionString: config.url,
        connectionTimeoutMillis: CANCEL_CONNECT_TIMEOUT_MS,
        statement_timeout: CANCEL_CONNECT_TIMEOUT_MS,
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
        .finally(() => void canceller.end().catch(() => undefined));
    };
    // A checked-out client whose socket drops between statements emits here instead of rejecting a query.
    const onError = (err: Error): void => {
      broken = err;
    };
    client.on('error', onError);
    signal.addEventListener('abort', onAbort, { once: true });
    try {
      counter.roundTrips++;
      const result = await client.query(sql, params);
      return result.rows as Record<string, unknown>[];
    } catch (err) {
      if (classifyPostgres(err) === 'connection') broken = err as Error;
      throw err;
    } finally {
      signal.removeEventListener('abort', onAbort);
      client.release(broken);
      client.off('error', onError);
    }
  };

  try {
    await run('SELECT 1', [], AbortSignal.timeout(config.statementTimeout));
  } catch (err) {
    await pool.end().catch(() => undefined);
    throw err;
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
    close: () => pool.end(),
  });
}
