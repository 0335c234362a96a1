import type { MeasurementDeclaration } from '../../src/core/types';
import { defineCheck } from '../types';
import { sessionSource } from '../../src/connectors/session-source';
import { blockerFinding, groupByBlocker } from './format';
import { findLockWaits } from './query';
import { LockWaitsConfig } from './schema';

const LOCK_WAITS_MEASUREMENTS: readonly MeasurementDeclaration[] = [
  {
    name: 'lock_waiting_sessions',
    help: 'Sessions waiting for a lock another session holds.',
    labels: ['connection'],
    type: 'gauge',
  },
  {
    name: 'lock_longest_wait_seconds',
    help: 'The longest current lock wait.',
    labels: ['connection'],
    type: 'gauge',
  },
];

/** The `lock-waits` check. */
export const lockWaits = defineCheck({
  kind: 'lock-waits',
  description:
    'Reports sessions holding locks that other sessions have waited on too long (PostgreSQL, Redshift)',
  configSchema: LockWaitsConfig,
  permissions: [],
  measurements: LOCK_WAITS_MEASUREMENTS,
  connectionsOf: (config) => [{ name: config.connection, path: ['connection'] }],
  example: { connection: 'dw', minWait: '5m' },
  async run(ctx, config) {
    const source = await sessionSource(ctx, config.connection);
    const waits = await findLockWaits(source);

    const episodes = groupByBlocker(waits);
    const findings = episodes
      .filter((e) => e.longestWaitMs > config.minWait)
      .map((e) => blockerFinding(e, config.severity, source.dialect));
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
