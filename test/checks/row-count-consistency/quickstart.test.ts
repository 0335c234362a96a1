import { join } from 'node:path';
import { loadConfig } from '../../../src/config/load';
import type { CheckCommon } from '../../../src/core/types';
import type { RowCountConsistencyConfig } from '../../../checks/row-count-consistency/schema';
import { rowCountConsistency } from '../../../checks/row-count-consistency';
import { checkContext } from '../../kit/check-context';
import pino from 'pino';
import { createConnectionProvider } from '../../../src/connectors/provider';

const QUICKSTART = join(__dirname, '../../../examples/quickstart');

describe('the quickstart example', () => {
  it('reports the drifted orders table, and only it', async () => {
    // Through the config loader, which also reads the analysts' tableFiles (tables/*.yaml).
    const config = loadConfig(join(QUICKSTART, 'guardrail.yaml'), {});
    const connections = createConnectionProvider(config.connections, {
      configDir: QUICKSTART,
      log: pino({ level: 'silent' }),
    });

    const result = await rowCountConsistency.run(checkContext(connections, { configDir: QUICKSTART }), {
      ...(config.checks[0] as unknown as RowCountConsistencyConfig & CheckCommon),
      id: 'consistency',
    });
    await connections.closeAll();

    expect(result.errorsWithFindings).toEqual([]);
    expect(result.findings).toEqual([
      expect.objectContaining({
        key: 'shop.orders',
        severity: 'critical',
        title:
          'shop.orders: target has 7 fewer rows than source (source 240, target 233, 2.92%; whole table)',
        metrics: { sourceRows: 240, targetRows: 233, diffRows: 7, diffRatio: 7 / 240, allowedRows: 1 },
      }),
    ]);
    expect(result.measurements.filter((m) => m.name === 'table_row_diff')).toEqual([
      { name: 'table_row_diff', value: 0, labels: { check: 'consistency', table: 'shop.customers' } },
      { name: 'table_row_diff', value: 7, labels: { check: 'consistency', table: 'shop.orders' } },
      { name: 'table_row_diff', value: 1, labels: { check: 'consistency', table: 'shop.products' } },
      { name: 'table_row_diff', value: 0, labels: { check: 'consistency', table: 'shop.payments' } },
    ]);
    expect(result.measurements).toContainEqual({
      name: 'table_freshness_lag_seconds',
      value: 21 * 60,
      labels: { check: 'consistency', table: 'shop.orders' },
    });
  });

  // A review: the run's start time stood for now, so a check that read its source after waiting behind others
  // (here: a run that started before the quickstart's rows were written) called a real lag 'in the future'.
  it('calls a lag a lag when the source was read after the run began', async () => {
    const config = loadConfig(join(QUICKSTART, 'guardrail.yaml'), {});
    const connections = createConnectionProvider(config.connections, {
      configDir: QUICKSTART,
      log: pino({ level: 'silent' }),
    });
    const check = config.checks[0] as unknown as RowCountConsistencyConfig & CheckCommon;

    const result = await rowCountConsistency.run(
      checkContext(connections, { configDir: QUICKSTART, now: new Date('2026-11-01T00:00:00Z') }),
      { ...check, id: 'consistency', freshness: { ...check.freshness!, maxLag: 60_000 } },
    );
    await connections.closeAll();

    const lag = result.findings.find((f) => f.key === 'shop.orders:freshness');
    expect(lag?.title).toMatch(/^shop\.orders: target is 21m behind source .*; allowed 1m$/);
  });

  it('reports a misspelt table in one line, with the name it probably meant', async () => {
    const config = loadConfig(join(QUICKSTART, 'guardrail.yaml'), {});
    const check = config.checks[0] as unknown as RowCountConsistencyConfig & CheckCommon;
    const tables = check.tables.map((t) =>
      t.target === 'shop_raw.orders' ? { ...t, target: 'shop_raw.orderz' } : t,
    );
    const connections = createConnectionProvider(config.connections, {
      configDir: QUICKSTART,
      log: pino({ level: 'silent' }),
    });

    const result = await rowCountConsistency.run(checkContext(connections, { configDir: QUICKSTART }), {
      ...check,
      tables,
      id: 'consistency',
    });
    await connections.closeAll();

    const missing = result.findings.find((f) => f.key === 'shop.orders:target-error');
    expect(missing).toEqual(
      expect.objectContaining({
        severity: 'critical',
        title: 'shop.orders: table shop_raw.orderz not found on target; did you mean shop_raw.orders?',
      }),
    );
    expect(missing?.summary).toBeUndefined();
    expect(result.errorsWithFindings).toEqual([
      'shop.orders: table shop_raw.orderz not found on target; did you mean shop_raw.orders?',
    ]);
  });
});
