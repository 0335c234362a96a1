import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { loadConfig } from '../../src/config/load';
import { Agent } from '../../src/engine/agent';
import type { StateStore } from '../../src/state/types';

const QUICKSTART = join(__dirname, '../../examples/quickstart');

/** The quickstart with a second copy of its check, as `serve` would run both on the same tick. */
function twoChecks(): string {
  const dir = mkdtempSync(join(tmpdir(), 'agent-concurrency-'));
  cpSync(QUICKSTART, dir, { recursive: true, filter: (src) => !src.includes('.guardrail') });
  const file = join(dir, 'guardrail.yaml');
  const text = readFileSync(file, 'utf8');
  const check = text.slice(text.indexOf('  - id: shop-consistency'), text.indexOf('\nalerts:'));
  writeFileSync(
    file,
    text.replace('\nalerts:', `\n${check.replace('shop-consistency', 'shop-copy')}\nalerts:`),
  );
  return file;
}

describe('one agent, concurrent runs (serve)', () => {
  it('announces a finding once when the same check runs twice at once (a cron tick and a manual run)', async () => {
    const printed: string[] = [];
    const agent = new Agent(loadConfig(twoChecks(), {}), {
      log: pino({ level: 'silent' }),
      out: (t) => printed.push(t),
    });
    await agent.open();
    // Make both runs read the check's alert states together if they can: each waits (up to 500 ms) for the other.
    const store = (agent as unknown as { store: StateStore }).store;
    const read = store.alertStates.bind(store);
    let arrived = 0;
    let release: () => void = () => undefined;
    const bothThere = new Promise<void>((resolve) => (release = resolve));
    store.alertStates = async (checkId) => {
      if (checkId === 'shop-consistency' && ++arrived === 2) release();
      await Promise.race([bothThere, new Promise((r) => setTimeout(r, 500))]);
      return read(checkId);
    };

    const reports = await Promise.all([
      agent.runOnce({ checkIds: ['shop-consistency'] }),
      agent.runOnce({ checkIds: ['shop-consistency'] }),
    ]);
    await agent.close();

    expect(printed).toHaveLength(1);
    expect(reports.flatMap((r) => r.checks[0]!.findings.map((f) => f.state)).sort()).toEqual([
      'firing',
      'new',
    ]);
  });
});

describe('one agent, many runs (serve): connections', () => {
  it('closes them once no run is checking, and the next run opens them again', async () => {
    const agent = new Agent(loadConfig(twoChecks(), {}), {
      log: pino({ level: 'silent' }),
      out: () => undefined,
    });
    const connections = () => (agent as unknown as { connections?: unknown }).connections;

    // Side by side, the first run to finish must not close what the other is still counting with.
    const together = await Promise.all([
      agent.runOnce({ checkIds: ['shop-consistency'] }),
      agent.runOnce({ checkIds: ['shop-copy'] }),
    ]);
    const closed = connections();
    const again = await agent.runOnce({ checkIds: ['shop-consistency'] });
    const closedAgain = connections();
    await agent.close();

    expect([...together, again].map((r) => r.checks[0]!.status)).toEqual(['firing', 'firing', 'firing']);
    // A DuckDB instance kept open holds native memory for every statement run on it (serve grew ~95 KB a run).
    expect([closed, closedAgain]).toEqual([undefined, undefined]);
  });
});
