import { idleEbsVolumes } from '../../../checks/idle-ebs-volumes';
import { idleElasticIps } from '../../../checks/idle-elastic-ips';
import { s3StorageWaste } from '../../../checks/s3-storage-waste';
import { AwsConfig } from '../../../src/aws/config';
import { createAwsProvider } from '../../../src/aws/provider';
import { applyPlan, type ApplyOptions } from '../../../src/engine/cleanup/apply';
import { markPlan } from '../../../src/engine/cleanup/mark';
import { cleanupStatements } from '../../../src/engine/cleanup/permissions';
import { buildPlan, recordPlan, type CleanupPlan } from '../../../src/engine/cleanup/plan';
import type { StateStore } from '../../../src/state/types';
import type { AnyCheckDefinition } from '../../../checks/types';
import { startFakeAws, type FakeAwsServer } from '../../servers/aws/server';
import { emptyRegion, type FakeAccount } from '../../servers/aws/world';
import { CALLER_ACCOUNT, memoryStore, runCheck, useFakeCredentials } from '../../kit/aws';

const NOW = new Date('2026-11-20T12:00:00Z');
const DAY = 86_400_000;
const MUTATING = [
  'ec2:CreateTags',
  'ec2:CreateSnapshot',
  'ec2:DeleteVolume',
  'ec2:ReleaseAddress',
  's3:AbortMultipartUpload',
];

function estate(): FakeAccount[] {
  return [
    {
      id: CALLER_ACCOUNT,
      regions: {
        'us-east-1': {
          ...emptyRegion(),
          volumes: [
            { id: 'vol-a', sizeGiB: 100, type: 'gp3', state: 'available' },
            { id: 'vol-b', sizeGiB: 50, type: 'gp3', state: 'available' },
            { id: 'vol-used', sizeGiB: 10, type: 'gp3', state: 'in-use' },
          ],
          addresses: [{ allocationId: 'eipalloc-1', publicIp: '198.51.100.7' }],
          buckets: [
            {
              name: 'landing',
              uploads: [
                { key: 'big.csv', uploadId: 'up-1', initiated: '2026-10-01T00:00:00.000Z', parts: [2 ** 30] },
              ],
            },
          ],
        },
      },
    },
  ];
}

