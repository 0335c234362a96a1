import { s3StorageWaste } from '../../../checks/s3-storage-waste';
import type { StateStore } from '../../../src/state/types';
import { startFakeAws, type FakeAwsServer } from '../../servers/aws/server';
import { emptyRegion, type FakeAccount, type FakeBucket } from '../../servers/aws/world';
import { CALLER_ACCOUNT, memoryStore, runCheck, useFakeCredentials } from '../../kit/aws';

const GiB = 1024 ** 3;
const TiB = 1024 * GiB;
const OLD = '2026-10-01T00:00:00.000Z';
const NEW = '2026-11-19T00:00:00.000Z';
const regions = ['us-east-1', 'ap-northeast-2'];

function bucket(name: string, extra: Partial<FakeBucket> = {}): FakeBucket {
  return { name, standardBytes: 0, objects: 0, ...extra };
}

function estate(): FakeAccount[] {
  return [
    {
      id: CALLER_ACCOUNT,
      regions: {
        'us-east-1': {
          ...emptyRegion(),
          buckets: [
            bucket('logs-raw', {
              standardBytes: 2 * TiB,
              objects: 1_000_000,
              uploads: [
                {
                  key: 'dump/a.parquet',
                  uploadId: 'up-old',
                  initiated: OLD,
                  parts: Array(10).fill(10 * GiB),
                },
                { key: 'dump/b.parquet', uploadId: 'up-new', initiated: NEW, parts: [GiB] },
              ],
            }),
            bucket('tiered', { lifecycle: 'transition', standardBytes: 5 * TiB }),
            bucket('archive', { intelligentTiering: true, standardBytes: 5 * TiB }),
            bucket('abort-only', { lifecycle: 'abort-only', standardBytes: 500 * GiB, objects: 1000 }),
            bucket('small', { standardBytes: GiB }),
            bucket('ignored', {
              tags: { 'guardrail:ignore': 'true' },
              standardBytes: 10 * TiB,
              uploads: [{ key: 'x', uploadId: 'up-x', initiated: OLD, parts: [GiB] }],
            }),
            bucket('legacy', {
              hideRegion: true,
              tags: { team: 'data' },
              uploads: [{ key: 'y', uploadId: 'up-y', initiated: OLD, parts: [GiB, GiB, GiB] }],
            }),
          ],
        },
        'ap-northeast-2': {
          ...emptyRegion(),
          buckets: [
            bucket('seoul-data', {
              standardBytes: 200 * GiB,
              objects: 100,
              uploads: [{ key: 'z', uploadId: 'up-z', initiated: OLD, parts: [GiB] }],
            }),
          ],
        },
        'eu-west-1': {
          ...emptyRegion(),
          buckets: [
            bucket('ireland', { uploads: [{ key: 'w', uploadId: 'up-w', initiated: OLD, parts: [GiB] }] }),
          ],
        },
      },
    },
  ];
}

const EXPECTED = [
  ['tiering:abort-only', 2.62],
  ['tiering:logs-raw', 8.25],
  ['uploads:legacy', 0.07],
  ['uploads:logs-raw', 2.3],
  // Seoul: 200 GiB × half not read × ($0.025 − $0.0138) − 100 objects' monitoring; 1 GiB × $0.025.
  ['tiering:seoul-data', 1.12],
  ['uploads:seoul-data', 0.03],
];

