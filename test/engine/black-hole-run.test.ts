import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { loadConfig } from '../../src/config/load';
import { Agent } from '../../src/engine/agent';
import { startBlackHole, type BlackHole } from '../servers/black-hole';

const QUICKSTART = join(__dirname, '../../examples/quickstart');
/** The hung check's own timeout; its connection's connect timeout (10 s) is longer, so the runner cuts it. */
const CHECK_TIMEOUT_MS = 3_000;
/** A run: the hung check's timeout, the good check and the console delivery, with room to spare. */
const RUN_BOUND_MS = 3 * CHECK_TIMEOUT_MS;

/** The quickstart plus a check whose source is a PostgreSQL server that accepts and never answers. */
function withHungCheck(port: number): string {
  const dir = mkdtempSync(join(tmpdir(), 'black-hole-run-'));
  cpSync(QUICKSTART, dir, { recursive: true, filter: (src) => !src.includes('.guardrail') });
  const file = join(dir, 'guardrail.yaml');
  const hung = [
    '  hung:',
    '    type: postgres',
    `    url: postgres://guardrail@127.0.0.1:${port}/shop`,
    '    statementTimeout: 30s',
    '',
  ].join('\n');
  const check = [
    '  - id: hung-consistency',
    '    kind: row-count-consistency',
    '    source: hung',
    '    target: target',
    `    timeout: ${CHECK_TIMEOUT_MS / 1000}s`,
    '    tables:',
    '      - { source: shop.orders, target: shop_raw.orders }',
    '',
  ].join('\n');
  // The connection goes last under `connections:`, the check first under `checks:`.
  const text = readFileSync(file, 'utf8').replace('\nchecks:\n', `${hung}\nchecks:\n${check}`);
  writeFileSync(file, text);
  return file;
}

async function timed<T>(work: Promise<T>): Promise<{ ms: number; value: T }> {
  const started = Date.now();
  const value = await work;
  return { ms: Date.now() - started, value };
}

describe('a run with one check whose database accepts connections and never answers', () => {
  let hole: BlackHole;
  beforeEach(async () => (hole = await startBlackHole()));
  afterEach(() => hole.close());

  it('finishes in bounded time, delivers the good check, reports the hung one, and runs again', async () => {
    const printed: string[] = [];
    const agent = new Agent(loadConfig(withHungCheck(hole.port), {}), {
      log: pino({ level: 'silent' }),
      out: (t) => printed.push(t),
    });

    const first = await timed(agent.runOnce());
    const printedFirst = printed.splice(0).join('\n');
    const second = await timed(agent.runOnce());
    const closed = await timed(agent.close());

    const status = (report: typeof first.value) => report.checks.map((c) => [c.id, c.status]);
    expect(status(first.value)).toEqual([
      ['hung-consistency', 'error'],
      ['shop-consistency', 'firing'],
    ]);
    expect(first.value.checks[0]?.error).toBe(`timed out after ${CHECK_TIMEOUT_MS / 1000}s`);
    expect(first.value.checks[1]?.findings.map((f) => `${f.key}:${f.state}`)).toEqual(['shop.orders:new']);
    expect(printedFirst).toContain('shop.orders');
    expect(first.ms).toBeLessThan(RUN_BOUND_MS);
    expect(status(second.value)).toEqual([
      ['hung-consistency', 'error'],
      ['shop-consistency', 'firing'],
    ]);
    expect(second.ms).toBeLessThan(RUN_BOUND_MS);
    expect(closed.ms).toBeLessThan(CHECK_TIMEOUT_MS);
    expect(hole.accepted).toBeGreaterThanOrEqual(1);
  });
});
