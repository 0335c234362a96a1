import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { loadConfig } from '../../src/config/load';
import { Agent } from '../../src/engine/agent';
import { Metrics } from '../../src/engine/metrics';
import { openStateStore } from '../../src/state/open-store';

const QUICKSTART = join(__dirname, '../../examples/quickstart');

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
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'findings-gauge-'));
    cpSync(QUICKSTART, dir, { recursive: true, filter: (src) => !src.includes('.guardrail') });
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('counts an alert kept firing while its table cannot be counted, as Chat and `guardrail alerts` show it', async () => {
    const file = join(dir, 'guardrail.yaml');
    const log = pino({ level: 'silent' });
    const metrics = new Metrics(log);
    const agent = new Agent(loadConfig(file, {}), { log, out: () => undefined, metrics });
    await agent.runOnce();
    const first = await gauge(metrics);
    // The replica's orders file goes: the table is unknown this run, and its drift alert stays as it was.
    rmSync(join(dir, 'data/target/orders.csv'));
    const second = await agent.runOnce();
    const after = await gauge(metrics);
    await agent.close();

    expect(first).toEqual({ critical: 1 });
    expect(second.checks[0]?.status).toBe('error');
    expect(await firingInStore(file, 'shop-consistency')).toEqual({ critical: 1, warning: 1 });
    expect(after).toEqual({ critical: 1, warning: 1 });
  });

  it('counts the alerts of a check that failed as a whole, which keeps them as they were', async () => {
    const file = join(dir, 'guardrail.yaml');
    const log = pino({ level: 'silent' });
    const metrics = new Metrics(log);
    const agent = new Agent(loadConfig(file, {}), { log, out: () => undefined, metrics });
    await agent.runOnce();
    // Every replica file goes: no table can be counted on that side.
    for (const table of ['customers', 'orders', 'products', 'payments'])
      rmSync(join(dir, `data/target/${table}.csv`));
    const second = await agent.runOnce();
    const after = await gauge(metrics);
    await agent.close();

    expect(second.checks[0]?.status).toBe('error');
    const inStore = await firingInStore(file, 'shop-consistency');
    expect(inStore.critical).toBeGreaterThanOrEqual(1);
    expect(after).toEqual(inStore);
  });
});
