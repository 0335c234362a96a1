/** When each process's last run of each check finished, and its last run that measured (src/engine/metrics.ts). */
export const LAST_RUN_METRIC = 'guardrail_last_run_timestamp_seconds';
export const LAST_MEASURED_METRIC = 'guardrail_last_measured_timestamp_seconds';

/**
 * The series of `selector`, a gauge of a check's last run (its findings), kept only from the process that ran that
 * check last.
 *
 * Each `serve` replica sharing a state store runs a check on the ticks it wins and exports its own last run: summed
 * over replicas one sweep counts once per replica, and the replica that ran longest ago shows stale values. One
 * process passes every series through unchanged. `topk`, not `== max`: a tie would keep both replicas.
 *
 * The result is an `and` expression: aggregate it, or parenthesise it before arithmetic or a comparison.
 */
export function latestRun(selector: string): string {
  return latestBy(selector, LAST_RUN_METRIC);
}

/**
 * The series of `selector`, a gauge a check measures (row counts, idle costs), kept only from the process whose
 * last measuring run of that check is the latest: a run that failed outright measures nothing and keeps its
 * process's older values, so the last run alone would pick them (or none) over another replica's fresh sweep.
 */
export function latestMeasured(selector: string): string {
  return latestBy(selector, LAST_MEASURED_METRIC);
}

function latestBy(selector: string, basis: string): string {
  return `${selector} and on (check, job, instance) topk by (check) (1, ${basis})`;
}
