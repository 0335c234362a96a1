import { renderMessage, size } from '../../../alerts/channels/google-chat/render';
import { MAX_MESSAGE_BYTES, MAX_WIDGETS_PER_CARD } from '../../../alerts/channels/google-chat/limits';
import type { ChatMessage } from '../../../alerts/channels/google-chat/message';
import { previewMessage } from '../../../alerts/channels/google-chat/preview';
import { discoveryValidator } from '../../servers/chat/discovery-validator';
import { item, notification, randomNotifications } from './notifications';
import { capItems, MAX_NOTIFICATION_ITEMS } from '../../../alerts/tally';
import { renderText } from '../../../alerts/render-text';

const validate = discoveryValidator();
const widgets = (m: ChatMessage) => m.cardsV2[0]!.card.sections.reduce((sum, s) => sum + s.widgets.length, 0);

describe('google-chat rendering', () => {
  it('renders a new finding as a card with header, title, facts, summary and a link button', () => {
    const message = renderMessage(notification([item()]), { threadKey: 'guardrail-chat-orders-drift' });

    expect(message.thread).toEqual({ threadKey: 'guardrail-chat-orders-drift' });
    expect(message.text).toBe('🔴 *orders-drift* (row-count-consistency): 1 new');
    expect(message.cardsV2[0]!.card.header).toEqual({
      title: '🔴 orders-drift: 1 new',
      subtitle: 'row-count-consistency · CRITICAL · 1 finding(s)',
    });
    expect(message.cardsV2[0]!.card.sections[0]).toEqual({
      header: '<font color="#d93025"><b>🔴 FIRING · CRITICAL</b></font>',
      widgets: [
        {
          decoratedText: {
            topLabel: 'analytics.orders',
            text: '<b>orders: 1,204 rows missing in the warehouse</b>',
            wrapText: true,
          },
        },
        { textParagraph: { text: 'Source has 120,400 rows, target 119,196.' } },
        { decoratedText: { topLabel: 'sourceRows', text: '120,400' } },
        { decoratedText: { topLabel: 'targetRows', text: '119,196' } },
        {
          buttonList: {
            buttons: [
              {
                text: 'Grafana',
                onClick: { openLink: { url: 'https://grafana.example.com/d/rows?var-table=orders' } },
              },
            ],
          },
        },
      ],
    });
    expect(validate(message)).toEqual([]);
  });

  // A trial saw "✅ shop-whole: 4 firing, 1 resolved" in green, subtitle WARNING, while 4 critical alerts fired: the
  // message carried only the resolved warning (the others' repeat was not due), and its header came from it alone.
  it('heads a message of one resolved warning as still firing, critical, while critical alerts it does not carry fire', () => {
    const resolved = item({
      status: 'resolved',
      severity: 'warning',
      key: 'b',
      firingSince: '2026-11-20T10:00:00.000Z',
      resolvedAt: '2026-11-20T12:00:00Z',
    });
    const message = renderMessage(
      notification([resolved], capItems([resolved], { count: 4, worst: 'critical' })),
    );

    expect(message.cardsV2[0]!.card.header).toEqual({
      title: '🟠 orders-drift: 4 firing, 1 resolved',
      subtitle: 'row-count-consistency · CRITICAL · 5 finding(s)',
    });
    expect(message.text).toMatch(/^🟠 /);
    expect(validate(message)).toEqual([]);
  });

  it('heads a message resolved when nothing of the check fires any more', () => {
    const resolved = item({ status: 'resolved', key: 'b', resolvedAt: '2026-11-20T12:00:00Z' });
    const message = renderMessage(notification([resolved], capItems([resolved], { count: 0 })));

    expect(message.cardsV2[0]!.card.header?.title).toMatch(/^✅ orders-drift: /);
  });

  it('heads a message grey, not green, when its only item is no longer checked (its table left the config)', () => {
    const retired = item({ status: 'retired', key: 'b', resolvedAt: '2026-11-20T12:00:00Z' });
    const message = renderMessage(notification([retired], capItems([retired], { count: 0 })));

    expect(message.cardsV2[0]!.card.header?.title).toMatch(/^⚪ orders-drift: 1 no longer checked/);
    expect(JSON.stringify(message)).toContain('NO LONGER CHECKED');
    expect(validate(message)).toEqual([]);
  });

  it('labels a fact without the unit its value is written in (a trial read "lagSeconds: 58m 20s")', () => {
    const message = renderMessage(
      notification([item({ metrics: { lagSeconds: 3500, maxLagSeconds: 600, monthlyCostUsd: 12 } })]),
    );

    const facts = message.cardsV2[0]!.card.sections[0]!.widgets.flatMap((w) =>
      'decoratedText' in w && w.decoratedText.topLabel !== 'analytics.orders'
        ? [`${w.decoratedText.topLabel}: ${w.decoratedText.text}`]
        : [],
    );
    expect(facts.slice(0, 3)).toEqual(['lag: 58m 20s', 'maxLag: 10m', 'monthlyCost: $12']);
  });

  it('says for how long a repeated finding has been firing, and lists resolved ones without details', () => {
    const n = notification([
      item({ status: 'repeat', key: 'a', firingSince: '2026-11-20T09:30:00.000Z' }),
      item({
        status: 'resolved',
        key: 'b',
        firingSince: '2026-11-20T10:00:00.000Z',
        resolvedAt: '2026-11-20T12:00:00Z',
      }),
    ]);

    const [repeat, resolved] = renderMessage(n).cardsV2[0]!.card.sections;

    expect(repeat!.header).toContain('STILL FIRING');
    expect(repeat!.widgets[0]).toMatchObject({ decoratedText: { bottomLabel: 'firing for 2h 30m' } });
    expect(resolved!.header).toBe('<font color="#188038"><b>✅ RESOLVED · CRITICAL</b></font>');
    expect(resolved!.widgets.map((w) => Object.keys(w)[0])).toEqual(['decoratedText', 'buttonList']);
    expect(resolved!.widgets[0]).toMatchObject({
      decoratedText: { bottomLabel: 'resolved after firing for 2h' },
    });
  });

  it.each([
    ['new', '🔴'],
    ['repeat', '🟠'],
    ['resolved', '✅'],
  ] as const)('marks a %s-only message with %s in text and header', (status, icon) => {
    const message = renderMessage(notification([item({ status })]));

    expect(message.text.startsWith(icon)).toBe(true);
    expect(message.cardsV2[0]!.card.header.title.startsWith(icon)).toBe(true);
  });

  it('fits 1,000 findings in one message under the limits and ends with "+N more"', () => {
    const items = Array.from({ length: 1000 }, (_, i) => item({ key: `t${String(i).padStart(4, '0')}` }));

    const message = renderMessage(notification(items), { grafanaUrl: 'https://grafana.example.com/d/x' });

    const sections = message.cardsV2[0]!.card.sections;
    const shown = sections.filter((s) => s.header).length;
    expect(size(message)).toBeLessThanOrEqual(MAX_MESSAGE_BYTES);
    expect(widgets(message)).toBeLessThanOrEqual(MAX_WIDGETS_PER_CARD);
    expect(sections.at(-2)!.widgets[0]).toEqual({
      textParagraph: { text: `<b>+${1000 - shown} more</b> (${1000 - shown} new)` },
    });
    expect(sections.at(-1)!.widgets[0]).toMatchObject({
      buttonList: {
        buttons: [
          { onClick: { openLink: { url: 'https://grafana.example.com/d/x?var-check=orders-drift' } } },
        ],
      },
    });
  });

  it('renders a message cut to its first 100 items as it would the whole: counts, totals, "+N more"', () => {
    const items = Array.from({ length: 1000 }, (_, i) =>
      item({
        key: `t${String(i).padStart(4, '0')}`,
        status: i < 990 ? 'new' : 'repeat',
        severity: i < 990 ? 'warning' : 'critical',
        metrics: { monthlyCostUsd: 1.5 },
      }),
    );
    const whole = notification(items);
    const queued = notification([], capItems(items));

    expect(queued.items).toHaveLength(MAX_NOTIFICATION_ITEMS);
    expect(renderMessage(queued)).toEqual(renderMessage(whole));
    expect(renderText(queued)).toBe(renderText(whole));
    expect(renderMessage(queued).text).toBe(
      '🔴 *orders-drift* (row-count-consistency): 990 new, 10 still firing · $1,500.00/month in total',
    );
    expect(renderMessage(queued).cardsV2[0]!.card.header.subtitle).toContain('CRITICAL · 1000 finding(s)');
  });

  it('escapes card HTML and drops links that are not http(s)', () => {
    const n = notification([
      item({ title: '<script>&', links: [{ label: 'x', url: 'javascript:alert(1)' }] }),
    ]);

    const section = renderMessage(n).cardsV2[0]!.card.sections[0]!;

    expect(section.widgets[0]).toMatchObject({ decoratedText: { text: '<b>&lt;script&gt;&amp;</b>' } });
    expect(section.widgets.some((w) => 'buttonList' in w)).toBe(false);
  });

  it('keeps every one of 300 random messages valid against the discovery document and within the limits', () => {
    const failures = randomNotifications(300).flatMap((n) => {
      const message = renderMessage(n, { threadKey: `k-${n.checkId}`, grafanaUrl: 'https://g.example/d/a' });
      const errors = validate(message);
      if (size(message) > MAX_MESSAGE_BYTES) errors.push(`${size(message)} bytes`);
      if (widgets(message) > MAX_WIDGETS_PER_CARD) errors.push(`${widgets(message)} widgets`);
      return errors.map((e) => `${n.id}: ${e}`);
    });

    expect(failures).toEqual([]);
  });

  it('rejects what Chat would reject: unknown fields, wrong types, bad enums', () => {
    const bad = {
      text: 1,
      cardsV2: [{ card: { sections: [{ widgets: [{ nope: {} }] }], displayStyle: 'HUGE' } }],
    };

    expect(validate(bad)).toEqual([
      '$.text: expected string, got number',
      '$.cardsV2[0].card.sections[0].widgets[0].nope: unknown field',
      "$.cardsV2[0].card.displayStyle: 'HUGE' is not one of DISPLAY_STYLE_UNSPECIFIED|PEEK|REPLACE",
    ]);
  });

  it('previews the card as readable text for --dry-run', () => {
    const text = previewMessage(
      renderMessage(notification([item({ status: 'repeat', firingSince: '2026-11-20T11:00:00Z' })])),
    );

    expect(text).toBe(
      [
        '🟠 *orders-drift* (row-count-consistency): 1 still firing',
        '┌ 🟠 orders-drift: 1 still firing',
        '│ row-count-consistency · CRITICAL · 1 finding(s)',
        '├─',
        '│ 🟠 STILL FIRING · CRITICAL',
        '│   analytics.orders: orders: 1,204 rows missing in the warehouse',
        '│     firing for 1h',
        '│   Source has 120,400 rows, target 119,196.',
        '│   sourceRows: 120,400',
        '│   targetRows: 119,196',
        '│   [Grafana] https://grafana.example.com/d/rows?var-table=orders',
        '└─',
      ].join('\n'),
    );
  });
});
