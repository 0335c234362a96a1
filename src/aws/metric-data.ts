import type { MessageData, MetricDataQuery, MetricDataResult } from '@aws-sdk/client-cloudwatch';
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
 *
 * A result whose StatusCode says its data is not whole (`InternalError`, `Forbidden`, or `PartialData` with no
 * page left to complete it) fails the call, naming how many queries and the first one's message: its `Values`
 * are empty or short, and summed as they were they read as no errors, so a firing alert resolved and a new one
 * was missed. The caller's target then fails as a region error, which keeps that region's alerts as they are.
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
  /** By query Id: a query may answer on several pages, and counts once. */
  const failed = new Map<string, MetricDataResult>();
  const partial = new Map<string, MetricDataResult>();
  const messages: MessageData[] = [];
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
        for (const result of out.MetricDataResults ?? []) {
          const id = result.Id ?? '';
          if (result.StatusCode === 'PartialData') partial.set(id, result);
          else partial.delete(id); // completed by this page, or failed below
          if (result.StatusCode === 'InternalError' || result.StatusCode === 'Forbidden')
            failed.set(id, result);
          onResult(result);
        }
        if (out.Messages?.length) messages.push(...out.Messages);
        nextToken = tokens.next(out.NextToken);
      } while (nextToken);
      // The last page leaves no token to ask for the rest: a result still partial stays so.
      for (const [id, result] of partial) if (!failed.has(id)) failed.set(id, result);
      partial.clear();
    }
    if (failed.size) throw new Error(incompleteMessage([...failed.values()], queries, messages));
  } finally {
    cloudwatch.destroy();
  }
}

/**
 * "CloudWatch GetMetricData returned incomplete data for 3 of 524 queries (Errors of FunctionName=orders-api:
 * InternalError: ...)": the first query by its metric and dimensions (or its Label), not by the Id made up for it.
 */
function incompleteMessage(
  failed: MetricDataResult[],
  queries: MetricDataQuery[],
  messages: MessageData[],
): string {
  const first = failed[0]!;
  const query = queries.find((q) => q.Id === first.Id);
  const metric = query?.MetricStat?.Metric;
  const dimensions = (metric?.Dimensions ?? []).map((d) => `${d.Name}=${d.Value}`).join(', ');
  const named =
    query?.Label ??
    (metric?.MetricName ? `${metric.MetricName}${dimensions ? ` of ${dimensions}` : ''}` : (first.Id ?? '?'));
  const said = [...(first.Messages ?? []), ...messages]
    .map((m) => [m.Code === first.StatusCode ? undefined : m.Code, m.Value].filter(Boolean).join(': '))
    .filter(Boolean)
    .join('; ');
  return (
    `CloudWatch GetMetricData returned incomplete data for ${failed.length} of ${queries.length} queries ` +
    `(${named}: ${first.StatusCode ?? 'no status'}${said ? `: ${said}` : ''}); ` +
    'their figures are unknown this run'
  );
}
