import { rmSync } from 'node:fs';
import { join } from 'node:path';
import pino from 'pino';
import { loadConfig } from '../../src/config/load';
import { Metrics } from '../../src/engine/metrics';
import { formatReport } from '../../src/engine/report';
import { openStateStore } from '../../src/state/open-store';
import { quickstartIn, runOnce } from '../kit/quickstart';

/** guardrail_findings of the check, by severity (severities at 0 left out). */
async function gauge(metrics: Metrics): Promise<Record<string, number>> {
  const text = await metrics.registry.getSingleMetricAsString('guardrail_findings');
  const counts: Record<string, number> = {};
  for (const [, severity, value] of text.matchAll(/guardrail_findings\{[^}]*severity="(\w+)"[^}]*\} (\d+)/g))
    if (Number(value)) counts[severity!] = Number(value);
  return counts;
}

/** The check's alerts the store has firing, by severity of their finding, as `guardrail alerts` lists them. */
async function firingInStore(configFile: string, checkId: string): Promise<Record<string, number>> {
  const config = loadConfig(configFile, {});
  const store = await openStateStore(config.state.url, config.dir);
  try {
    const counts: Record<string, number> = {};
    for (const state of await store.alertStates(checkId)) {
      if (state.status !== 'firing') continue;
      const severity = state.finding?.severity ?? state.severity;
      counts[severity] = (counts[severity] ?? 0) + 1;
    }
    return counts;
  } finally {
    await store.close();
  }
}

describe('guardrail_findings', () => {
  let dir: string;
  let file: string;
  let metrics: Metrics;
  beforeEach(() => {
    ({ dir, file } = quickstartIn('findings-gauge-'));
    metrics = new Metrics(pino({ level: 'silent' }));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('counts an alert kept firing while its table cannot be counted, as Chat and `guardrail alerts` show it', async () => {
    await runOnce(file, metrics);
    const first = await gauge(metrics);
    // The replica's orders file goes: the table is unknown this run, and its drift alert stays as it was.
    rmSync(join(dir, 'data/target/orders.csv'));
    const second = await runOnce(file, metrics);
    const after = await gauge(metrics);

    expect(first).toEqual({ critical: 1 });
    expect(second.report.checks[0]?.status).toBe('error');
    expect(await firingInStore(file, 'shop-consistency')).toEqual({ critical: 1, warning: 1 });
    expect(after).toEqual({ critical: 1, warning: 1 });
    // The run's own report says so too (a trial: "2 finding(s)" there, 3 firing in `guardrail alerts`).
    expect(second.report.checks[0]?.kept).toEqual([
      { key: 'shop.orders', severity: 'critical', title: expect.stringContaining('7 fewer rows') },
    ]);
    expect(formatReport(second.report)).toContain('kept firing (not seen this run)');
  });

  it('counts the alerts of a check that failed as a whole, which keeps them as they were', async () => {
    await runOnce(file, metrics);
    // Every replica file goes: no table can be counted on that side.
    for (const table of ['customers', 'orders', 'products', 'payments'])
      rmSync(join(dir, `data/target/${table}.csv`));
    const second = await runOnce(file, metrics);
    const after = await gauge(metrics);

    expect(second.report.checks[0]?.status).toBe('error');
    const inStore = await firingInStore(file, 'shop-consistency');
    expect(inStore.critical).toBeGreaterThanOrEqual(1);
    expect(after).toEqual(inStore);
  });
});
