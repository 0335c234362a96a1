import { cleanText, dbTime, type SessionSource } from '../../src/connectors/session-source';
import { optionalMs, optionalTime, redshiftSessions } from './redshift';
import type { SessionFacts } from './session';

/** A session waiting for a lock that another session holds. */
export interface LockWait {
  waiterPid: number;
  waiterUser: string;
  /** The statement that waits. */
  waiterSql: string;
  /**
   * How long it has waited, by the database's own clock (Redshift: since its waiting statement's start, else its
   * transaction's, the closest it records).
   */
  waitedMs: number;
  blocker: Blocker;
}

export interface Blocker extends SessionFacts {
  pid: number;
  user: string;
  database: string;
  /** Start of the blocking transaction (or session): with the pid, it names this blocking episode. */
  startedAt: Date;
}

// pg_blocking_pids() applies PostgreSQL's own conflict rules; pg_locks.waitstart needs PostgreSQL 14+. The wait
// and the blocker's time in its state are measured against the server's now(), the clock its timestamps come from.
const POSTGRES_WAITS = `
SELECT w.pid AS waiter_pid, w.usename AS waiter_user, left(w.query, 1000) AS waiter_query,
  extract(epoch FROM now() - coalesce(l.waitstart, w.query_start))::float8 * 1000 AS waited_ms,
  b.pid AS blocker_pid, b.usename AS blocker_user, b.datname AS database_name,
  coalesce(b.xact_start, b.backend_start) AS blocker_start, left(b.query, 1000) AS blocker_query,
  b.state AS blocker_state, b.state_change AS state_change,
  extract(epoch FROM now() - b.state_change)::float8 * 1000 AS state_ms,
  b.application_name, host(b.client_addr) AS client_addr, b.client_hostname, b.client_port
FROM pg_stat_activity w
JOIN pg_locks l ON l.pid = w.pid AND NOT l.granted
CROSS JOIN LATERAL unnest(pg_blocking_pids(w.pid)) AS blocking(pid)
JOIN pg_stat_activity b ON b.pid = blocking.pid`;

/**
 * Ungranted table locks paired with the other sessions' locks on the same table, granted or queued; the wait by
 * the cluster's clock (UTC, like its timestamps).
 * @see https://docs.aws.amazon.com/redshift/latest/dg/r_SVV_TRANSACTIONS.html (checked 2026-11)
 * @see https://docs.aws.amazon.com/redshift/latest/dg/r_DATEDIFF_function.html (checked 2026-12)
 */
const REDSHIFT_WAITS = `
SELECT DISTINCT w.pid AS waiter_pid, w.txn_owner AS waiter_user, w.txn_start AS waiter_start,
  datediff(ms, w.txn_start, getdate()) AS waited_ms, w.lock_mode AS waiter_mode, w.relation AS relation,
  h.pid AS blocker_pid, h.txn_owner AS blocker_user, h.txn_db AS database_name, h.txn_start AS blocker_start,
  h.lock_mode AS holder_mode, h.granted AS holder_granted
FROM svv_transactions w
JOIN svv_transactions h ON h.relation = w.relation AND h.pid <> w.pid
WHERE w.granted = false AND w.relation IS NOT NULL`;

type Row = Record<string, unknown>;
const granted = (row: Row) =>
  row.holder_granted === true || row.holder_granted === 'true' || row.holder_granted === 't';

/**
 * Each waiter paired with the sessions that hold what it waits for: a conflicting granted lock, or, for a waiter
 * that conflicts with none (queued behind another waiter, as Redshift's lock queue is first come, first served),
 * the holders that the waiter ahead of it waits for (a review: a SELECT behind a waiting ALTER went unlisted).
 */
function blockingPairs(rows: readonly Row[]): Row[] {
  const direct = rows.filter((r) => granted(r) && conflicts(r.waiter_mode, r.holder_mode));
  const blockersOf = (pid: unknown, relation: unknown, seen: Set<unknown>): Row[] => {
    const own = direct.filter((r) => r.waiter_pid === pid && r.relation === relation);
    if (own.length || seen.has(pid)) return own;
    seen.add(pid);
    const ahead = rows.filter(
      (r) =>
        r.waiter_pid === pid &&
        r.relation === relation &&
        !granted(r) &&
        conflicts(r.waiter_mode, r.holder_mode),
    );
    return ahead.flatMap((r) => blockersOf(r.blocker_pid, relation, seen));
  };
  const waiters = [
    ...new Map(rows.map((r) => [`${String(r.waiter_pid)}/${String(r.relation)}`, r])).values(),
  ];
  const pairs = waiters.flatMap((w) =>
    blockersOf(w.waiter_pid, w.relation, new Set()).map((b): Row => ({
      ...w,
      blocker_pid: b.blocker_pid,
      blocker_user: b.blocker_user,
      database_name: b.database_name,
      blocker_start: b.blocker_start,
      holder_mode: b.holder_mode,
    })),
  );
  return [...new Map(pairs.map((p) => [`${String(p.waiter_pid)}/${String(p.blocker_pid)}`, p])).values()];
}

