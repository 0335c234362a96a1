import type { MeasurementDeclaration } from '../../src/core/types';
import { defineCheck } from '../types';
import { sessionSource } from '../../src/connectors/session-source';
import { runningQueryFinding } from './format';
import { runningQueries } from './query';
import { LongRunningQueriesConfig } from './schema';

const LONG_RUNNING_MEASUREMENTS: readonly MeasurementDeclaration[] = [
  {
    name: 'long_running_queries',
    help: 'Queries running longer than the threshold.',
    labels: ['connection'],
    type: 'gauge',
  },
  {
    name: 'longest_query_seconds',
    help: 'How long the longest running query has run.',
    labels: ['connection'],
    type: 'gauge',
  },
  {
    name: 'long_running_lock_waiters',
    help: 'Queries past the threshold left out because they wait for a lock; lock-waits reports them.',
    labels: ['connection'],
    type: 'gauge',
  },
];

/** The `long-running-queries` check. */
export const longRunningQueries = defineCheck({
  kind: 'long-running-queries',
  description: 'Reports queries running longer than a threshold on PostgreSQL or Redshift',
  configSchema: LongRunningQueriesConfig,
  permissions: [],
  measurements: LONG_RUNNING_MEASUREMENTS,
  connectionsOf: (config) => [{ name: config.connection, path: ['connection'] }],
  example: { connection: 'dw', threshold: '1h', exclude: { users: ['etl_loader'] } },
  async run(ctx, config) {
    const source = await sessionSource(ctx, config.connection);
    const excluded = new Set(config.exclude?.users ?? []);
    const queries = (await runningQueries(source)).filter((q) => !excluded.has(q.user));
    // A session waiting on a lock is not running: lock-waits pages once, for its blocker, and lists it there.
    const lockWaiters = queries.filter((q) => q.waitingForLock && q.runningMs > config.threshold);
    const running = queries.filter((q) => !q.waitingForLock).sort((a, b) => b.runningMs - a.runningMs);
    const findings = running
      .filter((q) => q.runningMs > config.threshold)
      .map((q) => runningQueryFinding(q, config.severity));
    const longestMs = running[0]?.runningMs ?? 0;
    const labels = { connection: config.connection };
    return {
      findings,
      measurements: [
        { name: 'long_running_queries', value: findings.length, labels },
        { name: 'longest_query_seconds', value: Math.round(longestMs / 1000), labels },
        { name: 'long_running_lock_waiters', value: lockWaiters.length, labels },
      ],
    };
  },
});