describe('guardrail cleanup: a plan, then an apply, against the fake AWS', () => {
  let server: FakeAwsServer;
  let store: StateStore;
  let accounts: FakeAccount[];
  const east = () => accounts[0]!.regions['us-east-1']!;
  const mutations = () => server.calls.filter((c) => MUTATING.includes(c.action)).map((c) => c.action);

  beforeAll(() => useFakeCredentials());
  beforeEach(async () => {
    accounts = estate();
    server = await startFakeAws({ accounts, callerAccountId: CALLER_ACCOUNT });
    store = await memoryStore();
  });
  afterEach(async () => {
    await server.close();
    await store.close();
  });

  async function plan(check: AnyCheckDefinition, kind: string, mark = false): Promise<CleanupPlan> {
    const result = await runCheck(check, { server, store, aws: { regions: ['us-east-1'] }, now: NOW });
    const built = buildPlan({ id: 'c', kind }, result.findings, NOW, { mark });
    await recordPlan(store, built);
    return built;
  }

  function apply(p: CleanupPlan, extra: Partial<ApplyOptions> = {}) {
    const aws = createAwsProvider(
      AwsConfig.parse({ region: 'us-east-1', endpoint: server.url, maxAttempts: 1 }),
    );
    return applyPlan(p, {
      aws,
      store,
      now: NOW,
      signal: new AbortController().signal,
      snapshotWait: { intervalMs: 5, attempts: 5 },
      ...extra,
    });
  }

  it('plans each resource with what would happen to it, the $/month saved and a 7-day expiry', async () => {
    const volumes = await plan(idleEbsVolumes, 'idle-ebs-volumes');
    const eips = await plan(idleElasticIps, 'idle-elastic-ips');
    const uploads = await plan(s3StorageWaste, 's3-storage-waste');

    expect(volumes.actions.map((a) => [a.type, a.resourceId, a.monthlySavingUsd])).toEqual([
      ['snapshot-and-delete-volume', 'vol-a', 8],
      ['snapshot-and-delete-volume', 'vol-b', 4],
    ]);
    expect(volumes.totalMonthlySavingUsd).toBe(12);
    expect(Date.parse(volumes.expiresAt) - NOW.getTime()).toBe(7 * DAY);
    expect(eips.actions.map((a) => [a.type, a.resourceId, a.monthlySavingUsd])).toEqual([
      ['release-address', 'eipalloc-1', 3.65],
    ]);
    expect(uploads.actions.map((a) => [a.type, a.resourceId, a.monthlySavingUsd])).toEqual([
      ['abort-upload', 'landing/big.csv/up-1', 0.02],
    ]);
  });

  it('snapshots each volume, waits for the snapshot, tags it with the volume and plan, then deletes the volume; a second apply does nothing', async () => {
    const p = await plan(idleEbsVolumes, 'idle-ebs-volumes');

    const first = await apply(p);
    const before = mutations().length;
    const second = await apply(p);

    expect(first.results.map((r) => [r.resourceId, r.outcome])).toEqual([
      ['vol-a', 'done'],
      ['vol-b', 'done'],
    ]);
    expect(first.savedMonthlyUsd).toBe(12);
    expect(east().volumes.map((v) => v.id)).toEqual(['vol-used']);
    expect(east().snapshots?.map((s) => [s.volumeId, s.state, s.tags])).toEqual([
      ['vol-a', 'completed', { 'guardrail:cleanup-plan': p.id, 'guardrail:source-volume': 'vol-a' }],
      ['vol-b', 'completed', { 'guardrail:cleanup-plan': p.id, 'guardrail:source-volume': 'vol-b' }],
    ]);
    expect(second.results.map((r) => r.outcome)).toEqual(['already-done', 'already-done']);
    expect(await store.cleanupSavings()).toEqual([
      { checkId: 'c', action: 'snapshot-and-delete-volume', monthlySavingUsd: 12 },
    ]);
    expect(mutations()).toHaveLength(before);
    expect(
      (await store.cleanupRecords(p.id)).map((r) => [r.resourceId, r.outcome, r.monthlySavingUsd]),
    ).toEqual([
      ['vol-a', 'done', 8],
      ['vol-b', 'done', 4],
    ]);
  });

  it('keeps a volume whose snapshot fails, and stops there unless told to continue', async () => {
    const p = await plan(idleEbsVolumes, 'idle-ebs-volumes');
    server.faults.failSnapshot.add('vol-a');

    const stopped = await apply(p);
    const continued = await apply(p, { continueOnError: true });

    expect(stopped.stopped).toBe(true);
    expect(stopped.results.map((r) => [r.resourceId, r.outcome, r.detail])).toEqual([
      ['vol-a', 'failed', 'snapshot snap-1 failed (state error); the volume was kept'],
    ]);
    expect(continued.results.map((r) => [r.resourceId, r.outcome])).toEqual([
      ['vol-a', 'failed'],
      ['vol-b', 'done'],
    ]);
    expect(east().volumes.map((v) => v.id)).toEqual(['vol-a', 'vol-used']);
    expect(server.calls.filter((c) => c.action === 'ec2:DeleteVolume')).toHaveLength(1);
  });

  it('skips a volume attached between plan and apply, and one tagged guardrail:ignore since', async () => {
    const p = await plan(idleEbsVolumes, 'idle-ebs-volumes');
    east().volumes[0]!.state = 'in-use';
    east().volumes[1]!.tags = { 'guardrail:ignore': 'true' };

    const report = await apply(p);

    expect(report.results.map((r) => [r.resourceId, r.outcome, r.detail])).toEqual([
      ['vol-a', 'skipped', 'volume is in-use now (attached since the plan)'],
      ['vol-b', 'skipped', 'volume is tagged guardrail:ignore=true now'],
    ]);
    expect(mutations()).toEqual([]);
  });

  // A review: apply trimmed no space from the tag (the check does), and read the volume only before the snapshot.
  it('skips a volume tagged guardrail:ignore with spaces around true, and one tagged while its snapshot was taken', async () => {
    const p = await plan(idleEbsVolumes, 'idle-ebs-volumes');
    east().volumes[0]!.tags = { 'guardrail:ignore': ' TRUE ' };
    server.faults.tagDuringSnapshot.set('vol-b', { 'guardrail:ignore': 'true' });

    const report = await apply(p);

    expect(report.results.map((r) => [r.resourceId, r.outcome, r.detail])).toEqual([
      ['vol-a', 'skipped', 'volume is tagged guardrail:ignore=true now'],
      ['vol-b', 'skipped', 'volume is tagged guardrail:ignore=true now (snapshot snap-1 kept)'],
    ]);
    expect(east().volumes.map((v) => v.id)).toEqual(['vol-a', 'vol-b', 'vol-used']);
    expect(server.calls.filter((c) => c.action === 'ec2:DeleteVolume')).toEqual([]);
  });

  it('records an action interrupted mid-call as failed, saying what to check, and starts no other', async () => {
    const p = await plan(idleEbsVolumes, 'idle-ebs-volumes');
    const stop = new AbortController();
    server.faults.tagDuringSnapshot.set('vol-a', {});
    const aborting = setInterval(() => {
      if (server.calls.some((c) => c.action === 'ec2:CreateSnapshot')) stop.abort(new Error('SIGTERM'));
    }, 1);

    const applied = apply(p, { signal: stop.signal, snapshotWait: { intervalMs: 200, attempts: 5 } });
    await expect(applied).rejects.toThrow('SIGTERM');
    clearInterval(aborting);

    expect((await store.cleanupRecords(p.id)).map((r) => [r.resourceId, r.outcome, r.detail])).toEqual([
      [
        'vol-a',
        'failed',
        'interrupted: the snapshot or the deletion may have happened; check the volume before applying again',
      ],
    ]);
    expect(server.calls.filter((c) => c.action === 'ec2:CreateSnapshot')).toHaveLength(1);

    // Applied again, it takes a snapshot of the volume as it is now: it may have been written to since the first.
    const again = await apply(p);
    expect(again.results.map((r) => [r.resourceId, r.outcome, r.detail])).toEqual([
      ['vol-a', 'done', 'snapshot snap-2 completed, volume deleted'],
      ['vol-b', 'done', 'snapshot snap-3 completed, volume deleted'],
    ]);
  });

  it('keeps a volume whose snapshot is still pending when the wait ends, with its plan tag taken off again', async () => {
    const p = await plan(idleEbsVolumes, 'idle-ebs-volumes');
    east().volumes.find((v) => v.id === 'vol-a')!.tags = { owner: 'data-eng' };
    server.faults.slowSnapshot.set('vol-a', 5);

    const first = await apply(p, { snapshotWait: { intervalMs: 1, attempts: 3 } });

    expect(first.results.map((r) => [r.resourceId, r.outcome, r.detail])).toEqual([
      [
        'vol-a',
        'failed',
        'snapshot snap-1 still pending after 3 checks (left to complete); the volume was kept',
      ],
    ]);
    // A kept volume does not read as one a plan is deleting; its own tags stay.
    expect(east().volumes.find((v) => v.id === 'vol-a')?.tags).toEqual({ owner: 'data-eng' });
    expect(server.calls.filter((c) => c.action === 'ec2:DeleteVolume')).toEqual([]);
  });

  // A role whose policy an older iam-policy wrote lacks ec2:DeleteTags: the volume is kept as before, and says so.
  it('keeps a volume whose plan tag it may not take off, saying the tag stayed', async () => {
    const p = await plan(idleEbsVolumes, 'idle-ebs-volumes');
    server.faults.failSnapshot.add('vol-a');
    server.faults.deny.add(`${CALLER_ACCOUNT}/us-east-1/ec2:DeleteTags`);

    const report = await apply(p);

    expect(report.results.map((r) => [r.resourceId, r.outcome])).toEqual([['vol-a', 'failed']]);
    expect(report.results[0]?.detail).toMatch(
      /^snapshot snap-1 failed \(state error\); the volume was kept; its guardrail:cleanup-plan tag stayed \(UnauthorizedOperation: /,
    );
    expect(east().volumes.find((v) => v.id === 'vol-a')?.tags).toEqual({ 'guardrail:cleanup-plan': p.id });
  });

  it('takes a new snapshot when the earlier one failed, and takes the plan tag off a volume it keeps', async () => {
    const p = await plan(idleEbsVolumes, 'idle-ebs-volumes');
    server.faults.failSnapshot.add('vol-a');
    await apply(p);
    server.faults.failSnapshot.delete('vol-a');
    server.faults.tagDuringSnapshot.set('vol-a', { 'guardrail:ignore': 'true' });

    const second = await apply(p);

    expect(second.results[0]).toMatchObject({
      resourceId: 'vol-a',
      outcome: 'skipped',
      detail: 'volume is tagged guardrail:ignore=true now (snapshot snap-2 kept)',
    });
    expect(east().volumes.find((v) => v.id === 'vol-a')?.tags).toEqual({ 'guardrail:ignore': 'true' });
    expect(
      east()
        .snapshots?.filter((s) => s.volumeId === 'vol-a')
        .map((s) => [s.id, s.state]),
    ).toEqual([
      ['snap-1', 'error'],
      ['snap-2', 'completed'],
    ]);
  });

  // A review: two applies at once each took a snapshot, and the one that lost the race recorded a failure.
  it('lets one apply of a plan run at a time: a second one at once is refused and touches nothing', async () => {
    const p = await plan(idleEbsVolumes, 'idle-ebs-volumes');

    const [first, second] = await Promise.allSettled([apply(p), apply(p)]);

    const outcomes = [first, second].map((r) => r.status);
    expect(outcomes.sort()).toEqual(['fulfilled', 'rejected']);
    const refused = [first, second].find((r) => r.status === 'rejected') as PromiseRejectedResult;
    expect(String(refused.reason)).toMatch(/another apply of plan .* is running/);
    expect(server.calls.filter((c) => c.action === 'ec2:CreateSnapshot')).toHaveLength(2); // one per volume
    expect((await store.cleanupRecords(p.id)).map((r) => r.outcome)).toEqual(['done', 'done']);
    // Once it ended, the lease is free again: a third apply finds everything done.
    expect((await apply(p)).results.map((r) => r.outcome)).toEqual(['already-done', 'already-done']);
  });

  it('refuses an expired plan and touches nothing', async () => {
    const p = await plan(idleEbsVolumes, 'idle-ebs-volumes');

    await expect(apply(p, { now: new Date(NOW.getTime() + 8 * DAY) })).rejects.toThrow(
      `plan ${p.id} expired at 2026-11-27T12:00:00.000Z`,
    );
    expect(mutations()).toEqual([]);
  });

  it('shows on --dry-run what it would do now, and changes nothing', async () => {
    const p = await plan(idleEbsVolumes, 'idle-ebs-volumes');

    east().volumes[1]!.state = 'in-use'; // a skip is not written either (a review)

    const report = await apply(p, { dryRun: true });

    expect(report.results.map((r) => r.outcome)).toEqual(['would-do', 'skipped']);
    expect(mutations()).toEqual([]);
    expect(await store.cleanupRecords(p.id)).toEqual([]);
  });

  it('releases the address and aborts the upload, touching nothing outside the plan', async () => {
    const eips = await plan(idleElasticIps, 'idle-elastic-ips');
    const uploads = await plan(s3StorageWaste, 's3-storage-waste');

    const released = await apply(eips);
    const aborted = await apply(uploads);

    expect([...released.results, ...aborted.results].map((r) => [r.resourceId, r.outcome])).toEqual([
      ['eipalloc-1', 'done'],
      ['landing/big.csv/up-1', 'done'],
    ]);
    expect(east().addresses).toEqual([]);
    expect(east().buckets?.[0]?.uploads).toEqual([]);
    expect(east().volumes).toHaveLength(3);
  });

  it('with --mark, tags each resource and acts only once the date passed and the tag is unchanged', async () => {
    const p = await plan(idleEbsVolumes, 'idle-ebs-volumes', true);
    const aws = createAwsProvider(AwsConfig.parse({ region: 'us-east-1', endpoint: server.url }));
    await markPlan(p, aws, new AbortController().signal);
    east().volumes[1]!.tags = { 'guardrail:cleanup-after': '2030-01-01' };

    const early = await apply(p);
    const due = await apply(p, { now: new Date(NOW.getTime() + 8 * DAY) });

    expect(east().volumes.map((v) => [v.id, v.tags])).toEqual([
      ['vol-b', { 'guardrail:cleanup-after': '2030-01-01' }],
      ['vol-used', undefined],
    ]);
    expect(p.actions.map((a) => a.cleanupAfter)).toEqual(['2026-11-27', '2026-11-27']);
    expect(early.results.map((r) => r.outcome)).toEqual(['skipped', 'skipped']);
    expect(due.results.map((r) => [r.resourceId, r.outcome, r.detail])).toEqual([
      ['vol-a', 'done', 'snapshot snap-1 completed, volume deleted'],
      ['vol-b', 'skipped', 'volume guardrail:cleanup-after is 2030-01-01 (plan wrote 2026-11-27)'],
    ]);
  });
});

describe('iam-policy --cleanup statements', () => {
  it('lets DeleteVolume through only on volumes carrying a plan tag, and CreateTags and DeleteTags only for the guardrail keys', () => {
    const statements = cleanupStatements(
      new Set(['idle-ebs-volumes', 'idle-elastic-ips', 's3-storage-waste']),
    );

    expect(statements).toContainEqual({
      Sid: 'GuardrailCleanupDeletePlannedVolumes',
      Effect: 'Allow',
      Action: ['ec2:DeleteVolume'],
      Resource: 'arn:aws:ec2:*:*:volume/*',
      Condition: { StringLike: { 'aws:ResourceTag/guardrail:cleanup-plan': 'plan-*' } },
    });
    expect(statements).toContainEqual({
      Sid: 'GuardrailCleanupTags',
      Effect: 'Allow',
      Action: ['ec2:CreateTags'],
      Resource: '*',
      Condition: {
        'ForAllValues:StringEquals': {
          'aws:TagKeys': ['guardrail:cleanup-after', 'guardrail:cleanup-plan', 'guardrail:source-volume'],
        },
      },
    });
    // Only the plan tag, only of volumes; a DeleteTags that names no tag (which deletes them all) is refused.
    expect(statements).toContainEqual({
      Sid: 'GuardrailCleanupUntagKeptVolumes',
      Effect: 'Allow',
      Action: ['ec2:DeleteTags'],
      Resource: 'arn:aws:ec2:*:*:volume/*',
      Condition: {
        'ForAllValues:StringEquals': { 'aws:TagKeys': ['guardrail:cleanup-plan'] },
        Null: { 'aws:TagKeys': 'false' },
      },
    });
    expect(JSON.stringify(statements)).toContain('s3:AbortMultipartUpload');
    expect(JSON.stringify(statements)).toContain('ec2:ReleaseAddress');
  });

  it('gives nothing for kinds without cleanup', () => {
    expect(cleanupStatements(new Set(['lambda-errors']))).toEqual([]);
  });
});
