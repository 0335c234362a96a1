import { tallyItems } from '../../alerts/tally';
import { countsLine, totalsLine } from '../../alerts/totals';
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
    // A FinOps trial saw "$377.52/month in total" where the idle volumes cost $81.92: each gp2 finding added the
    // whole monthly price of a production volume. A change of type or class counts its saving, once.
    [
      'counts what a change would save, not what the resource costs now',
      [
        item('vol-idle', 'new', { monthlyCostUsd: 50 }),
        item('gp2:vol-prod', 'new', { monthlySavingUsd: 10, gp2MonthlyCostUsd: 200 }),
      ],
      '$60.00/month in total',
    ],
    [
      'prices an item that names a saving (S3 tiering beside incomplete uploads)',
      [
        item('tiering:b', 'new', { monthlySavingUsd: 8.25 }),
        item('uploads:b', 'new', { monthlyCostUsd: 0.26 }),
      ],
      '$8.51/month in total',
    ],
    [
      'counts a $0 item as priced (a BYOIP address)',
      [item('eip', 'new', { monthlyCostUsd: 0 })],
      '$0.00/month in total',
    ],
  ])('%s', (_name, items, expected) => {
    expect(totalsLine(tallyItems(items))).toBe(expected);
  });

  it('says the sum covers this message when other alerts fire that it does not carry', () => {
    const tally = { ...tallyItems([item('a', 'new', { monthlyCostUsd: 8 })]), firing: 11 };

    expect(totalsLine(tally)).toBe('$8.00/month in this message');
  });
});

describe('message counts', () => {
  it.each([
    [
      'per status when it carries every firing alert',
      ['new', 'repeat', 'resolved'],
      2,
      '1 new, 1 still firing, 1 resolved',
    ],
    ['how many fire in all when it does not', ['new'], 3, '3 firing (1 new)'],
    [
      'them beside a repeat and a resolved one',
      ['new', 'repeat', 'resolved'],
      5,
      '5 firing (1 new, 1 still firing), 1 resolved',
    ],
    ['that others fire when only a resolved one is told', ['resolved'], 2, '2 firing, 1 resolved'],
    [
      'per status in a message queued before it knew the firing count',
      ['new', 'resolved'],
      undefined,
      '1 new, 1 resolved',
    ],
  ] as const)('says %s', (_name, statuses, firing, expected) => {
    const tally = tallyItems(statuses.map((s, i) => item(`k${i}`, s)));

    expect(countsLine(firing === undefined ? tally : { ...tally, firing })).toBe(expected);
  });
});
