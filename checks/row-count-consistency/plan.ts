import type { CountRequest, CountWindow } from '../../src/connectors/types';
import type { RowCountConsistencyConfig, TablePairConfig, ToleranceConfig } from './schema';

/** Window bounds are whole minutes, so consecutive runs report comparable windows. */
const WINDOW_ALIGN_MS = 60_000;

/** One table pair, resolved against the check's defaults: what to count on each side and how to judge it. */
export interface PairPlan {
  /** The finding key and the `table` metric label. */
  label: string;
  pair: TablePairConfig;
  window?: CountWindow;
  tolerance: ToleranceConfig;
  freshness?: { column: string; maxLagMs: number };
  source: CountRequest;
  target: CountRequest;
}

function whereFor(pair: TablePairConfig, side: 'source' | 'target'): string | undefined {
  if (pair.where === undefined) return undefined;
  return typeof pair.where === 'string' ? pair.where : pair.where[side];
}

/** The closed window `[now - lag - size, now - lag)`. */
export function windowBounds(now: Date, column: string, size: number, lag: number): CountWindow {
  const to = new Date(Math.floor(now.getTime() / WINDOW_ALIGN_MS) * WINDOW_ALIGN_MS - lag);
  return { column, from: new Date(to.getTime() - size), to };
}

/** The label a pair's findings and metrics carry. */
export function labelOf(pair: TablePairConfig): string {
  return pair.name ?? pair.source;
}

/**
 * Pairs whose label (name, or source table) an earlier pair already has: their findings would share keys and
 * metrics. Each problem has both indexes (into `tables`, list files merged) and a message naming the table and
 * both targets, not the indexes: the loader says where each of the two stands (they may be in different files).
 */
export function duplicatePairs(
  pairs: readonly TablePairConfig[],
): { index: number; first: number; message: string }[] {
  // By label in lower case: `SHOP.ORDERS` beside `shop.orders` is one table to DuckDB, MySQL on most systems and
  // Redshift, and was compared (and alerted on) twice (a review).
  const seen = new Map<string, number>();
  const problems: { index: number; first: number; message: string }[] = [];
  pairs.forEach((pair, i) => {
    const label = labelOf(pair);
    const first = seen.get(label.toLowerCase());
    if (first === undefined) {
      seen.set(label.toLowerCase(), i);
      return;
    }
    const previous = pairs[first] as TablePairConfig;
    const targets = `targets ${previous.target} and ${pair.target}`;
    problems.push({
      index: i,
      first,
      message:
        labelOf(previous) === label
          ? `'${label}' is compared twice (${targets}); remove one, or give one a name`
          : `'${labelOf(previous)}' and '${label}' differ only in letter case (${targets}): most databases read ` +
            'them as one table, compared twice; remove one, or give one a name',
    });
  });
  return problems;
}

/**
 * Tables whose freshness has no column: it names none and the table counts whole, so there is no window column
 * to take (planPairs would drop its freshness unread). A table that made it so itself (its own `window: false` or
 * `freshness`) is named where it says so; those that only inherit the check's freshness and window are named
 * together, at the check's `freshness`.
 */
export function freshnessWithoutColumn(
  config: RowCountConsistencyConfig,
): { path: (string | number)[]; message: string }[] {
  const inherited: string[] = [];
  const own = config.tables.flatMap((pair, i) => {
    const freshness = pair.freshness === false ? undefined : (pair.freshness ?? config.freshness);
    const window = pair.window === false ? undefined : (pair.window ?? config.window);
    if (!freshness || freshness.column || window) return [];
    if (pair.window === undefined && pair.freshness === undefined) {
      inherited.push(labelOf(pair));
      return [];
    }
    return [
      {
        path: ['tables', i, pair.freshness ? 'freshness' : 'window'],
        message:
          `freshness of '${labelOf(pair)}' has no column: it names none and the table has no window to take ` +
          'it from; set freshness.column (e.g. updated_at), or freshness: false',
      },
    ];
  });
  if (!inherited.length) return own;
  const one = inherited.length === 1;
  const some =
    inherited.slice(0, 5).join(', ') + (inherited.length > 5 ? ` and ${inherited.length - 5} more` : '');
  return [
    {
      path: ['freshness', 'column'],
      message:
        `freshness needs a column: ${one ? 'table' : 'tables'} ${some} ${one ? 'has' : 'have'} no window to ` +
        'take it from; set freshness.column (e.g. updated_at)',
    },
    ...own,
  ];
}

export function planPairs(
  config: RowCountConsistencyConfig,
  pairs: readonly TablePairConfig[],
  now: Date,
): PairPlan[] {
  // validate() rejects duplicates when the config loads; this guards callers that skip the loader.
  const duplicate = duplicatePairs(pairs)[0];
  if (duplicate)
    throw new Error(`tables[${duplicate.first}] and tables[${duplicate.index}]: ${duplicate.message}`);
  return pairs.map((pair, i) => {
    const label = labelOf(pair);
    const windowConfig = pair.window === false ? undefined : (pair.window ?? config.window);
    const window = windowConfig
      ? windowBounds(now, windowConfig.column, windowConfig.size, windowConfig.lag)
      : undefined;
    const freshnessConfig = pair.freshness === false ? undefined : (pair.freshness ?? config.freshness);
    const freshnessColumn = freshnessConfig?.column ?? windowConfig?.column;
    const freshness =
      freshnessConfig && freshnessColumn
        ? { column: freshnessColumn, maxLagMs: freshnessConfig.maxLag }
        : undefined;

    const request = (side: 'source' | 'target'): CountRequest => ({
      id: String(i),
      table: { parts: pair[side].split('.') },
      ...(whereFor(pair, side) ? { where: whereFor(pair, side) } : {}),
      ...(window ? { window } : {}),
      ...(freshness ? { maxTimestampColumn: freshness.column } : {}),
    });
    return {
      label,
      pair,
      window,
      tolerance: pair.tolerance ?? config.tolerance,
      freshness,
      source: request('source'),
      target: request('target'),
    };
  });
}

/** Rows the target may differ from the source by: `max(rows, ratio × source)`. */
export function allowedDiff(tolerance: ToleranceConfig, sourceRows: number): number {
  // To 12 significant digits: 0.29 × 100 is 28.999999999999996 in binary floating point, which made a difference
  // of exactly 29 rows a breach (a review). A count is whole, so nothing real is lost.
  return Math.max(tolerance.rows, Number((tolerance.ratio * sourceRows).toPrecision(12)));
}

/** True when `|source − target|` exceeds the tolerance. */
export function breaches(tolerance: ToleranceConfig, sourceRows: number, targetRows: number): boolean {
  return Math.abs(sourceRows - targetRows) > allowedDiff(tolerance, sourceRows);
}
