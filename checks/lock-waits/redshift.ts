import { cleanText, dbTime, sqlTimestamp, type SessionSource } from '../../src/connectors/session-source';
import type { SessionFacts } from './session';

/**
 * A session's latest statement, and what it implies: one still planning, queued, running or returning makes the
 * session `active` since its start; otherwise the session, holding locks in an open transaction, is idle in it since
 * the statement ended (a failed or cancelled one leaves the transaction aborted). Times are UTC, like GETDATE().
 * @see https://docs.aws.amazon.com/redshift/latest/dg/SYS_QUERY_HISTORY.html (checked 2026-12)
 */
const ACTIVE_STATUSES: readonly string[] = ['planning', 'queued', 'running', 'returning'];
const STATE_CHANGE = `CASE WHEN TRIM(status) IN (${ACTIVE_STATUSES.map((s) => `'${s}'`).join(', ')}) THEN start_time
  ELSE coalesce(end_time, start_time) END`;

function statementsSql(pids: number[], since: Date): string {
  return `SELECT session_id, query_text, TRIM(status) AS status, start_time, ${STATE_CHANGE} AS state_change,
  datediff(ms, ${STATE_CHANGE}, getdate()) AS state_ms
FROM sys_query_history
WHERE session_id IN (${pids.join(', ')}) AND start_time >= ${sqlTimestamp(since)} ORDER BY start_time`;
}

/**
 * Connection events of these sessions, oldest first: `initiating session` carries the client, `set
 * application_name` the new name. Visible to superusers only; others see no rows.
 * @see https://docs.aws.amazon.com/redshift/latest/dg/SYS_CONNECTION_LOG.html (checked 2026-12)
 */
function connectionsSql(pids: number[]): string {
  return `SELECT session_id, TRIM(event) AS event, remote_host, remote_port, application_name, record_time
FROM sys_connection_log WHERE session_id IN (${pids.join(', ')}) ORDER BY record_time`;
}

/** A nullable time or duration column: undefined when the database does not know it. */
export const optionalTime = (value: unknown) =>
  value === null || value === undefined ? undefined : dbTime(value);
export const optionalMs = (value: unknown) =>
  value === null || value === undefined || value === '' ? undefined : Math.max(0, Number(value) || 0);

function stateOf(status: string): string {
  if (ACTIVE_STATUSES.includes(status)) return 'active';
  if (status === 'failed' || status === 'canceled') return 'idle in transaction (aborted)';
  return 'idle in transaction';
}

/** Last statement, state, application and client of each session, from Redshift's query and connection logs. */
export async function redshiftSessions(
  source: SessionSource,
  pidList: number[],
  starts: Date[],
): Promise<Map<number, SessionFacts>> {
  const pids = [...new Set(pidList)].filter(Number.isInteger);
  const facts = new Map<number, SessionFacts>();
  if (pids.length === 0) return facts;
  const since = new Date(Math.min(...starts.map((d) => d.getTime())));
  const [statements, connections] = await Promise.all([
    source.query(statementsSql(pids, since)),
    source.query(connectionsSql(pids)),
  ]);
  const factsOf = (pid: number): SessionFacts => {
    const known = facts.get(pid) ?? { sql: '', state: 'unknown', application: '', client: '' };
    facts.set(pid, known);
    return known;
  };
  // Oldest first, so the last statement of each session wins. Sorted here: the Data API statement is wrapped in
  // an outer SELECT (read-only guard), and Redshift does not promise to keep an inner ORDER BY through it.
  for (const row of byTime(statements, 'start_time')) {
    const status = cleanText(row.status, 32).toLowerCase();
    Object.assign(factsOf(Number(row.session_id)), {
      sql: String(row.query_text ?? '').trim(),
      state: stateOf(status),
      stateSince: optionalTime(row.state_change),
      stateMs: optionalMs(row.state_ms),
    });
  }
  for (const row of byTime(connections, 'record_time')) {
    const session = factsOf(Number(row.session_id));
    // A reused pid: only what was logged since the latest session began describes the live one.
    if (cleanText(row.event, 64) === 'initiating session')
      Object.assign(session, { application: '', client: '' });
    const host = cleanText(row.remote_host, 64);
    const port = cleanText(row.remote_port, 32);
    if (host) session.client = port ? `${host}:${port}` : host;
    const application = cleanText(row.application_name, 128);
    if (application) session.application = application;
  }
  return facts;
}

function byTime(rows: Record<string, unknown>[], column: string): Record<string, unknown>[] {
  const at = (row: Record<string, unknown>) => optionalTime(row[column])?.getTime() ?? 0;
  return [...rows].sort((a, b) => at(a) - at(b));
}
