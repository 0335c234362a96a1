import type { ItemTally } from './types';
import { formatNumber } from '../src/core/text';
import { statusCounts } from './status';
import { firingOf } from './tally';

/**
 * A message's counts: "2 new, 1 still firing, 3 resolved"; led by how many fire in all when the message does not
 * carry every firing alert (the others' repeat is not due): "3 firing (1 new), 1 resolved".
 */
export function countsLine(tally: ItemTally): string {
  const { new: fresh, repeat, resolved, retired = 0 } = tally.byStatus;
  const firing = firingOf(tally);
  if (firing === fresh + repeat) return statusCounts(tally);
  const carried = statusCounts({ byStatus: { new: fresh, repeat, resolved: 0, retired: 0 } });
  return [
    `${firing} firing${carried ? ` (${carried})` : ''}`,
    ...(resolved ? [`${resolved} resolved`] : []),
    ...(retired ? [`${retired} no longer checked`] : []),
  ].join(', ');
}

/**
 * What the firing items of one message add up to, e.g. "$1,234.50/month in total (3 without a list price)"
 * for idle resources; "in this message" when other alerts fire that it does not carry; undefined when no item
 * carries a cost.
 */
export function totalsLine(tally: ItemTally): string | undefined {
  const firing = tally.byStatus.new + tally.byStatus.repeat;
  const scope = firingOf(tally) > firing ? 'in this message' : 'in total';
  const parts: string[] = [];
  for (const [metric, unit] of [
    ['monthlyCostUsd', '/month'],
    ['costUsd', ''],
  ] as const) {
    const cost = tally.costs[metric];
    if (!cost) continue;
    const unpriced = firing - cost.priced;
    parts.push(
      `$${formatNumber(cost.sum, 2, 2)}${unit} ${scope}${unpriced ? ` (${unpriced} without a list price)` : ''}`,
    );
  }
  return parts.length ? parts.join('; ') : undefined;
}
