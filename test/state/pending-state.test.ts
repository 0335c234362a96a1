import type { AlertState, StateStore } from '../../src/state/types';
import { openStateStore } from '../../src/state/open-store';
import { engines, removeTempDirs } from './engines';
import { alert, finding } from './records';

afterAll(removeTempDirs);

const OLD = '2025-01-01T00:00:00.000Z';
const RECENT = '2025-03-01T00:00:00.000Z';
const RETENTION_START = new Date('2025-02-01T00:00:00.000Z');

const pending = (key: string, lastSeenAt: string, pendingRuns = 1): AlertState =>
  alert({ key, status: 'pending', lastSeenAt, pendingRuns, finding: { ...finding, key } });

describe.each(engines)("%s state store, a check's for: (pending alerts)", (_engine, newUrl) => {
  let store: StateStore;

  beforeEach(async () => {
    store = await openStateStore(await newUrl(), '/');
  });
  afterEach(() => store.close());

  it('round-trips a pending alert with its consecutive-runs count, then the firing alert it becomes', async () => {
    await store.commitAlerts([pending('vol-1', RECENT, 3)], []);
    const read = await store.alertStates('idle');

    const fired = alert({ key: 'vol-1', lastSeenAt: RECENT, finding: { ...finding, key: 'vol-1' } });
    await store.commitAlerts([fired], []);

    expect(read).toEqual([pending('vol-1', RECENT, 3)]);
    expect(await store.alertStates('idle')).toEqual([fired]);
  });

  it('reads pending conditions for a run like firing ones, whatever keys the run reported', async () => {
    await store.commitAlerts(
      [pending('vol-1', RECENT), alert({ key: 'vol-2', status: 'resolved', resolvedAt: RECENT })],
      [],
    );

    const states = await store.alertStates('idle', []);

    expect(states).toEqual([pending('vol-1', RECENT)]);
  });

  it('prunes pending alerts not seen within the retention, keeping recent ones', async () => {
    await store.commitAlerts([pending('vol-old', OLD, 2), pending('vol-recent', RECENT, 2)], []);

    const deleted = await store.prune(RETENTION_START);

    expect(deleted).toBe(1);
    expect((await store.alertStates('idle')).map((s) => s.key)).toEqual(['vol-recent']);
  });
});
