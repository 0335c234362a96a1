import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import pino from 'pino';
import { toOutbox } from '../../alerts/pipeline';
import type { Notification } from '../../alerts/types';
import { StoreProbe } from '../../src/cli/store-probe';
import { Metrics } from '../../src/engine/metrics';
import { openStateStore } from '../../src/state/open-store';
import type { StateStore } from '../../src/state/types';

const message = (checkId: string): Notification => ({
  id: randomUUID(),
  channel: 'console',
  checkId,
  checkKind: 'row-count-consistency',
  createdAt: new Date().toISOString(),
  items: [],
});

async function gauge(metrics: Metrics, name: string): Promise<number | undefined> {
  const metric = (await metrics.registry.getMetricsAsJSON()).find((m) => m.name === name);
  return (metric?.values[0]?.value as number | undefined) ?? undefined;
}

describe("serve's state-store probe", () => {
  let store: StateStore;
  let answers: 'yes' | 'never';
  const lines: Record<string, unknown>[] = [];
  const log = pino(
    { level: 'info' },
    new Writable({ write: (chunk, _enc, done) => (lines.push(JSON.parse(String(chunk))), done()) }),
  );
  beforeAll(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'guardrail-probe-'));
    const real = await openStateStore(`sqlite://${join(dir, 'state.db')}`, dir);
    await real.commitAlerts([], [toOutbox(message('a'), new Date()), toOutbox(message('b'), new Date())]);
    // The store as it is, but for a ping that can be made to hang, as a frozen server's does.
    store = Object.assign(Object.create(real) as StateStore, {
      ping: () => (answers === 'yes' ? real.ping() : new Promise<void>(() => undefined)),
    });
  });

  it('reports the store up, down once, and up again once, with the outbox count of the store', async () => {
    const metrics = new Metrics();
    const probe = new StoreProbe(store, log, metrics, 60_000, 50);

    answers = 'yes';
    await probe.probe();
    await probe.pendingCount;
    expect(await gauge(metrics, 'guardrail_state_store_up')).toBe(1);
    expect(await gauge(metrics, 'guardrail_outbox_pending')).toBe(2);
    expect(probe.unreachableSince).toBeUndefined();

    answers = 'never';
    const before = Date.now();
    await probe.probe();
    await probe.probe();
    expect(await gauge(metrics, 'guardrail_state_store_up')).toBe(0);
    expect(probe.unreachableSince).toBeGreaterThanOrEqual(before);
    const down = lines.filter((l) => l.level === 50);
    expect(down).toEqual([
      expect.objectContaining({
        msg: 'state store unreachable: checks cannot record results or deliver alerts until it answers',
        err: 'no answer within 50ms',
      }),
    ]);

    answers = 'yes';
    await probe.probe();
    expect(await gauge(metrics, 'guardrail_state_store_up')).toBe(1);
    expect(probe.unreachableSince).toBeUndefined();
    expect(lines.filter((l) => l.msg === 'state store answering again')).toHaveLength(1);
  });
});
