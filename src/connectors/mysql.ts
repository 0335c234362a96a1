import type { Pool, PoolConnection } from 'mysql2/promise';
import type { MysqlConnection } from './config';
import type { Connector } from './types';
import { sqlConnector } from './sql-connector';
import { isSocketError, urlSecrets, type FailureKind } from './errors';
import { SessionCounter, type OpenContext } from './open-context';
import { quoteWith, type SqlDialect } from './sql-dialect';

/** Tables per UNION ALL statement. */
const MYSQL_BATCH_SIZE = 500;

/** Server error numbers, see https://mariadb.com/kb/en/mariadb-error-codes/ (checked 2026-11). */
const MISSING_TABLE = new Set([1146, 1049]); // ER_NO_SUCH_TABLE, ER_BAD_DB_ERROR
const MISSING_COLUMN = new Set([1054]); // ER_BAD_FIELD_ERROR
const CONNECTION_GONE = new Set([1927, 2006, 2013, 1053]); // killed, gone away, lost, shutdown

export function classifyMysql(err: unknown): FailureKind {
  const errno = (err as { errno?: unknown } | null)?.errno;
  if (typeof errno === 'number') {
    if (MISSING_TABLE.has(errno)) return 'missing-table';
    if (MISSING_COLUMN.has(errno)) return 'missing-column';
    if (CONNECTION_GONE.has(errno)) return 'connection';
  }
  return isSocketError(err) ? 'connection' : 'query-failed';
}

export const mysqlDialect: SqlDialect = {
  quote: quoteWith('`'),
  timestamp: (at) => `TIMESTAMP'${at.toISOString().replace('T', ' ').replace('Z', '')}'`,
  epochSeconds: (expr) => `UNIX_TIMESTAMP(${expr}) + 0e0`,
  nullNumber: 'NULL',
  classify: classifyMysql,
};

/** Session settings: read-only, UTC, and the server's statement timeout (MariaDB and MySQL name it apart). */
export function sessionStatements(serverVersion: string, timeoutMs: number): string[] {
  const timeout = /mariadb/i.test(serverVersion)
    ? `max_statement_time = ${timeoutMs / 1000}`
    : `max_execution_time = ${Math.round(timeoutMs)}`;
  return ['SET SESSION TRANSACTION READ ONLY', `SET SESSION time_zone = '+00:00', SESSION ${timeout}`];
}

/** Opens a bounded mysql2 pool (MySQL, Aurora MySQL, MariaDB). */
export async function openMysql(name: string, config: MysqlConnection, ctx: OpenContext): Promise<Connector> {
  const mysql = await import('mysql2/promise');
  const secrets = urlSecrets(config.url);
  const counter = new SessionCounter();
  const pool: Pool = mysql.createPool({
    uri: config.url,
    connectionLimit: config.maxConnections,
    supportBigNumbers: true,
    dateStrings: false,
    timezone: 'Z',
    connectTimeout: Math.min(config.statementTimeout, 30_000),
  });
  const ready = new WeakSet<object>();
  pool.pool.on('connection', () => counter.opened());

  const run = async (
    sql: string,
    params: unknown[],
    signal: AbortSignal,
  ): Promise<Record<string, unknown>[]> => {
    signal.throwIfAborted();
    const conn: PoolConnection = await pool.getConnection();
    let broken = false;
    const threadId = conn.threadId;
    // On a session of its own: every pooled one may be busy.
    const onAbort = (): void =>
      void mysql
        .createConnection(config.url)
        .then((killer) => killer.query(`KILL QUERY ${Number(threadId)}`).finally(() => killer.end()))
        .catch(() => undefined);
    signal.addEventListener('abort', onAbort, { once: true });
    try {
      if (!ready.has(conn.connection)) {
        // mysql2 keeps the server version from the handshake only here; SELECT VERSION() would cost a round trip.
        const handshake = (conn.connection as unknown as { _handshakePacket?: { serverVersion?: string } })
          ._handshakePacket;
        const version = String(handshake?.serverVersion ?? '');
        for (const statement of sessionStatements(version, config.statementTimeout)) {
          counter.roundTrips++;
          await conn.query(statement);
        }
        ready.add(conn.connection);
      }
      counter.roundTrips++;
      const [rows] = await conn.query(sql, params);
      return rows as Record<string, unknown>[];
    } catch (err) {
      broken = classifyMysql(err) === 'connection';
      throw err;
    } finally {
      signal.removeEventListener('abort', onAbort);
      if (broken) {
        conn.destroy();
        counter.closed();
      } else conn.release();
    }
  };

  try {
    await run('SELECT 1', [], AbortSignal.timeout(config.statementTimeout));
  } catch (err) {
    await pool.end().catch(() => undefined);
    throw err;
  }
  ctx.log.debug({ connection: name }, 'mysql pool open');

  return sqlConnector({
    name,
    type: 'mysql',
    dialect: mysqlDialect,
    run,
    batchSize: config.batchSize ?? MYSQL_BATCH_SIZE,
    maxConnections: config.maxConnections,
    secrets,
    counter,
    close: () => pool.end(),
  });
}
