import type { NotificationItem } from './types';
import { formatNumber } from '../src/core/text';

/**
 * What the firing items of one message add up to, e.g. "$1,234.50/month in total (3 without a list price)"
 * for idle resources; undefined when no item carries a cost.
 */
export function totalsLine(items: NotificationItem[]): string | undefined {
  const firing = items.filter((i) => i.status !== 'resolved');
  const parts: string[] = [];
  for (const [metric, unit] of [
    ['monthlyCostUsd', '/month'],
    ['costUsd', ''],
  ] as const) {
    const priced = firing.filter((i) => typeof i.metrics?.[metric] === 'number');
    if (!priced.length) continue;
    const sum = priced.reduce((total, i) => total + (i.metrics?.[metric] as number), 0);
    const unpriced = firing.length - priced.length;
    parts.push(
      `$${formatNumber(sum, 2, 2)}${unit} in total${unpriced ? ` (${unpriced} without a list price)` : ''}`,
    );
  }
  return parts.length ? parts.join('; ') : undefined;
}
