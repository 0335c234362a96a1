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

export function planPairs(
  config: RowCountConsistencyConfig,
  pairs: readonly TablePairConfig[],
  now: Date,
): PairPlan[] {
  const seen = new Map<string, TablePairConfig>();
  return pairs.map((pair, i) => {
    const label = pair.name ?? pair.source;
    const previous = seen.get(label);
    if (previous) {
      throw new Error(
        `tables[${i}]: '${label}' is listed twice (targets ${previous.target} and ${pair.target}); give one a name`,
      );
    }
    seen.set(label, pair);

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
  return Math.max(tolerance.rows, tolerance.ratio * sourceRows);
}

/** True when `|source − target|` exceeds the tolerance. */
export function breaches(tolerance: ToleranceConfig, sourceRows: number, targetRows: number): boolean {
  return Math.abs(sourceRows - targetRows) > allowedDiff(tolerance, sourceRows);
}
