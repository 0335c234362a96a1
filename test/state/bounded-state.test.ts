import BetterSqlite3 from 'better-sqlite3';
import { MIGRATIONS } from '../../src/state/migrations';
import { openStateStore } from '../../src/state/open-store';
import { STORE_CLOCK, type AlertState, type StateStore } from '../../src/state/types';
import { engines, removeTempDirs } from './engines';
import { alert, finding, message } from './records';

afterAll(removeTempDirs);

const OLD = '2025-01-01T00:00:00.000Z';
const RECENT = '2025-03-01T00:00:00.000Z';
const RETENTION_START = new Date('2025-02-01T00:00:00.000Z');

const event = (key: string, lastSeenAt: string): AlertState =>
  alert({ key, lastSeenAt, lastNotifiedAt: lastSeenAt, finding: { ...finding, key, lifecycle: 'event' } });
const condition = (key: string, overrides: Partial<AlertState> = {}): AlertState =>
  alert({ key, finding: { ...finding, key }, ...overrides });
const resolved = (key: string, at: string) => condition(key, { status: 'resolved', resolvedAt: at });

describe.each(engines)('%s state store, bounded', (_engine, newUrl) => {
  let store: StateStore;

  beforeEach(async () => {
    store = await openStateStore(await newUrl(), '/');
  });
  afterEach(() => store.close());

  it('prunes events last seen before the retention, keeps recent events and open conditions', async () => {
    const retired = condition('vol-unlisted', { status: 'retired', resolvedAt: OLD });
    await store.commitAlerts(
      [
        event('job-old', OLD),
        event('job-recent', RECENT),
        condition('vol-old'),
        resolved('vol-gone', OLD),
        retired,
      ],
      [],
    );

    const deleted = await store.prune(RETENTION_START);

    expect(deleted).toBe(3);
    expect((await store.alertStates('idle')).map((s) => s.key)).toEqual(['job-recent', 'vol-old']);
  });

  it("reads for a run only the open conditions and the reported keys' states", async () => {
    await store.commitAlerts(
      [
        event('job-1', RECENT),
        event('job-2', RECENT),
        condition('vol-1'),
        resolved('vol-2', RECENT),
        resolved('vol-3', RECENT),
        condition('vol-9', { checkId: 'other' }),
      ],
      [],
    );

    const states = await store.alertStates('idle', ['job-2', 'vol-3', 'never-seen']);

    expect(states.map((s) => s.key)).toEqual(['job-2', 'vol-1', 'vol-3']);
    expect(await store.alertStates('idle', [])).toEqual([condition('vol-1')]);
  });

  it('leaves out the stored finding of a condition the run reports again, and only that', async () => {
    await store.commitAlerts([event('job-1', RECENT), condition('vol-1'), condition('vol-2')], []);

    const states = await store.alertStates('idle', ['job-1', 'vol-1']);

    // vol-1 is reported again: its new finding replaces the stored one, which the run need not read.
    const { finding: _dropped, ...withoutFinding } = condition('vol-1');
    expect(states).toEqual([event('job-1', RECENT), withoutFinding, condition('vol-2')]);
  });

  it('keeps the stored finding of an error alert reported again, so that a new cause can be told', async () => {
    const errors = [condition('check-error'), condition('region-error:111/eu-west-1')];
    await store.commitAlerts([...errors, condition('vol-1')], []);

    const states = await store.alertStates('idle', ['check-error', 'region-error:111/eu-west-1', 'vol-1']);

    const { finding: _dropped, ...withoutFinding } = condition('vol-1');
    expect(states).toEqual([...errors, withoutFinding]);
  });

  it('claims on the store clock: due messages only, until the store clock passes the claim', async () => {
    const claimMs = 60_000;
    await store.commitAlerts(
      [],
      [message('due', OLD), message('later', OLD, { nextAttemptAt: '2100-01-01T00:00:00Z' })],
    );
    const before = Date.now();

    const claimed = await store.claimOutbox(STORE_CLOCK, 10, claimMs);

    expect(claimed.map((r) => r.id)).toEqual(['due']);
    const until = Date.parse(claimed[0]!.nextAttemptAt);
    expect(until).toBeGreaterThanOrEqual(before + claimMs - 1_000);
    expect(until).toBeLessThanOrEqual(Date.now() + claimMs + 1_000);
    expect(await store.claimOutbox(STORE_CLOCK, 10, claimMs)).toEqual([]);
    expect(await store.pendingOutbox(STORE_CLOCK, 10)).toEqual([]);
  });
});

describe('upgrading a store written before the lifecycle column', () => {
  it('finds the events already stored and prunes them like new ones', async () => {
    const url = await engines[0]![1]();
    const file = url.slice('sqlite://'.length);
    const db = new BetterSqlite3(file);
    const v1 = MIGRATIONS[0]!;
    db.exec(typeof v1.sql === 'string' ? v1.sql : v1.sql.sqlite);
    db.exec(`CREATE TABLE guardrail_schema_version (version INTEGER PRIMARY KEY, description TEXT NOT NULL,
      applied_at TEXT NOT NULL); INSERT INTO guardrail_schema_version VALUES (1, 'v1', '${OLD}')`);
    const insert = db.prepare(
      `INSERT INTO guardrail_alert_state (check_id, key, status, severity, first_firing_at, last_seen_at, finding)
       VALUES ('idle', ?, 'firing', 'warning', ?, ?, ?)`,
    );
    insert.run('job-old', OLD, OLD, JSON.stringify({ ...finding, key: 'job-old', lifecycle: 'event' }));
    insert.run('vol-old', OLD, OLD, JSON.stringify({ ...finding, key: 'vol-old' }));
    db.close();

    const store = await openStateStore(url, '/');
    try {
      expect(await store.alertStates('idle', [])).toEqual([expect.objectContaining({ key: 'vol-old' })]);
      expect(await store.prune(RETENTION_START)).toBe(1);
      expect((await store.alertStates('idle')).map((s) => s.key)).toEqual(['vol-old']);
    } finally {
      await store.close();
    }
  });
});
