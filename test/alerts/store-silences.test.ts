import { processResults, type PipelineConfig } from '../../alerts/pipeline';
import type { CheckRunResult, Finding } from '../../src/core/types';
import { openStateStore } from '../../src/state/open-store';
import type { StateStore, StoredSilence } from '../../src/state/types';
import { engines, removeTempDirs } from '../state/engines';

afterAll(removeTempDirs);

const HOUR = 3_600_000;
const T0 = Date.parse('2026-11-21T00:00:00.000Z');
const at = (hours: number) => new Date(T0 + hours * HOUR);

const drift = (key: string): Finding => ({
  key,
  severity: 'warning',
  title: `${key} drifted`,
  labels: { table: key },
});

const result = (findings: Finding[]): CheckRunResult => ({
  id: 'shop-consistency',
  kind: 'row-count-consistency',
  status: findings.length ? 'firing' : 'ok',
  startedAt: at(0).toISOString(),
  durationMs: 1,
  findings,
  measurements: [],
});

const CONFIG: PipelineConfig = {
  routes: [{ channel: 'console' }],
  silences: [],
  repeatInterval: 4 * HOUR,
  sendResolved: true,
};

describe.each(engines)('the pipeline with silences kept in the %s store', (_engine, newUrl) => {
  let store: StateStore;

  beforeEach(async () => {
    store = await openStateStore(await newUrl(), '/');
  });
  afterEach(() => store.close());

  /** One run at `T0 + hours`: the report's findings and the notified items. */
  async function runAt(hours: number, findings: Finding[], config = CONFIG) {
    const out = await processResults([result(findings)], config, store, at(hours), false);
    return {
      findings: out.findings.get('shop-consistency') ?? [],
      items: out.notifications.flatMap((n) => n.items),
    };
  }

  const silence = (key: string | undefined, untilHours: number): StoredSilence => ({
    id: 'a1b2c3d4',
    checkId: 'shop-consistency',
    ...(key !== undefined ? { key } : {}),
    until: at(untilHours).toISOString(),
    reason: 'backfill, INC-42',
    createdBy: 'alice',
    createdAt: at(0).toISOString(),
  });

  it('mutes a finding a stored silence matches and says by whom, why and until when', async () => {
    await store.addSilence(silence('shop.or*', 4));

    const run = await runAt(0, [drift('shop.orders'), drift('shop.users')]);

    expect(run.findings.map((f) => [f.key, f.state, f.silencedBy, f.silenceReason, f.silencedUntil])).toEqual(
      [
        ['shop.orders', 'silenced', 'alice', 'backfill, INC-42', at(4).toISOString()],
        ['shop.users', 'new', undefined, undefined, undefined],
      ],
    );
    expect(run.items.map((i) => i.key)).toEqual(['shop.users']);
  });

  it('announces a notified alert again at the first run after its silence is expired by hand', async () => {
    await runAt(0, [drift('shop.orders')]);
    await store.addSilence(silence('shop.orders', 8));
    const muted = await runAt(1, [drift('shop.orders')]);
    await store.expireSilence('a1b2c3d4', at(1.5));

    const again = await runAt(2, [drift('shop.orders')]);
    const after = await runAt(3, [drift('shop.orders')]);

    expect([muted.findings[0]?.state, muted.items]).toEqual(['silenced', []]);
    expect(again.items).toEqual([
      expect.objectContaining({
        key: 'shop.orders',
        status: 'repeat',
        firingSince: at(0).toISOString(),
        // Expired by hand before its end: it ended by this run at the latest.
        silence: { by: 'alice', reason: 'backfill, INC-42', until: at(2).toISOString() },
      }),
    ]);
    expect([after.findings[0]?.state, after.items]).toEqual(['firing', []]);
  });

  it('announces as new an alert silenced since its first sighting once the silence runs out', async () => {
    await store.addSilence(silence('shop.*', 4));
    await runAt(0, [drift('shop.orders')]);

    const expired = await runAt(5, [drift('shop.orders')]);

    expect(expired.items).toEqual([
      expect.objectContaining({
        status: 'new',
        silence: { by: 'alice', reason: 'backfill, INC-42', until: at(4).toISOString() },
      }),
    ]);
  });

  it("applies the config's silences beside the store's, by 'config', and a label selector", async () => {
    await store.addSilence({ ...silence(undefined, 4), labels: { table: 'shop.users' } });
    const config = {
      ...CONFIG,
      silences: [{ match: { key: 'shop.orders' }, until: at(4).toISOString(), reason: 'DR table' }],
    };

    const run = await runAt(0, [drift('shop.orders'), drift('shop.users'), drift('shop.items')], config);

    expect(run.findings.map((f) => [f.key, f.state, f.silencedBy])).toEqual([
      ['shop.orders', 'silenced', 'config'],
      ['shop.users', 'silenced', 'alice'],
      ['shop.items', 'new', undefined],
    ]);
  });

  it('sends no resolved notice for an alert that resolves while silenced, and forgets its silence', async () => {
    await runAt(0, [drift('shop.orders')]);
    await store.addSilence(silence('shop.orders', 8));
    await runAt(1, [drift('shop.orders')]);

    const gone = await runAt(2, []);
    const back = await runAt(9, [drift('shop.orders')]);

    expect([gone.findings[0]?.state, gone.items]).toEqual(['resolved', []]);
    expect(back.items).toEqual([expect.not.objectContaining({ silence: expect.anything() })]);
  });
});
