import { idleEbsVolumes } from '../../../checks/idle-ebs-volumes';
import { listVolumes } from '../../../checks/idle-ebs-volumes/query';
import type { StateStore } from '../../../src/state/types';
import { startFakeAws, type FakeAwsServer } from '../../servers/aws/server';
import { emptyRegion, type FakeAccount, type FakeVolume } from '../../servers/aws/world';
import { CALLER_ACCOUNT, memoryStore, runCheck, useFakeCredentials } from '../../kit/aws';

const PROD = '222222222222';
const DAY = 86_400_000;
const T0 = new Date('2026-11-01T00:00:00Z');

function volume(id: string, extra: Partial<FakeVolume> = {}): FakeVolume {
  return { id, sizeGiB: 100, type: 'gp3', state: 'available', ...extra };
}

function estate(): FakeAccount[] {
  const many = Array.from({ length: 620 }, (_, i) => volume(`vol-many${i}`, { sizeGiB: 1, type: 'gp2' }));
  return [
    {
      id: CALLER_ACCOUNT,
      regions: {
        'us-east-1': {
          ...emptyRegion(),
          volumes: [
            volume('vol-idle'),
            volume('vol-used', { state: 'in-use' }),
            volume('vol-keep', { tags: { 'guardrail:ignore': 'true' } }),
          ],
        },
        'ap-northeast-2': {
          ...emptyRegion(),
          volumes: [volume('vol-seoul-sc1', { type: 'sc1', sizeGiB: 500 })],
        },
        'eu-west-1': { ...emptyRegion(), volumes: many },
      },
    },
    {
      id: PROD,
      roleArn: `arn:aws:iam::${PROD}:role/guardrail`,
      externalId: 'ext-42',
      regions: {
        'us-east-1': {
          ...emptyRegion(),
          volumes: [volume('vol-prod', { type: 'io1', sizeGiB: 10, iops: 1000 })],
        },
      },
    },
  ];
}

function gp2Estate(): FakeAccount[] {
  const gp2 = (id: string, sizeGiB: number, extra: Partial<FakeVolume> = {}): FakeVolume =>
    volume(id, { type: 'gp2', sizeGiB, state: 'in-use', ...extra });
  return [
    {
      id: CALLER_ACCOUNT,
      regions: {
        'us-east-1': {
          ...emptyRegion(),
          volumes: [
            gp2('vol-boot', 100),
            gp2('vol-big', 1000, { state: 'available' }),
            gp2('vol-new', 50, { state: 'creating' }),
            gp2('vol-dr', 500, { tags: { 'guardrail:ignore': 'true' } }),
            volume('vol-gp3', { state: 'in-use' }),
          ],
        },
        'ap-northeast-2': {
          ...emptyRegion(),
          volumes: [gp2('vol-seoul-small', 100), gp2('vol-seoul-big', 500)],
        },
      },
    },
  ];
}

