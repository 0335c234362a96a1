import { cpSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfig } from '../../../src/config/load';
import { openStateStore } from '../../../src/state/open-store';
import { quickstartIn, runOnce } from '../../kit/quickstart';

describe('row-count-consistency when a table line is deleted from the config', () => {
  let dir: string;
  let file: string;
  beforeEach(() => ({ dir, file } = quickstartIn('table-removed-')));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  // A trial: the drift of shop.orders was announced RESOLVED once its line left the config, though the replica
  // still missed the rows.
  it('closes its alert as no longer checked, not as resolved', async () => {
    await runOnce(file);
    const text = readFileSync(file, 'utf8');
    writeFileSync(file, text.replace('      - { source: shop.orders, target: shop_raw.orders }\n', ''));
    const { report, printed } = await runOnce(file);

    expect(report.checks[0]?.findings.map((f) => [f.key, f.state])).toEqual([['shop.orders', 'retired']]);
    expect(printed).toContain('[shop-consistency] row-count-consistency: 1 no longer checked');
    expect(printed).toContain(
      '⚪ NO LONGER CHECKED CRITICAL shop.orders: target has 7 fewer rows than source',
    );
    expect(printed).toContain('No longer checked: what it is about was taken out of the check');
    expect(printed).not.toContain('RESOLVED');
    const store = await openStateStore(loadConfig(file, {}).state.url, dir);
    try {
      expect((await store.alertStates('shop-consistency')).map((s) => [s.key, s.status])).toEqual([
        ['shop.orders', 'retired'],
      ]);
    } finally {
      await store.close();
    }
  });

  it('still resolves an alert whose table is configured and caught up', async () => {
    await runOnce(file);
    cpSync(join(dir, 'data/source/orders.csv'), join(dir, 'data/target/orders.csv'));
    const { report, printed } = await runOnce(file);

    expect(report.checks[0]?.findings.map((f) => [f.key, f.state])).toEqual([['shop.orders', 'resolved']]);
    expect(printed).toContain('✅ RESOLVED CRITICAL shop.orders');
  });
});
