import type { Finding } from '../../src/core/types';
import type { Severity } from '../../src/core/severity';
import { formatDuration } from '../../src/core/duration';
import { SQL_SUMMARY_CHARS } from '../../src/connectors/session-source';
import { sqlExcerpt } from '../../src/core/redact';
import type { RunningQuery } from './query';

/** One finding per query; the key stays the same while the query runs, and changes when a new one starts. */
export function runningQueryFinding(query: RunningQuery, severity: Severity): Finding {
  const { runningMs } = query;
  return {
    key: `${query.id}@${query.startedAt.toISOString()}`,
    severity,
    title: `Query by ${query.user} running for ${formatDuration(runningMs)} on ${query.database}`,
    summary: `Started ${query.startedAt.toISOString()} (pid ${query.pid}):\n${sqlExcerpt(query.sql, SQL_SUMMARY_CHARS)}`,
    labels: { user: query.user, database: query.database },
    metrics: { runningSeconds: Math.round(runningMs / 1000) },
    resource: { pid: query.pid, queryId: query.id, startedAt: query.startedAt.toISOString() },
  };
}
