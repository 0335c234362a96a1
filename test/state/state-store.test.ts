import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LATEST_SCHEMA_VERSION, MIGRATIONS } from '../../src/state/migrations';
import { openStateStore } from '../../src/state/open-store';
import type { OutboxRecord, StateStore } from '../../src/state/types';
import { freshPgDatabase } from '../harness/databases';
import { outboxRows } from './outbox-rows';
import { alert, finding, message } from './records';
import { recordVersion, schemaVersions } from './schema-versions';

const tempDirs: string[] = [];
afterAll(() => tempDirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'guardrail-state-'));
  tempDirs.push(dir);
  return dir;
}

const engines: [string, () => Promise<string>][] = [
  ['sqlite', async () => `sqlite://${join(tempDir(), 'nested', 'state.db')}`],
  ['postgres', () => freshPgDatabase('state')],
];

describe.each(engines)('%s state store', (_engine, newUrl) => {
  let url: string;
  let store: StateStore;

  beforeEach(async () => {
    url = await newUrl();
    store = await openStateStore(url, '/');
  });
  afterEach(() => store.close());

  it('records the schema version once, however many processes migrate at the same time', async () => {
    const fresh = await newUrl();

    const stores = await Promise.all([1, 2, 3].map(() => openStateStore(fresh, '/')));
    await Promise.all(stores.map((each) => each.migrate()));
    await Promise.all(stores.map((each) => each.close()));

    expect(await schemaVersions(fresh)).toEqual(MIGRATIONS.map((m) => m.version));
  });

  // A trial ran the previous build on a store this one had migrated: it ran on, applied a cleanup plan this one
  // refuses and re-announced resolved alerts. A build now refuses a store migrated by a newer one.
  it('refuses a store a newer Guardrail migrated, saying which versions', async () => {
    const fresh = await newUrl();
    await (await openStateStore(fresh, '/')).close();
    await recordVersion(fresh, LATEST_SCHEMA_VERSION + 1);

    const opening = openStateStore(fresh, '/');

    await expect(opening).rejects.toThrow(
      `it was migrated by a newer Guardrail (schema version ${LATEST_SCHEMA_VERSION + 1}; this one knows up to ${LATEST_SCHEMA_VERSION})`,
    );
  });

  it('upserts alert states by check and key and reads them back per check', async () => {
    await store.commitAlerts([alert(), alert({ key: 'vol-2' }), alert({ checkId: 'other' })], []);
    const resolved = alert({
      status: 'resolved',
      resolvedAt: '2025-01-02T00:00:00Z',
      lastNotifiedAt: '2025-01-02T00:00:00Z',
    });

    await store.commitAlerts([resolved], []);

    expect(await store.alertStates('idle')).toEqual([
      { ...resolved, resolvedAt: '2025-01-02T00:00:00.000Z', lastNotifiedAt: '2025-01-02T00:00:00.000Z' },
      alert({ key: 'vol-2' }),
    ]);
  });

  it('enqueues a message once however often it is committed', async () => {
    await store.commitAlerts([], [message('m1', '2025-01-01T00:00:00.000Z')]);

    await store.commitAlerts([], [message('m1', '2025-01-01T00:00:00.000Z', { payload: 'changed' })]);

    expect(await store.pendingOutbox(new Date('2025-01-01T00:00:00Z'), 10)).toEqual([
      message('m1', '2025-01-01T00:00:00.000Z'),
    ]);
    expect(await store.countPending()).toBe(1);
  });

  it('returns due pending messages oldest first, up to the limit', async () => {
    const due = (id: string, at: string) => message(id, at, { nextAttemptAt: '2025-01-01T00:00:00.000Z' });
    const later = message('m-later', '2025-01-01T00:00:00.000Z', {
      nextAttemptAt: '2025-01-01T00:00:01.000Z',
    });
    await store.commitAlerts(
      [],
      [due('b', '2025-01-01T00:00:00.000Z'), due('c', '2024-12-31T00:00:00.000Z'), later],
    );
    await store.commitAlerts(
      [],
      [due('a', '2025-01-01T00:00:00.000Z'), due('d', '2025-01-01T00:00:00.000Z')],
    );

    const pending = await store.pendingOutbox(new Date('2025-01-01T00:00:00.500Z'), 3);

    expect(pending.map((record) => record.id)).toEqual(['c', 'a', 'b']);
  });

  it('counts failures, then sends or drops, leaving only pending messages to deliver', async () => {
    const at = '2025-01-01T00:00:00.000Z';
    await store.commitAlerts([], [message('retry', at), message('sent', at), message('dropped', at)]);

    await store.markFailed('retry', 'HTTP 503', new Date('2025-01-01T00:01:00Z'));
    await store.markFailed('retry', 'HTTP 429', new Date('2025-01-01T00:02:00Z'));
    await store.markSent('sent', new Date('2025-01-01T00:00:05Z'));
    await store.markDropped('dropped', 'HTTP 404: no such space');

    expect(await store.countPending()).toBe(1);
    expect(await store.pendingOutbox(new Date('2025-01-01T00:01:59Z'), 10)).toEqual([]);
    expect(await store.pendingOutbox(new Date('2025-01-01T00:02:00Z'), 10)).toEqual([
      message('retry', at, { attempts: 2, lastError: 'HTTP 429', nextAttemptAt: '2025-01-01T00:02:00.000Z' }),
    ]);
  });

  it('reads the messages not delivered, pending and dropped, of one check or of all, oldest first', async () => {
    const at = '2025-01-01T00:00:00.000Z';
    const other = message('other', '2024-12-31T00:00:00.000Z', { checkId: 'other' });
    await store.commitAlerts([], [message('retry', at), message('sent', at), message('dropped', at), other]);
    await store.markFailed('retry', 'HTTP 503', new Date('2025-01-01T00:01:00Z'));
    await store.markSent('sent', new Date('2025-01-01T00:00:05Z'));
    await store.markDropped('dropped', 'HTTP 400: message too long');

    const ofCheck = await store.undeliveredOutbox('idle');
    const ofAll = await store.undeliveredOutbox();

    expect(ofCheck).toEqual([
      message('dropped', at, { status: 'dropped', lastError: 'HTTP 400: message too long' }),
      message('retry', at, { attempts: 1, lastError: 'HTTP 503', nextAttemptAt: '2025-01-01T00:01:00.000Z' }),
    ]);
    expect(ofAll.map((record) => record.id)).toEqual(['other', 'dropped', 'retry']);
  });

  it('changes a message only while it is pending, so a deliverer with a stale batch cannot flip it', async () => {
    const at = '2025-01-01T00:00:00.000Z';
    await store.commitAlerts([], [message('sent', at), message('dropped', at)]);
    expect(await store.markSent('sent', new Date('2025-01-01T00:00:05Z'))).toBe(true);
    expect(await store.markDropped('dropped', 'older than alerts.maxDeliveryAge')).toBe(true);

    const stale = [
      await store.markSent('sent', new Date('2025-01-01T00:09:00Z')),
      await store.markFailed('sent', 'HTTP 503', new Date('2025-01-01T00:10:00Z')),
      await store.markDropped('sent', 'HTTP 400'),
      await store.markSent('dropped', new Date('2025-01-01T00:09:00Z')),
      await store.markFailed('dropped', 'HTTP 503', new Date('2025-01-01T00:10:00Z')),
    ];

    expect(stale).toEqual([false, false, false, false, false]);
    expect(await outboxRows(url)).toEqual([
      {
        id: 'dropped',
        status: 'dropped',
        attempts: 0,
        next_attempt_at: at,
        last_error: 'older than alerts.maxDeliveryAge',
        sent_at: null,
      },
      {
        id: 'sent',
        status: 'sent',
        attempts: 0,
        next_attempt_at: at,
        last_error: null,
        sent_at: '2025-01-01T00:00:05.000Z',
      },
    ]);
  });

  it('claims due messages oldest first, of the given channels only, and hides them until the claim expires', async () => {
    const at = '2025-01-01T00:00:00.000Z';
    const later = '2025-01-01T00:00:01.000Z';
    await store.commitAlerts(
      [],
      // Each of its own check: one thread's messages are claimed one after another (see the next test).
      [
        message('c', later, { checkId: 'c' }),
        message('a', at, { checkId: 'a' }),
        message('b', at, { channel: 'ops', checkId: 'b' }),
        message('not-due', at, { nextAttemptAt: '2025-01-01T00:10:00.000Z', checkId: 'not-due' }),
      ],
    );
    const until = '2025-01-01T00:00:35.000Z';

    const claimed = await store.claimOutbox(new Date('2025-01-01T00:00:05Z'), 10, 30_000, ['chat']);

    expect(claimed).toEqual([
      message('a', at, { nextAttemptAt: until, claimedUntil: until, checkId: 'a' }),
      message('c', later, { nextAttemptAt: until, claimedUntil: until, checkId: 'c' }),
    ]);
    const justBefore = new Date('2025-01-01T00:00:34.999Z');
    expect(await store.claimOutbox(justBefore, 10, 30_000, ['chat'])).toEqual([]);
    expect((await store.pendingOutbox(justBefore, 10)).map((r) => r.id)).toEqual(['b']);
    expect(await store.claimOutbox(justBefore, 10, 30_000, [])).toEqual([]);
    // The claim expired (the deliverer crashed): the message is due again, for anyone.
    const again = await store.claimOutbox(new Date(until), 2, 30_000);
    expect(again.map((r) => r.id)).toEqual(['a', 'b']);
    expect(await store.countPending()).toBe(4); // a claim changes when a message is due, nothing else
  });

  it("claims a thread's messages in the order they were made: a newer one waits behind an older pending one", async () => {
    const at = (s: number) => `2025-01-01T00:00:0${s}.000Z`;
    await store.commitAlerts(
      [],
      [
        // The firing notice waits out a backoff; the resolved one, made later, is due at once.
        message('firing', at(0), { nextAttemptAt: at(8) }),
        message('resolved', at(1)),
        message('other-check', at(2), { checkId: 'lambda' }),
        message('other-channel', at(3), { channel: 'console' }),
      ],
    );

    const now = new Date(at(5));
    // Reading what is pending shows every due message, for the run's report.
    const due = await store.pendingOutbox(now, 10);
    const first = await store.claimOutbox(now, 10, 60_000);
    await store.markSent('firing', new Date(at(8)));
    const after = await store.claimOutbox(new Date(at(9)), 10, 60_000);

    expect(due.map((r) => r.id)).toEqual(['resolved', 'other-check', 'other-channel']);
    expect(first.map((r) => r.id)).toEqual(['other-check', 'other-channel']);
    expect(after.map((r) => r.id)).toEqual(['resolved']);
  });

  it('never gives one message to two concurrent claims, from two connections', async () => {
    const at = '2025-01-01T00:00:00.000Z';
    const ids = Array.from({ length: 30 }, (_, i) => `m${String(i).padStart(2, '0')}`);
    await store.commitAlerts(
      [],
      ids.map((id) => message(id, at, { checkId: id })),
    );
    const other = await openStateStore(url, '/');
    const now = new Date('2025-01-01T00:00:01Z');
    const claimed: string[] = [];
    try {
      for (let round = 0; round < 20 && claimed.length < ids.length; round++) {
        const batches = await Promise.all(
          [store, other, store, other, store, other].map((each) => each.claimOutbox(now, 3, 60_000)),
        );
        claimed.push(...batches.flat().map((record) => record.id));
      }
    } finally {
      await other.close();
    }

    expect([...claimed].sort()).toEqual(ids);
    expect(await store.claimOutbox(now, 100, 60_000)).toEqual([]);
  });

  it('commits strings holding NUL characters (PostgreSQL text and jsonb reject them), stored without them', async () => {
    const at = '2025-01-01T00:00:00.000Z';
    const dirty = { ...finding, title: 'vol-1\u0000 unattached', labels: { 'te\u0000am': 'da\u0000ta' } };
    const payload = { text: 'x\u0000y', lines: ['\u0000', 'z'], nested: { 'k\u0000': ['\u0000\u0000v'] } };

    await store.commitAlerts([alert({ finding: dirty })], [message('m1', at, { payload })]);
    await store.markFailed('m1', 'bad\u0000byte', new Date(at));

    expect((await store.alertStates('idle'))[0]?.finding).toEqual({
      ...finding,
      title: 'vol-1 unattached',
      labels: { team: 'data' },
    });
    expect(await store.pendingOutbox(new Date(at), 10)).toEqual([
      message('m1', at, {
        payload: { text: 'xy', lines: ['', 'z'], nested: { k: ['v'] } },
        attempts: 1,
        lastError: 'badbyte',
      }),
    ]);
  });

  it('keeps text that only looks like an escaped NUL (a backslash, then u0000) as it is', async () => {
    const at = '2025-01-01T00:00:00.000Z';
    const path = { ...finding, title: 'C:\\u0000dir\\x', labels: { 'raw\\u0000': 'v\\u0000' } };
    const payload = { text: 'a\\u0000b', both: 'a\\u0000b\u0000c' };

    await store.commitAlerts([alert({ finding: path })], [message('m1', at, { payload })]);

    expect((await store.alertStates('idle'))[0]?.finding).toEqual(path);
    expect((await store.pendingOutbox(new Date(at), 10))[0]?.payload).toEqual({
      text: 'a\\u0000b',
      both: 'a\\u0000bc',
    });
  });

  it('prunes sent and dropped messages and resolved alerts older than the cut-off, keeping everything else', async () => {
    const old = '2025-01-01T00:00:00.000Z';
    const recent = '2025-03-01T00:00:00.000Z';
    await store.commitAlerts(
      [
        alert({ key: 'old-resolved', status: 'resolved', resolvedAt: old }),
        alert({ key: 'recent-resolved', status: 'resolved', resolvedAt: recent }),
        alert({ key: 'old-firing' }),
      ],
      [message('old-sent', old), message('old-pending', old), message('recent-sent', recent)],
    );
    await store.markSent('old-sent', new Date(old));
    await store.markSent('recent-sent', new Date(recent));

    const deleted = await store.prune(new Date('2025-02-01T00:00:00.000Z'));

    expect(deleted).toBe(2);
    expect((await store.alertStates('idle')).map((s) => s.key).sort()).toEqual([
      'old-firing',
      'recent-resolved',
    ]);
    expect(await store.countPending()).toBe(1);
    expect((await store.pendingOutbox(new Date(recent), 10)).map((m) => m.id)).toEqual(['old-pending']);
  });

  it('records each cleanup plan once, by id, and reads it back (apply checks a plan file against it)', async () => {
    const plan = {
      planId: 'plan-2026-12-03-abcd1234',
      checkId: 'idle-ebs',
      digest: 'a'.repeat(64),
      createdAt: new Date('2026-12-03T10:00:00.000Z'),
      expiresAt: new Date('2026-12-10T10:00:00.000Z'),
    };
    await store.recordCleanupPlan(plan);

    expect(await store.cleanupPlan(plan.planId)).toEqual(plan);
    expect(await store.cleanupPlan('plan-other')).toBeUndefined();
    // A second plan under the same id (a forged file's) cannot replace the first.
    // toMatchObject, not toThrow: better-sqlite3's errors may come from another test file's realm in this worker.
    await expect(store.recordCleanupPlan({ ...plan, digest: 'b'.repeat(64) })).rejects.toMatchObject({
      message: expect.stringMatching(/UNIQUE constraint|duplicate key/),
    });
    expect((await store.cleanupPlan(plan.planId))?.digest).toBe('a'.repeat(64));
  });

  it('records cleanup results per plan and resource, the last one winning but over a done one, and sums what is done', async () => {
    const record = (resourceId: string, outcome: 'done' | 'skipped' | 'failed', usd: number) => ({
      planId: 'plan-1',
      checkId: 'idle-ebs',
      resourceId,
      action: 'snapshot-and-delete-volume',
      outcome,
      detail: outcome,
      monthlySavingUsd: usd,
      appliedAt: '2026-11-20T12:00:00.000Z',
    });
    await store.recordCleanup(record('vol-a', 'failed', 0));
    await store.recordCleanup(record('vol-a', 'done', 8.5));
    await store.recordCleanup(record('vol-b', 'skipped', 0));
    // Of two applies at once, the one that failed after the other deleted the volume (NotFound) must not erase it.
    await store.recordCleanup(record('vol-a', 'failed', 0));

    const records = await store.cleanupRecords('plan-1');
    const savings = await store.cleanupSavings();

    expect(records.map((r) => [r.resourceId, r.outcome, r.monthlySavingUsd, r.appliedAt])).toEqual([
      ['vol-a', 'done', 8.5, '2026-11-20T12:00:00.000Z'],
      ['vol-b', 'skipped', 0, '2026-11-20T12:00:00.000Z'],
    ]);
    expect(savings).toEqual([
      { checkId: 'idle-ebs', action: 'snapshot-and-delete-volume', monthlySavingUsd: 8.5 },
    ]);
    expect(await store.cleanupRecords('plan-other')).toEqual([]);
  });

  it('keeps a watermark per check and name', async () => {
    await store.setWatermark('jobs', 'lastJobAt', '2025-01-01');
    await store.setWatermark('jobs', 'lastJobAt', '2025-01-02');
    await store.setWatermark('other', 'lastJobAt', 'x');

    const values = [
      await store.getWatermark('jobs', 'lastJobAt'),
      await store.getWatermark('jobs', 'missing'),
    ];

    expect(values).toEqual(['2025-01-02', undefined]);
  });

  it('keeps first-seen of known keys, forgets missing ones and starts them over when they return', async () => {
    const [t1, t2, t3] = ['2025-01-01T00:00:00Z', '2025-01-02T00:00:00Z', '2025-01-03T00:00:00Z'].map(
      (t) => new Date(t),
    );
    await store.observe('idle', 'us-east-1', ['vol-1', 'vol-2'], t1!);
    const second = await store.observe('idle', 'us-east-1', ['vol-1', 'vol-3'], t2!);

    const third = await store.observe('idle', 'us-east-1', ['vol-1', 'vol-2', 'vol-3'], t3!);

    expect(second).toEqual(
      new Map([
        ['vol-1', t1],
        ['vol-3', t2],
      ]),
    );
    expect(third).toEqual(
      new Map([
        ['vol-1', t1],
        ['vol-2', t3],
        ['vol-3', t2],
      ]),
    );
  });

  it('keeps first-seen keys apart per check and scope', async () => {
    const [t1, t2] = [new Date('2025-01-01T00:00:00Z'), new Date('2025-01-02T00:00:00Z')];
    await store.observe('idle', 'eu-west-1', ['vol-1'], t1);
    await store.observe('other', 'us-east-1', ['vol-1'], t1);

    const seen = await store.observe('idle', 'us-east-1', ['vol-1'], t2);

    expect(seen).toEqual(new Map([['vol-1', t2]]));
    expect(await store.observe('idle', 'eu-west-1', ['vol-1'], t2)).toEqual(new Map([['vol-1', t1]]));
    expect(await store.observe('other', 'us-east-1', ['vol-1'], t2)).toEqual(new Map([['vol-1', t1]]));
  });

  it('reads the first sightings of a check and scope without changing them (a dry run)', async () => {
    const [t1, t2] = [new Date('2025-01-01T00:00:00Z'), new Date('2025-01-02T00:00:00Z')];
    await store.observe('idle', 'us-east-1', ['vol-1', 'vol-2'], t1);
    await store.observe('idle', 'eu-west-1', ['vol-9'], t2);

    const read = await store.firstSeen('idle', 'us-east-1');

    expect(read).toEqual(
      new Map([
        ['vol-1', t1],
        ['vol-2', t1],
      ]),
    );
    expect(await store.firstSeen('idle', 'us-east-1')).toEqual(read);
    expect(await store.firstSeen('idle', 'nowhere')).toEqual(new Map());
  });

  it('observes 10,000 keys in one call and forgets half of them in the next', async () => {
    const keys = Array.from({ length: 10_000 }, (_, i) => `vol-${i}`);
    const [t1, t2] = [new Date('2025-01-01T00:00:00Z'), new Date('2025-01-02T00:00:00Z')];
    await store.observe('idle', 'all', keys, t1);

    const seen = await store.observe('idle', 'all', [...keys.slice(5_000), 'vol-new'], t2);

    expect(seen.size).toBe(5_001);
    expect(seen.get('vol-9999')).toEqual(t1);
    expect(seen.get('vol-new')).toEqual(t2);
    expect(seen.has('vol-0')).toBe(false);
  });
});

describe('sqlite state store after a crash', () => {
  it('still holds a message committed by a process that was then killed', async () => {
    const file = join(tempDir(), 'state.db');
    await (await openStateStore(`sqlite://${file}`, '/')).close();
    const record = message('m1', '2025-01-01T00:00:00.000Z');

    await commitThenKill(file, record);

    const store = await openStateStore(`sqlite://${file}`, '/');
    expect(await store.pendingOutbox(new Date('2025-01-01T00:00:00Z'), 10)).toEqual([record]);
    await store.close();
  });
});

async function commitThenKill(file: string, record: OutboxRecord): Promise<void> {
  const script = join(__dirname, 'fixtures', 'commit-then-hang.mjs');
  const child = spawn(process.execPath, [script, file, JSON.stringify(record)], { stdio: 'pipe' });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  await new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => chunk.toString().includes('committed') && resolve());
    child.once('exit', (code) => reject(new Error(`child exited with ${code} before committing: ${stderr}`)));
  });
  const killed = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGKILL');
  await killed;
}
