import { renderMessage } from '../../../alerts/channels/google-chat/render';
import { previewMessage } from '../../../alerts/channels/google-chat/preview';
import { renderText } from '../../../alerts/render-text';
import { driftFinding } from '../../../checks/row-count-consistency/format';
import type { PairPlan } from '../../../checks/row-count-consistency/plan';
import { formatAlerts } from '../../../src/cli/alerts';
import { discoveryValidator } from '../../servers/chat/discovery-validator';
import { item, notification } from './notifications';

const validate = discoveryValidator();

const plan: PairPlan = {
  label: 'shop.orders',
  pair: { source: 'shop.orders', target: 'shop_raw.orders' },
  window: undefined,
  tolerance: { ratio: 0, rows: 0 },
  source: { id: '0', table: { parts: ['shop', 'orders'] } },
  target: { id: '0', table: { parts: ['shop_raw', 'orders'] } },
};

/** The card's fact for `diffRatio`, as `--dry-run` prints it. */
const diffRatioFact = (text: string) => /diffRatio: .*/.exec(text)?.[0];

describe('a row-count difference as a share', () => {
  it.each([
    [0.0042, '0.42%'],
    [0.000031, '0.0031%'],
    [0.12, '12.00%'],
    [7 / 240, '2.92%'],
    [0.0005, '0.050%'],
    [1e-9, '0.00000010%'],
    [3, '300.00%'],
    [0, '0.00%'],
  ])('shows diffRatio %p on the card as %s', (diffRatio, shown) => {
    const message = renderMessage(notification([item({ metrics: { diffRatio } })]));

    expect(diffRatioFact(previewMessage(message))).toBe(`diffRatio: ${shown}`);
    expect(validate(message)).toEqual([]);
  });

  it('writes the share of 31 rows in a billion alike, never as 0, in the title, on the card, the console and `guardrail alerts`', () => {
    const finding = driftFinding(plan, 1_000_000_000, 999_999_969)!;
    const n = notification([item({ key: finding.key, title: finding.title, metrics: finding.metrics })]);

    const card = previewMessage(renderMessage(n));
    const listed = formatAlerts(
      [
        {
          check: 'shop-consistency',
          key: finding.key,
          severity: 'critical',
          status: 'firing',
          title: finding.title,
          since: '2026-11-20T12:00:00.000Z',
          lastSeenAt: '2026-11-20T12:00:00.000Z',
        },
      ],
      'firing',
    );

    expect(finding.title).toBe(
      'shop.orders: target has 31 fewer rows than source (source 1,000,000,000, target 999,999,969, 0.0000031%; whole table)',
    );
    expect(diffRatioFact(card)).toBe('diffRatio: 0.0000031%');
    expect(card).toContain('0.0000031%; whole table');
    expect(renderText(n)).toContain('0.0000031%; whole table');
    expect(listed).toContain('0.0000031%; whole table');
  });
});