describe('s3-storage-waste through the real S3 and CloudWatch clients', () => {
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

  it('reports old incomplete uploads and untiered Standard bytes with their $/month, skipping configured, small and ignored buckets', async () => {
    const result = await runCheck(s3StorageWaste, { server, store, aws: { regions } });

    expect(
      result.findings.map((f) => [f.key, f.metrics?.monthlyCostUsd ?? f.metrics?.monthlySavingUsd]),
    ).toEqual(EXPECTED);
    const byKey = new Map(result.findings.map((f) => [f.key, f]));
    expect(byKey.get('uploads:logs-raw')?.metrics).toEqual({
      uploads: 1,
      bytes: 100 * GiB,
      monthlyCostUsd: 2.3,
    });
    expect(byKey.get('uploads:logs-raw')?.resource?.uploads).toEqual([
      { key: 'dump/a.parquet', uploadId: 'up-old', initiated: OLD, bytes: 100 * GiB },
    ]);
    expect(byKey.get('tiering:logs-raw')?.metrics).toEqual({
      standardBytes: 2 * TiB,
      objects: 1_000_000,
      monthlySavingUsd: 8.25,
    });
    expect(byKey.get('tiering:logs-raw')?.title).toBe(
      's3://logs-raw (us-east-1) keeps 2.0 TiB in S3 Standard with no lifecycle rule or Intelligent-Tiering — ≈$8.25/month less in Intelligent-Tiering',
    );
  });

  it('lists buckets once per account, asks GetBucketLocation only where ListBuckets gave no region, and calls only what it declares', async () => {
    await runCheck(s3StorageWaste, { server, store, aws: { regions } });

    const count = (action: string) => server.calls.filter((c) => c.action === action).length;
    expect(count('s3:ListAllMyBuckets')).toBe(1);
    expect(count('s3:GetBucketLocation')).toBe(1);
    expect(count('cloudwatch:GetMetricData')).toBe(2);
    // GetCallerIdentity needs no permission: it answers for any identity.
    const called = new Set(server.calls.map((c) => c.action).filter((a) => a !== 'sts:GetCallerIdentity'));
    expect([...called].filter((a) => !s3StorageWaste.permissions.includes(a))).toEqual([]);
  });

  it('follows every page of ListBuckets, ListMultipartUploads and ListParts', async () => {
    const paged = await startFakeAws({ accounts: estate(), callerAccountId: CALLER_ACCOUNT, s3PageSize: 1 });

    const result = await runCheck(s3StorageWaste, { server: paged, store, aws: { regions } });
    await paged.close();

    expect(
      result.findings.map((f) => [f.key, f.metrics?.monthlyCostUsd ?? f.metrics?.monthlySavingUsd]),
    ).toEqual(EXPECTED);
    expect(paged.calls.filter((c) => c.action === 's3:ListAllMyBuckets')).toHaveLength(9);
    expect(
      paged.calls.filter((c) => c.action === 's3:ListMultipartUploadParts').length,
    ).toBeGreaterThanOrEqual(14);
  });

  it('retries S3 throttling (SlowDown) and then succeeds', async () => {
    server.faults.throttle.set('s3:ListBucketMultipartUploads', 1);

    const result = await runCheck(s3StorageWaste, { server, store, aws: { regions } });

    expect(result.findings.map((f) => f.key)).toEqual(EXPECTED.map(([key]) => key));
  });

  it('reports a bucket it may not read as a warning that covers its alerts, and still reports the others', async () => {
    const accounts = estate();
    accounts[0]!.regions['us-east-1']!.buckets!.push(bucket('locked', { denied: true }));
    const denied = await startFakeAws({ accounts, callerAccountId: CALLER_ACCOUNT });

    const result = await runCheck(s3StorageWaste, { server: denied, store, aws: { regions: ['us-east-1'] } });
    await denied.close();

    const error = result.findings.find((f) => f.key === 'bucket-error:locked');
    expect([error?.severity, error?.title, error?.covers]).toEqual([
      'warning',
      'Could not inspect s3://locked (us-east-1): AccessDenied: Access Denied',
      [{ labels: { bucket: 'locked' } }],
    ]);
    expect(result.findings).toHaveLength(5);
  });

  it('counts uploads beyond maxUploadsSized without sizing them, and says "at least"', async () => {
    const result = await runCheck(s3StorageWaste, {
      server,
      store,
      aws: { regions: ['us-east-1'] },
      config: { maxUploadsSized: 0 },
    });

    const uploads = result.findings.find((f) => f.key === 'uploads:logs-raw');
    expect(uploads?.title).toContain('hold at least 0 B');
    expect(server.calls.filter((c) => c.action === 's3:ListMultipartUploadParts')).toHaveLength(0);
  });

  it('emits the waste gauges per region, zero for a clean one', async () => {
    const result = await runCheck(s3StorageWaste, {
      server,
      store,
      aws: { regions: ['us-east-1', 'us-west-2'] },
    });

    const labels = (region: string) => ({ check: 'test', account: CALLER_ACCOUNT, region });
    expect(result.measurements).toEqual([
      { name: 's3_incomplete_upload_bytes', value: 103 * GiB, labels: labels('us-east-1') },
      { name: 's3_incomplete_upload_monthly_cost_usd', value: 2.37, labels: labels('us-east-1') },
      { name: 's3_untiered_standard_bytes', value: 2 * TiB + 500 * GiB, labels: labels('us-east-1') },
      { name: 's3_tiering_monthly_savings_usd', value: 10.87, labels: labels('us-east-1') },
      { name: 's3_incomplete_upload_bytes', value: 0, labels: labels('us-west-2') },
      { name: 's3_incomplete_upload_monthly_cost_usd', value: 0, labels: labels('us-west-2') },
      { name: 's3_untiered_standard_bytes', value: 0, labels: labels('us-west-2') },
      { name: 's3_tiering_monthly_savings_usd', value: 0, labels: labels('us-west-2') },
    ]);
  });
});
