import { processResults, type PipelineConfig } from '../../alerts/pipeline';
import type { CheckRunResult } from '../../src/core/types';
import type { StateStore } from '../../src/state/types';

/** What the racing tests run: one check reporting one new event finding, announced on the console. */
export const ANNOUNCE_CONFIG: PipelineConfig = {
  routes: [{ channel: 'console' }],
  silences: [],
  repeatInterval: 3_600_000,
  sendResolved: true,
};
export const RACE_CHECK = 'bq-cost';
export const RACE_AT = new Date('2026-11-21T00:00:00Z');

export function newJob(key: string): CheckRunResult {
  return {
    id: RACE_CHECK,
    kind: 'bigquery-cost',
    status: 'firing',
    startedAt: RACE_AT.toISOString(),
    durationMs: 1,
    findings: [{ key, severity: 'warning', title: `${key} scanned 2 TB`, lifecycle: 'event' }],
    measurements: [],
  };
}

/** Runs the pipeline for round `round`'s finding; resolves the number of messages it enqueued. */
export async function announce(store: StateStore, round: number): Promise<number> {
  const out = await processResults([newJob(`job-${round}`)], ANNOUNCE_CONFIG, store, RACE_AT, false);
  return out.notifications.length;
}

/** Keys of the items of every message enqueued, sorted: one per round when each was announced once. */
export async function announcedKeys(store: StateStore): Promise<string[]> {
  const pending = await store.pendingOutbox(new Date('2100-01-01T00:00:00Z'), 100_000);
  return pending
    .flatMap((record) => (record.payload as { items: { key: string }[] }).items.map((item) => item.key))
    .sort();
}

export const roundKeys = (rounds: number) =>
  Array.from({ length: rounds }, (_, round) => `job-${round}`).sort();
