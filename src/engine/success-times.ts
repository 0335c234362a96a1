import type { Logger } from 'pino';
import type { CheckRunResult } from '../core/types';
import { errorMessage } from '../core/redact';
import type { StateStore } from '../state/types';
import type { Metrics } from './metrics';

/** Kept beside a check's own watermarks, under names no check uses. */
export const LAST_SUCCESS = 'guardrail.last-success';
export const FIRST_RUN = 'guardrail.first-run';

/**
 * Keeps each check's last success in the state store, and gives a check that errored the series
 * `GuardrailCheckNotSucceeding` watches from there: its last success in any process sharing the store (a restarted
 * `serve`, a `run` job pushing to a Pushgateway, where a series missing from one push is dropped from the group),
 * or, when it never succeeded, the end of its first recorded run. Without it a check that never succeeded had no
 * series at all, and the rule never fired. The store failing here costs the series, never the run.
 */
export async function recordSuccessTimes(
  store: StateStore,
  metrics: Metrics,
  results: readonly CheckRunResult[],
  log: Logger,
): Promise<void> {
  for (const r of results) {
    if (r.status === 'skipped') continue;
    const finishedAt = new Date(Date.parse(r.startedAt) + r.durationMs).toISOString();
    try {
      if (r.status !== 'error') {
        await store.setWatermark(r.id, LAST_SUCCESS, finishedAt);
        continue;
      }
      let since =
        (await store.getWatermark(r.id, LAST_SUCCESS)) ?? (await store.getWatermark(r.id, FIRST_RUN));
      if (since === undefined) await store.setWatermark(r.id, FIRST_RUN, (since = finishedAt));
      metrics.recordLastSuccess(r, Date.parse(since) / 1000);
    } catch (error) {
      log.warn(
        { check: r.id, err: errorMessage(error) },
        'state store: could not keep the last success time',
      );
    }
  }
}