/**
 * Redshift's three table lock modes and what each waits behind.
 * @see https://docs.aws.amazon.com/redshift/latest/dg/r_LOCK.html (checked 2026-11)
 */
const REDSHIFT_CONFLICTS: Record<string, readonly string[]> = {
  accesssharelock: ['accessexclusivelock'],
  sharerowexclusivelock: ['sharerowexclusivelock', 'accessexclusivelock'],
  accessexclusivelock: ['accesssharelock', 'sharerowexclusivelock', 'accessexclusivelock'],
};

function conflicts(waiting: unknown, held: unknown): boolean {
  const mode = (value: unknown) => cleanText(value, 64).toLowerCase();
  // An unknown mode counts as a conflict: better a named suspect than a silent wait.
  return REDSHIFT_CONFLICTS[mode(waiting)]?.includes(mode(held)) ?? true;
}

/** `host (addr:port)`, `addr:port`, `local socket` (port -1), or empty when the viewer may not see it. */
export function postgresClient(row: Record<string, unknown>): string {
  const addr = cleanText(row.client_addr, 64);
  const host = cleanText(row.client_hostname, 128);
  const port = Number(row.client_port);
  if (!addr) return port === -1 ? 'local socket' : '';
  const endpoint = Number.isInteger(port) && port > 0 ? `${addr}:${port}` : addr;
  return host ? `${host} (${endpoint})` : endpoint;
}

function postgresWait(row: Record<string, unknown>): LockWait {
  return {
    waiterPid: Number(row.waiter_pid),
    waiterUser: cleanText(row.waiter_user, 128) || 'unknown user',
    waiterSql: String(row.waiter_query ?? '').trim(),
    waitedMs: Math.max(0, Number(row.waited_ms) || 0),
    blocker: {
      pid: Number(row.blocker_pid),
      user: cleanText(row.blocker_user, 128) || 'unknown user',
      database: cleanText(row.database_name, 128),
      startedAt: dbTime(row.blocker_start),
      sql: String(row.blocker_query ?? '').trim(),
      state: cleanText(row.blocker_state, 64) || 'unknown',
      stateSince: optionalTime(row.state_change),
      stateMs: optionalMs(row.state_ms),
      application: cleanText(row.application_name, 128),
      client: postgresClient(row),
    },
  };
}

async function redshiftWaits(source: SessionSource): Promise<LockWait[]> {
  const rows = blockingPairs(await source.query(REDSHIFT_WAITS));
  const starts = rows.flatMap((row) => [dbTime(row.waiter_start), dbTime(row.blocker_start)]);
  const pids = rows.flatMap((row) => [Number(row.waiter_pid), Number(row.blocker_pid)]);
  const facts = await redshiftSessions(source, pids, starts);
  const unknown: SessionFacts = { sql: '', state: 'unknown', application: '', client: '' };
  return rows.map((row) => {
    const waiter = facts.get(Number(row.waiter_pid)) ?? unknown;
    const blocker = facts.get(Number(row.blocker_pid)) ?? unknown;
    // SVV_TRANSACTIONS knows when the waiter's transaction began, not when it asked for the lock: a long ETL
    // transaction would read as waiting since its start. Its running statement's time bounds the wait (a review).
    const inTransactionMs = Math.max(0, Number(row.waited_ms) || 0);
    const waitedMs =
      waiter.state === 'active' && waiter.stateMs !== undefined
        ? Math.min(inTransactionMs, waiter.stateMs)
        : inTransactionMs;
    return {
      waiterPid: Number(row.waiter_pid),
      waiterUser: cleanText(row.waiter_user, 128) || 'unknown user',
      waiterSql: waiter.sql,
      waitedMs,
      blocker: {
        ...blocker,
        pid: Number(row.blocker_pid),
        user: cleanText(row.blocker_user, 128) || 'unknown user',
        database: cleanText(row.database_name, 128),
        startedAt: dbTime(row.blocker_start),
      },
    };
  });
}

/** Every (waiting session, blocking session) pair now. */
export async function findLockWaits(source: SessionSource): Promise<LockWait[]> {
  if (source.dialect === 'redshift') return redshiftWaits(source);
  return (await source.query(POSTGRES_WAITS)).map(postgresWait);
}
