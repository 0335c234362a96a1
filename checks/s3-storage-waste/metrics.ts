import type { AwsClientConfig } from '../../src/aws/clients';
import { getMetricData } from '../../src/aws/metric-data';
/** S3 storage metrics are reported once a day. @see https://docs.aws.amazon.com/AmazonS3/latest/userguide/metrics-dimensions.html */
export const DAY_SECONDS = 86_400;
/** Look back far enough to find the latest daily datapoint (they arrive up to a day late). */
export const LOOKBACK_DAYS = 3;

export interface BucketStorage {
  /** `BucketSizeBytes` with `StorageType=StandardStorage`; undefined when CloudWatch has no datapoint. */
  standardBytes: number | undefined;
  /** `NumberOfObjects` with `StorageType=AllStorageTypes`. */
  objects: number | undefined;
}

const METRICS = [
  { id: 'std', name: 'BucketSizeBytes', storageType: 'StandardStorage' },
  { id: 'obj', name: 'NumberOfObjects', storageType: 'AllStorageTypes' },
] as const;

/** The latest daily S3 storage metrics of `buckets` (one region), packed 500 queries per GetMetricData call. */
export async function bucketStorage(
  client: AwsClientConfig,
  signal: AbortSignal,
  buckets: readonly string[],
  now: Date,
): Promise<BucketStorage[]> {
  const storage: BucketStorage[] = buckets.map(() => ({ standardBytes: undefined, objects: undefined }));
  if (buckets.length === 0) return storage;
  const queries = buckets.flatMap((bucket, i) =>
    METRICS.map((m) => ({
      // Ids must start with a lower-case letter; the index maps results back without a lookup table.
      Id: `${m.id}_${i}`,
      MetricStat: {
        Metric: {
          Namespace: 'AWS/S3',
          MetricName: m.name,
          Dimensions: [
            { Name: 'BucketName', Value: bucket },
            { Name: 'StorageType', Value: m.storageType },
          ],
        },
        Period: DAY_SECONDS,
        Stat: 'Average',
      },
      ReturnData: true,
    })),
  );
  const start = new Date(now.getTime() - LOOKBACK_DAYS * DAY_SECONDS * 1000);
  // Newest first: the latest datapoint is Values[0].
  await getMetricData(client, signal, queries, { start, end: now, scanBy: 'TimestampDescending' }, (r) => {
    const [id, index] = (r.Id ?? '').split('_');
    const s = storage[Number(index)];
    const latest = r.Values?.[0];
    if (!s || latest === undefined) return;
    // A later page of the same query holds older datapoints.
    if (id === 'std') s.standardBytes ??= latest;
    else s.objects ??= latest;
  });
  return storage;
}
