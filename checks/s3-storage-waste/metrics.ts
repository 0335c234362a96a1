import { withoutSdkLogging, type AwsClientConfig } from '../../src/aws/clients';
import { PageTokens } from '../../src/aws/pages';
import { chunk } from '../../src/core/limit';

/** GetMetricData accepts at most 500 queries per call. @see https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_GetMetricData.html */
export const MAX_QUERIES_PER_CALL = 500;
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
  const { CloudWatchClient, GetMetricDataCommand } = await import('../../src/aws/sdk/cloudwatch.js');
  const cloudwatch = withoutSdkLogging(new CloudWatchClient(client));
  try {
    for (const batch of chunk(queries, MAX_QUERIES_PER_CALL)) {
      const tokens = new PageTokens('cloudwatch:GetMetricData');
      let nextToken: string | undefined;
      do {
        const out = await cloudwatch.send(
          new GetMetricDataCommand({
            MetricDataQueries: batch,
            StartTime: new Date(now.getTime() - LOOKBACK_DAYS * DAY_SECONDS * 1000),
            EndTime: now,
            // Newest first: the latest datapoint is Values[0].
            ScanBy: 'TimestampDescending',
            NextToken: nextToken,
          }),
          { abortSignal: signal },
        );
        for (const r of out.MetricDataResults ?? []) {
          const [id, index] = (r.Id ?? '').split('_');
          const s = storage[Number(index)];
          const latest = r.Values?.[0];
          if (!s || latest === undefined) continue;
          // A later page of the same query holds older datapoints.
          if (id === 'std') s.standardBytes ??= latest;
          else s.objects ??= latest;
        }
        nextToken = tokens.next(out.NextToken);
      } while (nextToken);
    }
  } finally {
    cloudwatch.destroy();
  }
  return storage;
}
