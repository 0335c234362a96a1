import type { CountResult } from '../../src/connectors/types';
import type { CountWindow } from '../../src/connectors/types';
import type { Finding, Measurement } from '../../src/core/types';
import { formatDuration } from '../../src/core/duration';
import { allowedDiff, breaches, type PairPlan } from './plan';
import { formatNumber, formatPercent } from '../../src/core/text';

function utc(at: Date): string {
  return at.toISOString().slice(0, 16).replace('T', ' ');
}

/** `rows with updated_at in [2026-11-22 10:00, 11:00) UTC` or `whole table`. */
export function describeWindow(window: CountWindow | undefined): string {
  if (!window) return 'whole table';
  const from = utc(window.from);
  const to = utc(window.to);
  const toText = from.slice(0, 10) === to.slice(0, 10) ? to.slice(11) : to;
  return `rows with ${window.column} in [${from}, ${toText}) UTC`;
}

function rows(n: number): string {
  return `${formatNumber(n)} ${n === 1 ? 'row' : 'rows'}`;
}

/** What each side's count is, when a connector could only estimate it (e.g. BigQuery's streaming buffer). */
export interface CountEstimates {
  source?: string;
  target?: string;
}

function estimateNote(estimates: CountEstimates): string {
  const parts = (['source', 'target'] as const).flatMap((side) =>
    estimates[side] ? [`${side} count is an ${estimates[side]}`] : [],
  );
  return parts.length ? ` Not exact: ${parts.join('; ')}.` : '';
}

export function driftFinding(
  plan: PairPlan,
  sourceRows: number,
  targetRows: number,
  estimates: CountEstimates = {},
): Finding | undefined {
  if (!breaches(plan.tolerance, sourceRows, targetRows)) return undefined;
  const diff = sourceRows - targetRows;
  const ratio = sourceRows === 0 ? 1 : Math.abs(diff) / sourceRows;
  const direction = diff > 0 ? 'fewer' : 'more';
  const allowed = allowedDiff(plan.tolerance, sourceRows);
  return {
    key: plan.label,
    severity: 'critical',
    title:
      `${plan.label}: target has ${formatNumber(Math.abs(diff))} ${direction} ${Math.abs(diff) === 1 ? 'row' : 'rows'} than source ` +
      `(source ${formatNumber(sourceRows)}, target ${formatNumber(targetRows)}, ${formatPercent(ratio)}; ` +
      `${describeWindow(plan.window)})`,
    summary:
      `${plan.pair.source} → ${plan.pair.target}: ${rows(Math.floor(allowed))} of difference tolerated.` +
      estimateNote(estimates) +
      ` ${NEXT_STEP[direction]}`,
    resource: { source: plan.pair.source, target: plan.pair.target },
    labels: { table: plan.label },
    metrics: { sourceRows, targetRows, diffRows: diff, diffRatio: ratio, allowedRows: allowed },
  };
}

/** What the person paged does next (a trial's drift card said what was wrong, and nothing of what to do). */
const NEXT_STEP = {
  fewer:
    'Next: if it holds on the next runs, it is loss, not lag: compare the keys of both sides over the same rows ' +
    "to find the missing ones, and look at the CDC task's errors and table statistics for this table.",
  more:
    'Next: the target holds rows the source does not: deletes that were not replicated, or a batch loaded twice ' +
    '(a replayed CDC batch); look for duplicate keys in the target.',
} as const;

const ERROR_WORDS: Record<string, string> = {
  'missing-table': 'table missing',
  'missing-column': 'column missing',
  'query-failed': 'count failed',
  'over-budget': 'count skipped: over the byte budget',
  aborted: 'count cancelled',
  unreachable: 'not counted: the connection stopped answering',
  'not-a-timestamp': 'read as text, not as a timestamp',
};

/** `shop.orders: count failed on target (raw.orders)`: what could not be counted, for a finding or the run's errors. */
export function countErrorTitle(plan: PairPlan, side: 'source' | 'target', result: CountResult): string {
  const code = result.error?.code ?? 'query-failed';
  if (code === 'missing-table') return `${plan.label}: ${missingTableText(plan.pair[side], side, result)}`;
  return `${plan.label}: ${ERROR_WORDS[code] ?? code} on ${side} (${plan.pair[side]})`;
}

