import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { loadConfig } from '../../src/config/load';
import { Agent } from '../../src/engine/agent';
import { openStateStore } from '../../src/state/open-store';
import { Metrics } from '../../src/engine/metrics';

const QUICKSTART = join(__dirname, '../../examples/quickstart');

/** The quickstart in a temporary folder, its consistency check given `for: 2 runs`. */
function quickstartWithFor(dir: string): string {
  cpSync(QUICKSTART, dir, { recursive: true, filter: (src) => !src.includes('.guardrail') });
  const file = join(dir, 'guardrail.yaml');
  const text = readFileSync(file, 'utf8').replace(
    '    kind: row-count-consistency\n',
    '    kind: row-count-consistency\n    for: 2 runs\n',
  );
  writeFileSync(file, text);
  return file;
}

describe('a quickstart check with for: 2 runs', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'pending-for-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('reports the drift as pending and sends nothing on the first run, then notifies it as new', async () => {
    const printed: string[] = [];
    const config = loadConfig(quickstartWithFor(dir), {});
    const log = pino({ level: 'silent' });
    const agent = new Agent(config, { log, out: (t) => printed.push(t), metrics: new Metrics(log) });

    const firing = async () =>
      (await agent.metrics!.registry.getSingleMetricAsString('guardrail_findings')).match(
        /guardrail_findings\{[^}]*severity="critical"\} (\d+)/,
      )?.[1];
    const first = await agent.runOnce();
    const firingFirst = await firing();
    const printedFirst = printed.splice(0);
    const second = await agent.runOnce();
    const firingSecond = await firing();
    await agent.close();

    const findings = (report: typeof first) => report.checks[0]?.findings.map((f) => `${f.key}:${f.state}`);
    expect(config.checks[0]?.pendingFor).toEqual({ runs: 2 });
    expect(findings(first)).toEqual(['shop.orders:pending']);
    expect(printedFirst).toEqual([]);
    expect([firingFirst, firingSecond]).toEqual(['0', '1']);
    expect(first.notifications).toEqual({ sent: 0, failed: 0, pending: 0, suppressed: 0 });
    expect(findings(second)).toEqual(['shop.orders:new']);
    expect(printed.join('\n')).toContain('shop.orders');
    expect(second.notifications).toEqual({ sent: 1, failed: 0, pending: 0, suppressed: 0 });
    const store = await openStateStore(config.state.url, config.dir);
    try {
      expect(await store.alertStates('shop-consistency')).toEqual([
        expect.objectContaining({ key: 'shop.orders', status: 'firing', firstFiringAt: first.startedAt }),
      ]);
    } finally {
      await store.close();
    }
  });
});
