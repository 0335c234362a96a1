import { tallyItems } from '../../alerts/tally';
import { totalsLine } from '../../alerts/totals';
import type { NotificationItem } from '../../alerts/types';

const item = (
  key: string,
  status: NotificationItem['status'],
  metrics?: Record<string, number>,
): NotificationItem => ({
  key,
  status,
  severity: 'warning',
  title: key,
  firingSince: '2026-11-21T00:00:00.000Z',
  lifecycle: 'condition',
  ...(metrics ? { metrics } : {}),
});

describe('message totals', () => {
  it.each([
    [
      'sums the monthly cost of firing items',
      [item('a', 'new', { monthlyCostUsd: 8 }), item('b', 'repeat', { monthlyCostUsd: 3.65 })],
      '$11.65/month in total',
    ],
    [
      'leaves resolved items out',
      [item('a', 'new', { monthlyCostUsd: 8 }), item('b', 'resolved', { monthlyCostUsd: 100 })],
      '$8.00/month in total',
    ],
    [
      'says how many have no list price',
      [item('a', 'new', { monthlyCostUsd: 1234.5 }), item('b', 'new')],
      '$1,234.50/month in total (1 without a list price)',
    ],
    ['says nothing when no item has a cost', [item('a', 'new', { sourceRows: 3 })], undefined],
  ])('%s', (_name, items, expected) => {
    expect(totalsLine(tallyItems(items))).toBe(expected);
  });
});
