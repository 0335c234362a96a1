import type { ItemTally } from './types';
import { formatNumber } from '../src/core/text';

/**
 * What the firing items of one message add up to, e.g. "$1,234.50/month in total (3 without a list price)"
 * for idle resources; undefined when no item carries a cost.
 */
export function totalsLine(tally: ItemTally): string | undefined {
  const firing = tally.byStatus.new + tally.byStatus.repeat;
  const parts: string[] = [];
  for (const [metric, unit] of [
    ['monthlyCostUsd', '/month'],
    ['costUsd', ''],
  ] as const) {
    const cost = tally.costs[metric];
    if (!cost) continue;
    const unpriced = firing - cost.priced;
    parts.push(
      `$${formatNumber(cost.sum, 2, 2)}${unit} in total${unpriced ? ` (${unpriced} without a list price)` : ''}`,
    );
  }
  return parts.length ? parts.join('; ') : undefined;
}
