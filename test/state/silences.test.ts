import { openStateStore } from '../../src/state/open-store';
import type { StateStore, StoredSilence } from '../../src/state/types';
import { engines, removeTempDirs } from './engines';

afterAll(removeTempDirs);

const T0 = Date.parse('2026-11-21T00:00:00.000Z');
const HOUR = 3_600_000;
const at = (hours: number) => new Date(T0 + hours * HOUR);

const silence = (id: string, untilHours: number, extra: Partial<StoredSilence> = {}): StoredSilence => ({
  id,
  checkId: 'shop-consistency',
  until: at(untilHours).toISOString(),
  reason: 'backfill, INC-42',
  createdBy: 'alice',
  createdAt: at(0).toISOString(),
  ...extra,
});

describe.each(engines)('%s state store silences', (_engine, newUrl) => {
  let store: StateStore;

  beforeEach(async () => {
    store = await openStateStore(await newUrl(), '/');
  });
  afterEach(() => store.close());

  it('stores a silence with its key glob and labels and lists it while active', async () => {
    const full = silence('a1b2c3d4', 4, { key: 'shop.*', labels: { table: 'shop.orders' } });
    await store.addSilence(full);
    await store.addSilence(silence('00000002', 2));

    expect(await store.activeSilences(at(1))).toEqual([silence('00000002', 2), full]);
    expect(await store.activeSilences(at(3))).toEqual([full]);
    expect(await store.activeSilences(at(4))).toEqual([]);
  });

  it('expires an active silence by hand, once; an unknown id changes nothing', async () => {
    await store.addSilence(silence('a1b2c3d4', 4));

    const first = await store.expireSilence('a1b2c3d4', at(1));
    const again = await store.expireSilence('a1b2c3d4', at(2));
    const unknown = await store.expireSilence('ffffffff', at(2));

    expect([first, again, unknown]).toEqual([true, false, false]);
    expect(await store.activeSilences(at(1.5))).toEqual([]);
    expect(await store.allSilences()).toEqual([
      { ...silence('a1b2c3d4', 1), expiredAt: at(1).toISOString() },
    ]);
  });

  it('lists expired silences with --all, newest first, and prunes them after the retention', async () => {
    await store.addSilence(silence('00000001', 1));
    await store.addSilence(silence('00000002', 10, { createdAt: at(0.5).toISOString() }));

    const all = await store.allSilences();
    const pruned = await store.prune(at(5));

    expect(all.map((s) => s.id)).toEqual(['00000002', '00000001']);
    expect(pruned).toBe(1);
    expect((await store.allSilences()).map((s) => s.id)).toEqual(['00000002']);
  });

  it('rejects a second silence with the same id', async () => {
    await store.addSilence(silence('a1b2c3d4', 4));

    // A property match, not toThrow: better-sqlite3's error may come from another realm than jest's Error.
    await expect(store.addSilence(silence('a1b2c3d4', 5))).rejects.toHaveProperty(
      'message',
      expect.stringMatching(/UNIQUE constraint failed|duplicate key value/),
    );
  });

  it("keeps the silence on an alert state, and lists every check's states", async () => {
    const note = { by: 'alice', reason: 'backfill', until: at(4).toISOString() };
    const state = (checkId: string, key: string) => ({
      checkId,
      key,
      status: 'firing' as const,
      severity: 'warning' as const,
      firstFiringAt: at(0).toISOString(),
      lastSeenAt: at(0).toISOString(),
      finding: { key, severity: 'warning' as const, title: `${key} drifted` },
    });
    await store.commitAlerts([{ ...state('b', 'x'), silence: note }, state('a', 'y')], []);

    const all = await store.listAlertStates();
    const one = await store.listAlertStates('b');

    expect(all).toEqual([state('a', 'y'), { ...state('b', 'x'), silence: note }]);
    expect(one).toEqual([{ ...state('b', 'x'), silence: note }]);
  });
});