describe('idle-ebs-volumes through the real EC2 client', () => {
  let server: FakeAwsServer;
  let store: StateStore;
  const regions = ['us-east-1', 'ap-northeast-2', 'eu-west-1'];

  beforeAll(() => useFakeCredentials());
  beforeEach(async () => {
    server = await startFakeAws({ accounts: estate(), callerAccountId: CALLER_ACCOUNT });
    store = await memoryStore();
  });
  afterEach(async () => {
    await server.close();
    await store.close();
  });

  it('reports unattached volumes with their list price, skipping attached and ignored ones, over every page', async () => {
    const result = await runCheck(idleEbsVolumes, { server, store, aws: { regions } });

    const byKey = new Map(result.findings.map((f) => [f.key, f]));
    expect(byKey.get('vol-idle')?.metrics).toEqual({ sizeGiB: 100, idleDays: 0, monthlyCostUsd: 8 });
    expect(byKey.get('vol-idle')?.labels).toEqual({
      account: CALLER_ACCOUNT,
      region: 'us-east-1',
      volume_type: 'gp3',
    });
    expect(byKey.has('vol-used')).toBe(false);
    expect(byKey.has('vol-keep')).toBe(false);
    expect(byKey.get('vol-seoul-sc1')?.metrics).toEqual({ sizeGiB: 500, idleDays: 0 });
    expect(byKey.get('vol-seoul-sc1')?.summary).toContain('sc1 price in ap-northeast-2 is unconfirmed');
    expect(result.findings.filter((f) => f.key.startsWith('vol-many'))).toHaveLength(620);
    expect(byKey.get('vol-many0')?.summary).toContain('no list price for gp2 in eu-west-1');
    const pages = server.calls.filter((c) => c.action === 'ec2:DescribeVolumes' && c.region === 'eu-west-1');
    expect(pages).toHaveLength(2);
  });

  it('reports attached gp2 volumes with the saving of gp3 at their baseline, under their own key', async () => {
    const gp2 = await startFakeAws({ accounts: gp2Estate(), callerAccountId: CALLER_ACCOUNT });

    const result = await runCheck(idleEbsVolumes, {
      server: gp2,
      store,
      aws: { regions: ['us-east-1', 'ap-northeast-2'] },
    });
    await gp2.close();

    expect(
      result.findings
        .filter((f) => f.key.startsWith('gp2:'))
        .map((f) => [f.key, f.severity, f.metrics?.monthlySavingUsd]),
    ).toEqual([
      ['gp2:vol-boot', 'info', 2],
      // vol-big is unattached, so idle: deleting it saves all of its cost, and no gp2 finding adds its saving to that
      ['gp2:vol-seoul-small', 'info', 2.28],
      // gp2 57.00 against gp3 45.60 + 125 MiB/s above the baseline × 0.0456
      ['gp2:vol-seoul-big', 'info', 5.7],
    ]);
    expect(result.findings.map((f) => f.key).filter((k) => !k.startsWith('gp2:'))).toEqual(['vol-big']);
    // Its gp2 alert, raised while attached or by a build before 2026-12-03, keeps its state while it is idle:
    // an upgrade trial got a "resolved" notice for a volume that had not changed.
    expect(result.findings.find((f) => f.key === 'vol-big')?.covers).toEqual([{ key: 'gp2:vol-big' }]);
    // Its current price is a fact, not the waste a message's total adds up.
    expect(result.findings.find((f) => f.key === 'gp2:vol-boot')?.metrics).toEqual({
      sizeGiB: 100,
      monthlySavingUsd: 2,
      gp2MonthlyCostUsd: 10,
    });
    expect(result.measurements.filter((m) => m.name === 'gp2_monthly_savings_usd')).toEqual([
      {
        name: 'gp2_monthly_savings_usd',
        value: 2, // vol-boot's: unattached vol-big is counted as idle waste, not again as a gp3 saving
        labels: { check: 'test', account: CALLER_ACCOUNT, region: 'us-east-1' },
      },
      {
        name: 'gp2_monthly_savings_usd',
        value: 7.98,
        labels: { check: 'test', account: CALLER_ACCOUNT, region: 'ap-northeast-2' },
      },
    ]);
    expect(gp2.calls.filter((c) => c.action === 'ec2:DescribeVolumes')).toHaveLength(2);
  });

  it('reports no gp2 volume with gp2: false, and lists only unattached volumes', async () => {
    const gp2 = await startFakeAws({ accounts: gp2Estate(), callerAccountId: CALLER_ACCOUNT });

    const result = await runCheck(idleEbsVolumes, {
      server: gp2,
      store,
      aws: { regions: ['us-east-1'] },
      config: { gp2: false },
    });
    await gp2.close();

    expect(result.findings.map((f) => f.key)).toEqual(['vol-big']);
    expect(result.measurements.filter((m) => m.name.startsWith('gp2_'))).toEqual([]);
  });

  it('keeps, page by page, only the volumes it reports on: not the attached volumes that are not gp2', async () => {
    // 1,200 attached gp3 volumes (three pages) among the gp2 estate: with gp2 on, AWS cannot filter them out.
    const [account] = gp2Estate();
    const attached = Array.from({ length: 1200 }, (_, i) => volume(`vol-att${i}`, { state: 'in-use' }));
    account!.regions['us-east-1']!.volumes.push(...attached);
    const fake = await startFakeAws({ accounts: [account!], callerAccountId: CALLER_ACCOUNT });
    const client = { region: 'us-east-1', endpoint: fake.url };

    const withGp2 = await listVolumes(client, new AbortController().signal, true);
    const withoutGp2 = await listVolumes(client, new AbortController().signal, false);
    const pages = fake.calls.filter((c) => c.action === 'ec2:DescribeVolumes').length;
    await fake.close();

    expect(withGp2.map((v) => v.volumeId)).toEqual(['vol-boot', 'vol-big']);
    expect(withoutGp2.map((v) => v.volumeId)).toEqual(['vol-big']);
    expect(pages).toBe(4); // 1,205 volumes in three pages unfiltered, then one page filtered on status
  });

  it('emits the waste gauges per region, zero for a clean one', async () => {
    const result = await runCheck(idleEbsVolumes, {
      server,
      store,
      aws: { regions: ['us-east-1', 'us-west-2'] },
    });

    const cost = result.measurements.filter((m) => m.name === 'idle_monthly_cost_usd');
    expect(cost).toEqual([
      {
        name: 'idle_monthly_cost_usd',
        value: 8,
        labels: { check: 'test', account: CALLER_ACCOUNT, region: 'us-east-1', resource_type: 'ebs-volume' },
      },
      {
        name: 'idle_monthly_cost_usd',
        value: 0,
        labels: { check: 'test', account: CALLER_ACCOUNT, region: 'us-west-2', resource_type: 'ebs-volume' },
      },
    ]);
  });

  it('scans several accounts through AssumeRole with the external id', async () => {
    const accounts = [{ id: PROD, roleArn: `arn:aws:iam::${PROD}:role/guardrail`, externalId: 'ext-42' }];

    const result = await runCheck(idleEbsVolumes, {
      server,
      store,
      aws: { accounts, regions: ['us-east-1'] },
    });

    expect(result.findings.map((f) => [f.key, f.labels?.account, f.metrics?.monthlyCostUsd])).toEqual([
      ['vol-prod', PROD, 66.25],
    ]);
    expect(server.calls.filter((c) => c.action === 'sts:AssumeRole')).toHaveLength(1);
  });

  it('reports an access-denied region as a warning and still reports the others', async () => {
    server.faults.deny.add(`${CALLER_ACCOUNT}/ap-northeast-2`);

    const result = await runCheck(idleEbsVolumes, {
      server,
      store,
      aws: { regions: ['us-east-1', 'ap-northeast-2'] },
    });

    expect(result.findings.map((f) => [f.key, f.severity])).toEqual([
      [`region-error:${CALLER_ACCOUNT}/ap-northeast-2`, 'warning'],
      ['vol-idle', 'warning'],
    ]);
    expect(result.findings[0]?.title).toContain('UnauthorizedOperation');
  });

  it('fails the check when every region fails', async () => {
    server.faults.deny.add(`${CALLER_ACCOUNT}/us-east-1/ec2:DescribeVolumes`);

    await expect(
      runCheck(idleEbsVolumes, { server, store, aws: { regions: ['us-east-1'] } }),
    ).rejects.toThrow(/every AWS target failed.*UnauthorizedOperation/);
  });

  it('retries throttling (RequestLimitExceeded) and then succeeds', async () => {
    server.faults.throttle.set('ec2:DescribeVolumes', 1);

    const result = await runCheck(idleEbsVolumes, { server, store, aws: { regions: ['us-east-1'] } });

    expect(result.findings.map((f) => f.key)).toEqual(['vol-idle']);
    expect(server.calls.filter((c) => c.action === 'ec2:DescribeVolumes')).toHaveLength(2);
  });

  it('reports a volume unattached for 8 days, not one attached in between', async () => {
    const aws = { regions: ['us-east-1'] };
    const config = { minIdleDays: 7 };
    const east = () => estate()[0]!.regions['us-east-1']!;
    await runCheck(idleEbsVolumes, { server, store, aws, config, now: T0 });
    const reattached = await startFakeAws({
      callerAccountId: CALLER_ACCOUNT,
      accounts: [
        {
          id: CALLER_ACCOUNT,
          regions: {
            'us-east-1': {
              ...east(),
              volumes: [volume('vol-idle'), volume('vol-other', { state: 'in-use' })],
            },
          },
        },
      ],
    });
    await runCheck(idleEbsVolumes, {
      server: reattached,
      store,
      aws,
      config,
      now: new Date(T0.getTime() + 2 * DAY),
    });
    await reattached.close();
    const later = await startFakeAws({
      callerAccountId: CALLER_ACCOUNT,
      accounts: [
        {
          id: CALLER_ACCOUNT,
          regions: { 'us-east-1': { ...east(), volumes: [volume('vol-idle'), volume('vol-other')] } },
        },
      ],
    });

    const result = await runCheck(idleEbsVolumes, {
      server: later,
      store,
      aws,
      config,
      now: new Date(T0.getTime() + 8 * DAY),
    });
    await later.close();

    expect(result.findings.map((f) => [f.key, f.metrics?.idleDays])).toEqual([['vol-idle', 8]]);
  });
});

