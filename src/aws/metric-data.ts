import type { MetricDataQuery, MetricDataResult } from '@aws-sdk/client-cloudwatch';
import { withoutSdkLogging, type AwsClientConfig } from './clients';
import { PageTokens } from './pages';
import { chunk } from '../core/limit';

/** GetMetricData accepts at most 500 queries per call. @see https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_GetMetricData.html */
export const MAX_QUERIES_PER_CALL = 500;

export interface MetricDataWindow {
  start: Date;
  end: Date;
  /** `TimestampDescending` puts the latest datapoint first in `Values`. @default CloudWatch's (ascending) */
  scanBy?: 'TimestampAscending' | 'TimestampDescending';
}

/**
 * Sends `queries` in as few GetMetricData calls as the API allows (500 queries each), following each call's
 * pages, and hands every result to `onResult` as it arrives: the one CloudWatch reader of the checks.
 */
export async function getMetricData(
  client: AwsClientConfig,
  signal: AbortSignal,
  queries: MetricDataQuery[],
  window: MetricDataWindow,
  onResult: (result: MetricDataResult) => void,
): Promise<void> {
  if (queries.length === 0) return;
  const { CloudWatchClient, GetMetricDataCommand } = await import('./sdk/cloudwatch.js');
  const cloudwatch = withoutSdkLogging(new CloudWatchClient(client));
  try {
    for (const batch of chunk(queries, MAX_QUERIES_PER_CALL)) {
      const tokens = new PageTokens('cloudwatch:GetMetricData');
      let nextToken: string | undefined;
      do {
        const out = await cloudwatch.send(
          new GetMetricDataCommand({
            MetricDataQueries: batch,
            StartTime: window.start,
            EndTime: window.end,
            ...(window.scanBy ? { ScanBy: window.scanBy } : {}),
            NextToken: nextToken,
          }),
          { abortSignal: signal },
        );
        for (const result of out.MetricDataResults ?? []) onResult(result);
        nextToken = tokens.next(out.NextToken);
      } while (nextToken);
    }
  } finally {
    cloudwatch.destroy();
  }
}
