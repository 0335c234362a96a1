import { cleanText, dbTime, type SessionSource } from '../../src/connectors/session-source';

/** A statement that is running now, in either dialect. */
export interface RunningQuery {
  /** pg backend pid, or Redshift query id. */
  id: number;
  pid: number;
  user: string;
  database: string;
  startedAt: Date;
  /** How long it has run, by the database's own clock (the agent's may be off). */
  runningMs: number;
  sql: string;
  /** It waits for a lock another session holds: lock-waits reports it, in the blocker's finding. */
  waitingForLock: boolean;
}

// The agent's own session is left out; only client backends run user queries (not autovacuum, walsender).
// The running time comes from the server's now(): query_start is on its clock, not the agent's. A session that
// pg_blocking_pids() names blockers for waits on a lock (PostgreSQL's own conflict rules).
const POSTGRES_RUNNING = `
SELECT pid, pid AS id, usename AS user_name, datname AS database_name, query_start AS started,
  extract(epoch FROM now() - query_start)::float8 * 1000 AS running_ms, left(query, 1000) AS query_text,
  CASE WHEN cardinality(pg_blocking_pids(pid)) > 0 THEN 1 ELSE 0 END AS lock_waiting
FROM pg_stat_activity
WHERE state = 'active' AND backend_type = 'client backend' AND pid <> pg_backend_pid()`;

/**
 * A session with an ungranted lock in SVV_TRANSACTIONS waits for one another session holds.
 * SYS_QUERY_HISTORY holds running and finished queries on serverless and provisioned alike (STV_RECENTS exists
 * only on provisioned clusters, and its docs recommend the SYS view). Its times are UTC, like GETDATE().
 * @see https://docs.aws.amazon.com/redshift/latest/dg/SYS_QUERY_HISTORY.html (checked 2026-11)
 * @see https://docs.aws.amazon.com/redshift/latest/dg/r_DATEDIFF_function.html (checked 2026-12)
 * @see https://docs.aws.amazon.com/redshift/latest/dg/r_SVV_TRANSACTIONS.html (checked 2026-12)
 */
const REDSHIFT_RUNNING = `
SELECT q.session_id AS pid, q.query_id AS id, u.usename AS user_name, q.database_name, q.start_time AS started,
  datediff(ms, q.start_time, getdate()) AS running_ms, q.query_text,
  CASE WHEN EXISTS (SELECT 1 FROM svv_transactions t WHERE t.pid = q.session_id AND t.granted = false)
    THEN 1 ELSE 0 END AS lock_waiting
FROM sys_query_history q LEFT JOIN pg_user u ON u.usesysid = q.user_id
WHERE TRIM(q.status) = 'running' AND q.session_id <> pg_backend_pid()`;

/** Every query running now (the threshold is applied by the caller, so the longest can be measured). */
export async function runningQueries(source: SessionSource): Promise<RunningQuery[]> {
  const rows = await source.query(source.dialect === 'postgres' ? POSTGRES_RUNNING : REDSHIFT_RUNNING);
  return rows.map((row) => ({
    id: Number(row.id),
    pid: Number(row.pid),
    user: cleanText(row.user_name, 128) || 'unknown user',
    database: cleanText(row.database_name, 128),
    startedAt: dbTime(row.started),
    runningMs: Math.max(0, Number(row.running_ms) || 0),
    sql: String(row.query_text ?? '').trim(),
    // 1 or 0 rather than a boolean: the Data API and pg both return an integer as a number.
    waitingForLock: Number(row.lock_waiting) === 1,
  }));
}
