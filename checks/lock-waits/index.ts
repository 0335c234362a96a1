import { defineCheck } from '../../src/core/types';
import { sessionSource } from '../long-running-queries/dialect';
import { REDSHIFT_DATA_PERMISSIONS } from '../row-count-consistency';
import { blockerFinding, groupByBlocker } from './format';
import { findLockWaits } from './query';
import { LockWaitsConfig } from './schema';

/** The `lock-waits` check. */
export const lockWaits = defineCheck({
  kind: 'lock-waits',
  description:
    'Reports sessions holding locks that other sessions have waited on too long (PostgreSQL, Redshift)',
  configSchema: LockWaitsConfig,
  permissions: REDSHIFT_DATA_PERMISSIONS,
  connectionsOf: (config) => [{ name: config.connection, path: ['connection'] }],
  permissionsFor: (config, connections) =>
    connections[config.connection]?.type === 'redshift' ? REDSHIFT_DATA_PERMISSIONS : [],
  example: { connection: 'dw', minWait: '5m' },
  async run(ctx, config) {
    const source = await sessionSource(ctx, config.connection);
    const waits = await findLockWaits(source);

    const episodes = groupByBlocker(waits, ctx.now);
    const findings = episodes
      .filter((e) => e.longestWaitMs > config.minWait)
      .map((e) => blockerFinding(e, config.severity));
    const labels = { connection: config.connection };
    const longestMs = Math.max(0, ...episodes.map((e) => e.longestWaitMs));
    return {
      findings,
      measurements: [
        { name: 'lock_waiting_sessions', value: new Set(waits.map((w) => w.waiterPid)).size, labels },
        { name: 'lock_longest_wait_seconds', value: Math.round(longestMs / 1000), labels },
      ],
    };
  },
});