/** `table shop_raw.orderz not found on target; did you mean shop_raw.orders?`: one line, whatever the driver said. */
function missingTableText(table: string, side: 'source' | 'target', result: CountResult): string {
  const suggestions = result.error?.suggestions ?? [];
  const hint = suggestions.length ? `; did you mean ${suggestions.join(' or ')}?` : '';
  return `table ${table} not found on ${side}${hint}`;
}

/** The line a count error adds to the run's errors: the title, and the driver's message unless it says no more. */
export function countErrorLine(plan: PairPlan, side: 'source' | 'target', result: CountResult): string {
  const title = countErrorTitle(plan, side, result);
  return result.error?.code === 'missing-table' ? title : `${title}: ${result.error?.message}`;
}

export function errorFinding(plan: PairPlan, side: 'source' | 'target', result: CountResult): Finding {
  const code = result.error?.code ?? 'query-failed';
  const structural = code === 'missing-table' || code === 'missing-column';
  return {
    key: `${plan.label}:${side}-error`,
    severity: structural ? 'critical' : 'warning',
    title: countErrorTitle(plan, side, result),
    // A missing table's title says it all; the driver's message (DuckDB's spans lines) would only repeat it.
    ...(code === 'missing-table' ? {} : { summary: result.error?.message }),
    resource: { [side]: plan.pair[side] },
    labels: { table: plan.label, side, error: code },
    // Whether the table drifted or lags is unknown this run: those alerts keep their state.
    covers: [{ key: plan.label }, { key: `${plan.label}:freshness` }],
  };
}

/**
 * A side counted without its time column, which is missing there or holds text: its rows were compared, its lag is
 * unknown. Under the side's error key and at the severity the whole count's failure had (critical for a missing
 * column, as for a missing table); it covers only the pair's freshness alert.
 */
export function timeErrorFinding(
  plan: PairPlan,
  side: 'source' | 'target',
  error: NonNullable<CountResult['maxTimestampError']>,
): Finding {
  const column = plan.freshness?.column ?? 'time column';
  return {
    key: `${plan.label}:${side}-error`,
    severity: error.code === 'missing-column' ? 'critical' : 'warning',
    title:
      `${plan.label}: ${column} unreadable on ${side} (${plan.pair[side]}): ${ERROR_WORDS[error.code]}; ` +
      'rows compared, lag not checked',
    summary: error.message,
    resource: { [side]: plan.pair[side] },
    labels: { table: plan.label, side, error: error.code },
    covers: [{ key: `${plan.label}:freshness` }],
  };
}

/**
 * One finding for the tables of a side whose connection stopped answering mid-run, instead of one per table (an
 * outage of a 500-table source paged as 500 findings, and Chat shows 100). Whether each of them drifted, lags or
 * errs is unknown this run: all those alerts keep their state.
 */
export function unreachableFinding(
  side: 'source' | 'target',
  connection: string,
  plans: readonly PairPlan[],
  total: number,
  message: string,
): Finding {
  const tables = plans.map((p) => p.label);
  const shown = tables.slice(0, 10).join(', ');
  const more = tables.length > 10 ? ` and ${tables.length - 10} more` : '';
  return {
    key: `${side}-unreachable`,
    severity: 'warning',
    title: `connection '${connection}' (${side}) stopped answering: ${plans.length} of ${total} tables not counted`,
    summary: `${message}\nNot counted: ${shown}${more}.`,
    resource: { connection, side },
    labels: { side, connection, error: 'unreachable' },
    metrics: { tables: plans.length },
    covers: plans.flatMap((p) => [
      { key: p.label },
      { key: `${p.label}:freshness` },
      { key: `${p.label}:${side}-error` },
    ]),
  };
}

/** How far past the agent's clock a source's latest time may be before the finding says it lies in the future. */
export const FUTURE_SLACK_MS = 5 * 60_000;

