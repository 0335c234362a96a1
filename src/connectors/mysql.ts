import type { Socket } from 'node:net';
import type { Pool, PoolConnection } from 'mysql2/promise';
import type { MysqlConnection } from './config';
import type { Connector } from './types';
import { sqlConnector } from './sql-connector';
import { isSocketError, urlSecrets, type FailureKind } from './errors';
import { SessionCounter, type OpenContext } from './open-context';
import {
  CANCEL_TIMEOUT_MS,
  clientTimeoutMs,
  CLOSE_TIMEOUT_MS,
  connectTimeoutMs,
  deadline,
  settledWithin,
  untilAborted,
} from './bounds';
import { quoteWith, type SqlDialect } from './sql-dialect';
import { requireExternal } from '../core/externals';

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

/** The socket under a mysql2 connection (core or promise wrapper); destroying it ends every wait on it. */
function destroySocket(conn: object): void {
  const core = (conn as { connection?: object }).connection ?? conn;
  (core as { stream?: Socket }).stream?.destroy();
}

/** mysql2's own timeout errors, renamed after the wait that ran out (their code stays a lost connection). */
function timeoutError(err: unknown, connectMs: number, queryMs: number): unknown {
  const code = (err as { code?: unknown } | null)?.code;
  const wait =
    code === 'ETIMEDOUT'
      ? `${connectMs} ms (connect timeout)`
      : code === 'PROTOCOL_SEQUENCE_TIMEOUT'
        ? `${queryMs} ms (query timeout)`
        : undefined;
  return wait ? Object.assign(new Error(`no answer within ${wait}`), { code }) : err;
}

/** Opens a bounded mysql2 pool (MySQL, Aurora MySQL, MariaDB). */
export async function openMysql(name: string, config: MysqlConnection, ctx: OpenContext): Promise<Connector> {
  const mysql = requireExternal('mysql2/promise');
  const secrets = urlSecrets(config.url);
  const counter = new SessionCounter();
  const connectMs = connectTimeoutMs(config.statementTimeout);
  // Client-side, for a server that stops answering: the server's statement timeout fires first otherwise.
  const queryMs = clientTimeoutMs(config.statementTimeout);
  const pool: Pool = mysql.createPool({
    uri: config.url,
    connectionLimit: config.maxConnections,
    supportBigNumbers: true,
    dateStrings: false,
    timezone: 'Z',
    connectTimeout: connectMs,
    // Without CLIENT_MULTI_STATEMENTS the server parses one statement per query: a `where` cannot append
    // `; INSERT ...` (mysql2's default too, pinned here because read-only depends on it).
    multipleStatements: false,
  });
  const ready = new WeakSet<object>();
  const sessions = new Set<object>();
  let emptied = (): void => undefined;
  pool.pool.on('connection', (conn) => {
    counter.opened();
    sessions.add(conn);
    (conn as unknown as { stream: Socket }).stream.once('close', () => {
      sessions.delete(conn);
      if (sessions.size === 0) emptied();
    });
  });

  // On a session of its own: every pooled one may be busy.
  const kill = (threadId: number): void =>
    void mysql
      .createConnection({ uri: config.url, connectTimeout: CANCEL_TIMEOUT_MS })
      .then((killer) =>
        killer
          .query({ sql: `KILL QUERY ${Number(threadId)}`, timeout: CANCEL_TIMEOUT_MS })
          .finally(async () => {
            if (!(await settledWithin(killer.end(), CLOSE_TIMEOUT_MS))) destroySocket(killer);
          }),
      )
      .catch(() => undefined);

  const run = async (
    sql: string,
    params: unknown[],
    signal: AbortSignal,
  ): Promise<Record<string, unknown>[]> => {
    signal.throwIfAborted();
    // A session that arrives after the abort goes back to the pool unused.
    const conn: PoolConnection = await untilAborted(pool.getConnection(), signal, (late) =>
      late.release(),
    ).catch((err: unknown) => {
      throw timeoutError(err, connectMs, queryMs);
    });
    let broken = false;
    const threadId = conn.threadId;
    const onAbort = (): void => kill(threadId);
    signal.addEventListener('abort', onAbort, { once: true });
    try {
      if (!ready.has(conn.connection)) {
        // mysql2 keeps the server version from the handshake only here; SELECT VERSION() would cost a round trip.
        const handshake = (conn.connection as unknown as { _handshakePacket?: { serverVersion?: string } })
          ._handshakePacket;
        const version = String(handshake?.serverVersion ?? '');
        for (const statement of sessionStatements(version, config.statementTimeout)) {
          counter.roundTrips++;
          await conn.query({ sql: statement, timeout: queryMs });
        }
        ready.add(conn.connection);
      }
      counter.roundTrips++;
      const [rows] = await conn.query({ sql, timeout: queryMs }, params);
      return rows as Record<string, unknown>[];
    } catch (raw) {
      const err = timeoutError(raw, connectMs, queryMs);
      // A session whose query timed out on the client may still be running it: never reuse it.
      broken = classifyMysql(err) === 'connection';
      throw err;
    } finally {
      signal.removeEventListener('abort', onAbort);
      if (broken) {
        conn.destroy();
        destroySocket(conn);
        counter.closed();
      } else conn.release();
    }
  };

  /** Ends the pool within {@link CLOSE_TIMEOUT_MS}, then destroys the sockets a silent server still holds. */
  const close = async (): Promise<void> => {
    const gone = new Promise<void>((resolve) => {
      emptied = resolve;
      if (sessions.size === 0) resolve();
    });
    const ended = pool.end().catch(() => undefined);
    if (await settledWithin(Promise.all([ended, gone]), CLOSE_TIMEOUT_MS)) return;
    for (const conn of sessions) destroySocket(conn);
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
    close,
    temporalTypes: MYSQL_TEMPORAL_TYPES,
  });
}

/** MySQL's and MariaDB's date and time types (information_schema.columns.data_type). */
const MYSQL_TEMPORAL_TYPES: ReadonlySet<string> = new Set(['date', 'datetime', 'timestamp']);
