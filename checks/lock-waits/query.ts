import { cleanText, dbTime, sqlTimestamp, type SessionSource } from '../../src/connectors/session-source';

/** A session waiting for a lock that another session holds. */
export interface LockWait {
  waiterPid: number;
  /**
   * How long it has waited, by the database's own clock (Redshift: since the waiting transaction's start, the
   * closest it records).
   */
  waitedMs: number;
  blocker: Blocker;
}

export interface Blocker {
  pid: number;
  user: string;
  database: string;
  /** Start of the blocking transaction (or session): with the pid, it names this blocking episode. */
  startedAt: Date;
  /** The blocker's current or last statement. */
  sql: string;
}

// pg_blocking_pids() applies PostgreSQL's own conflict rules; pg_locks.waitstart needs PostgreSQL 14+. The wait
// is measured against the server's now(), the clock its timestamps come from.
const POSTGRES_WAITS = `
SELECT w.pid AS waiter_pid,
  extract(epoch FROM now() - coalesce(l.waitstart, w.query_start))::float8 * 1000 AS waited_ms,
  b.pid AS blocker_pid, b.usename AS blocker_user, b.datname AS database_name,
  coalesce(b.xact_start, b.backend_start) AS blocker_start, left(b.query, 1000) AS blocker_query
FROM pg_stat_activity w
JOIN pg_locks l ON l.pid = w.pid AND NOT l.granted
CROSS JOIN LATERAL unnest(pg_blocking_pids(w.pid)) AS blocking(pid)
JOIN pg_stat_activity b ON b.pid = blocking.pid`;

/**
 * Ungranted table locks paired with granted ones on the same table; the wait by the cluster's clock (UTC, like
 * its timestamps).
 * @see https://docs.aws.amazon.com/redshift/latest/dg/r_SVV_TRANSACTIONS.html (checked 2026-11)
 * @see https://docs.aws.amazon.com/redshift/latest/dg/r_DATEDIFF_function.html (checked 2026-12)
 */
const REDSHIFT_WAITS = `
SELECT DISTINCT w.pid AS waiter_pid, datediff(ms, w.txn_start, getdate()) AS waited_ms, w.lock_mode AS waiter_mode,
  h.pid AS blocker_pid, h.txn_owner AS blocker_user, h.txn_db AS database_name, h.txn_start AS blocker_start,
  h.lock_mode AS holder_mode
FROM svv_transactions w
JOIN svv_transactions h ON h.relation = w.relation AND h.granted = true AND h.pid <> w.pid
WHERE w.granted = false AND w.relation IS NOT NULL`;

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

/** The blockers' latest statements, from Redshift's query history. */
async function redshiftStatements(source: SessionSource, blockers: Blocker[]): Promise<Map<number, string>> {
  const pids = [...new Set(blockers.map((b) => b.pid))].filter(Number.isInteger);
  if (pids.length === 0) return new Map();
  const since = new Date(Math.min(...blockers.map((b) => b.startedAt.getTime())));
  const rows = await source.query(
    `SELECT session_id, query_text, start_time FROM sys_query_history
WHERE session_id IN (${pids.join(', ')}) AND start_time >= ${sqlTimestamp(since)} ORDER BY start_time`,
  );
  // Ordered by start: the last statement of each session wins.
  return new Map(rows.map((r) => [Number(r.session_id), String(r.query_text ?? '').trim()]));
}

/** Every (waiting session, blocking session) pair now. */
export async function findLockWaits(source: SessionSource): Promise<LockWait[]> {
  const postgres = source.dialect === 'postgres';
  const rows = (await source.query(postgres ? POSTGRES_WAITS : REDSHIFT_WAITS)).filter(
    (row) => postgres || conflicts(row.waiter_mode, row.holder_mode),
  );
  const waits = rows.map((row) => ({
    waiterPid: Number(row.waiter_pid),
    waitedMs: Math.max(0, Number(row.waited_ms) || 0),
    blocker: {
      pid: Number(row.blocker_pid),
      user: cleanText(row.blocker_user, 128) || 'unknown user',
      database: cleanText(row.database_name, 128),
      startedAt: dbTime(row.blocker_start),
      sql: String(row.blocker_query ?? '').trim(),
    },
  }));
  if (!postgres) {
    const statements = await redshiftStatements(
      source,
      waits.map((w) => w.blocker),
    );
    for (const wait of waits) wait.blocker.sql = statements.get(wait.blocker.pid) ?? '';
  }
  return waits;
}