export function freshnessFinding(
  plan: PairPlan,
  sourceMax: Date | null | undefined,
  targetMax: Date | null | undefined,
  now?: Date,
): { finding?: Finding; lagSeconds?: number } {
  if (!plan.freshness || !sourceMax) return {};
  const column = plan.freshness.column;
  const lagMs = targetMax ? Math.max(0, sourceMax.getTime() - targetMax.getTime()) : Infinity;
  const lagSeconds = Number.isFinite(lagMs) ? lagMs / 1000 : undefined;
  if (lagMs <= plan.freshness.maxLagMs) return { lagSeconds };
  const behind = targetMax
    ? `${formatDuration(lagMs)} behind source (latest ${column} ${utc(sourceMax)} vs ${utc(targetMax)} UTC)`
    : `empty while source's latest ${column} is ${utc(sourceMax)} UTC`;
  // A source row dated ahead of now (a bad value, a wrong clock, a time zone read as UTC) makes a lag no
  // replication can close: say so, rather than leave '26339d behind' to be read as one (a trial).
  const ahead = now && sourceMax.getTime() > now.getTime() + FUTURE_SLACK_MS;
  const future = ahead
    ? `; the source's latest ${column} is in the future (a bad value or a wrong clock?)`
    : '';
  return {
    lagSeconds,
    finding: {
      key: `${plan.label}:freshness`,
      severity: 'warning',
      title: `${plan.label}: target is ${behind}; allowed ${formatDuration(plan.freshness.maxLagMs)}${future}`,
      resource: { source: plan.pair.source, target: plan.pair.target },
      labels: { table: plan.label },
      metrics: {
        ...(lagSeconds === undefined ? {} : { lagSeconds }),
        maxLagSeconds: plan.freshness.maxLagMs / 1000,
      },
    },
  };
}

/** Findings and measurements for one pair from both sides' results. */
export function evaluatePair(
  checkId: string,
  plan: PairPlan,
  source: CountResult,
  target: CountResult,
  now?: Date,
): { findings: Finding[]; measurements: Measurement[] } {
  const findings: Finding[] = [];
  const measurements: Measurement[] = [];
  const labels = { check: checkId, table: plan.label };
  for (const [side, result] of [
    ['source', source],
    ['target', target],
  ] as const) {
    if (result.error) findings.push(errorFinding(plan, side, result));
    else if (result.rows !== undefined) {
      measurements.push({ name: 'table_rows', value: result.rows, labels: { ...labels, side } });
    }
    if (result.maxTimestampError) findings.push(timeErrorFinding(plan, side, result.maxTimestampError));
  }
  if (source.rows !== undefined && target.rows !== undefined && !source.error && !target.error) {
    measurements.push({ name: 'table_row_diff', value: source.rows - target.rows, labels });
    const drift = driftFinding(plan, source.rows, target.rows, {
      ...(source.estimate ? { source: source.estimate } : {}),
      ...(target.estimate ? { target: target.estimate } : {}),
    });
    if (drift) findings.push(drift);
    // The check's own verdict and tolerance, so dashboards show what the alert says instead of recomputing it.
    measurements.push(
      { name: 'table_over_tolerance', value: drift ? 1 : 0, labels },
      { name: 'table_tolerated_rows', value: Math.floor(allowedDiff(plan.tolerance, source.rows)), labels },
    );
  }
  if (!source.error && !target.error && !source.maxTimestampError && !target.maxTimestampError) {
    const fresh = freshnessFinding(plan, source.maxTimestamp, target.maxTimestamp, now);
    if (fresh.lagSeconds !== undefined) {
      measurements.push({ name: 'table_freshness_lag_seconds', value: fresh.lagSeconds, labels });
    }
    if (fresh.finding) findings.push(fresh.finding);
    if (plan.freshness) {
      measurements.push(
        { name: 'table_freshness_over', value: fresh.finding ? 1 : 0, labels },
        { name: 'table_freshness_max_lag_seconds', value: plan.freshness.maxLagMs / 1000, labels },
      );
    }
  }
  return { findings, measurements };
}