describe('idle-ebs-volumes against a misbehaving EC2', () => {
  let server: FakeAwsServer;
  let store: StateStore;

  beforeAll(() => useFakeCredentials());
  beforeEach(async () => {
    server = await startFakeAws({ accounts: estate(), callerAccountId: CALLER_ACCOUNT });
    store = await memoryStore();
  });
  afterEach(async () => {
    await server.close();
    await store.close();
  });

  it('stops paging when DescribeVolumes repeats its NextToken, with a clear error, instead of looping', async () => {
    server.faults.repeatToken.add('ec2:DescribeVolumes');

    const started = Date.now();
    await expect(
      runCheck(idleEbsVolumes, { server, store, aws: { regions: ['us-east-1'] } }),
    ).rejects.toThrow(
      'every AWS target failed (1); first: ec2:DescribeVolumes returned a page token it had already returned (after 2 pages); stopped paging',
    );
    expect(server.calls.filter((c) => c.action === 'ec2:DescribeVolumes')).toHaveLength(2);
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('gives a hanging region up after aws.targetTimeout as a region error, and reports the other regions', async () => {
    server.faults.hang.add(`${CALLER_ACCOUNT}/eu-west-1`);

    const started = Date.now();
    const result = await runCheck(idleEbsVolumes, {
      server,
      store,
      aws: { regions: ['us-east-1', 'eu-west-1', 'ap-northeast-2'], targetTimeout: '1s' },
    });
    const elapsed = Date.now() - started;

    const errors = result.findings.filter((f) => f.key.startsWith('region-error:'));
    expect(errors.map((f) => [f.key, f.title, f.covers])).toEqual([
      [
        `region-error:${CALLER_ACCOUNT}/eu-west-1`,
        `Could not scan eu-west-1 in account ${CALLER_ACCOUNT}: timed out after 1s (aws.targetTimeout); the other targets were scanned`,
        [{ labels: { account: CALLER_ACCOUNT, region: 'eu-west-1' } }],
      ],
    ]);
    expect(result.findings.map((f) => f.resource?.volumeId).filter(Boolean)).toEqual(
      expect.arrayContaining(['vol-idle', 'vol-seoul-sc1']),
    );
    expect(elapsed).toBeGreaterThanOrEqual(900);
    expect(elapsed).toBeLessThan(5_000);
  });
});
