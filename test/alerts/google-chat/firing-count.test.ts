import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { renderMessage } from '../../../alerts/channels/google-chat/render';
import { processResults, type PipelineConfig } from '../../../alerts/pipeline';
import { renderText } from '../../../alerts/render-text';
import type { CheckRunResult, Finding } from '../../../src/core/types';
import { openStateStore } from '../../../src/state/open-store';
import type { StateStore } from '../../../src/state/types';

const HOUR = 3_600_000;
const T0 = Date.parse('2026-11-21T00:00:00Z');

const CONFIG: PipelineConfig = {
  routes: [{ channel: 'chat' }],
  silences: [],
  repeatInterval: 4 * HOUR,
  sendResolved: true,
};

const drift = (table: string): Finding => ({
  key: table,
  severity: 'critical',
  title: `${table}: target has 7 fewer rows than source`,
});

const result = (findings: Finding[]): CheckRunResult => ({
  id: 'shop-consistency',
  kind: 'row-count-consistency',
  status: findings.length ? 'firing' : 'ok',
  startedAt: new Date(T0).toISOString(),
  durationMs: 1,
  findings,
  measurements: [],
});

describe('the count of a message that does not carry every firing alert', () => {
  let store: StateStore;
  beforeEach(async () => {
    store = await openStateStore(
      `sqlite://${join(mkdtempSync(join(tmpdir(), 'firing-count-')), 'state.db')}`,
      '/',
    );
  });
  afterEach(() => store.close());

  /** The one message of a run `hours` after the first, with the check reporting `tables` as drifting. */
  async function messageAt(hours: number, tables: string[]) {
    const out = await processResults(
      [result(tables.map(drift))],
      CONFIG,
      store,
      new Date(T0 + hours * HOUR),
      false,
    );
    expect(out.notifications).toHaveLength(1);
    return out.notifications[0]!;
  }

  it('says "3 firing (1 new)" when 1 table drifts beside 2 still firing whose repeat is not due', async () => {
    await messageAt(0, ['shop.orders', 'shop.payments']);

    const n = await messageAt(1, ['shop.customers', 'shop.orders', 'shop.payments']);

    const card = renderMessage(n);
    expect(n.items.map((i) => `${i.key}:${i.status}`)).toEqual(['shop.customers:new']);
    expect(card.text).toBe('🔴 *shop-consistency* (row-count-consistency): 3 firing (1 new)');
    expect(card.cardsV2[0]!.card.header).toEqual({
      title: '🔴 shop-consistency: 3 firing (1 new)',
      subtitle: 'row-count-consistency · CRITICAL · 3 finding(s)',
    });
    expect(renderText(n).split('\n')[0]).toBe('[shop-consistency] row-count-consistency: 3 firing (1 new)');
  });

  it('does not read as all clear when 1 resolves and 2 still fire', async () => {
    await messageAt(0, ['shop.customers', 'shop.orders', 'shop.payments']);

    const n = await messageAt(1, ['shop.orders', 'shop.payments']);

    expect(renderMessage(n).cardsV2[0]!.card.header).toEqual({
      title: '🟠 shop-consistency: 2 firing, 1 resolved',
      subtitle: 'row-count-consistency · CRITICAL · 3 finding(s)',
    });
  });

  it('names the worst severity still firing, not that of the one warning it carries, resolved', async () => {
    const check = (findings: Finding[]) =>
      processResults(
        [result(findings)],
        CONFIG,
        store,
        new Date(T0 + (findings.length === 3 ? 0 : HOUR)),
        false,
      );
    const lag: Finding = { key: 'shop.lag', severity: 'warning', title: 'shop.lag: 2h behind' };
    await check([lag, drift('shop.orders'), drift('shop.payments')]);

    const out = await check([drift('shop.orders'), drift('shop.payments')]);

    expect(out.notifications[0]!.items.map((i) => `${i.key}:${i.status}:${i.severity}`)).toEqual([
      'shop.lag:resolved:warning',
    ]);
    expect(renderMessage(out.notifications[0]!).cardsV2[0]!.card.header).toEqual({
      title: '🟠 shop-consistency: 2 firing, 1 resolved',
      subtitle: 'row-count-consistency · CRITICAL · 3 finding(s)',
    });
  });

  it('keeps the per-status counts when the message carries every firing alert', async () => {
    await messageAt(0, ['shop.orders']);

    const n = await messageAt(4, ['shop.customers', 'shop.orders']);

    expect(renderMessage(n).cardsV2[0]!.card.header.title).toBe('🔴 shop-consistency: 1 new, 1 still firing');
  });
});
