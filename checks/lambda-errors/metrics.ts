import { withoutSdkLogging, type AwsClientConfig } from '../../src/aws/clients';
import { PageTokens } from '../../src/aws/pages';
import type { LambdaFunction } from './list';

/** GetMetricData accepts at most 500 queries per call. @see https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_GetMetricData.html */
export const MAX_QUERIES_PER_CALL = 500;

export interface FunctionStats {
  invocations: number;
  errors: number;
  throttles: number;
  /** Longest invocation in the window; undefined when it did not run. */
  maxDurationMs: number | undefined;
}

const METRICS = [
  { id: 'inv', name: 'Invocations', stat: 'Sum' },
  { id: 'err', name: 'Errors', stat: 'Sum' },
  { id: 'thr', name: 'Throttles', stat: 'Sum' },
  { id: 'dur', name: 'Duration', stat: 'Maximum' },
] as const;
type MetricId = (typeof METRICS)[number]['id'];

/** The four AWS/Lambda metrics of every function over [start, end), packed 500 queries per GetMetricData call. */
export async function functionStats(
  client: AwsClientConfig,
  signal: AbortSignal,
  functions: LambdaFunction[],
  window: { start: Date; end: Date },
): Promise<FunctionStats[]> {
  const stats: FunctionStats[] = functions.map(() => ({
    invocations: 0,
    errors: 0,
    throttles: 0,
    maxDurationMs: undefined,
  }));
  if (functions.length === 0) return stats;
  const period = Math.round((window.end.getTime() - window.start.getTime()) / 1000);
  const queries = functions.flatMap((f, i) =>
    METRICS.map((m) => ({
      // Ids must start with a lower-case letter; the index maps results back without a lookup table.
      Id: `${m.id}_${i}`,
      MetricStat: {
        Metric: {
          Namespace: 'AWS/Lambda',
          MetricName: m.name,
          Dimensions: [{ Name: 'FunctionName', Value: f.name }],
        },
        Period: period,
        Stat: m.stat,
      },
      ReturnData: true,
    })),
  );
  const { CloudWatchClient, GetMetricDataCommand } = await import('../../src/aws/sdk/cloudwatch.js');
  const cloudwatch = withoutSdkLogging(new CloudWatchClient(client));
  try {
    for (let offset = 0; offset < queries.length; offset += MAX_QUERIES_PER_CALL) {
      const batch = queries.slice(offset, offset + MAX_QUERIES_PER_CALL);
      const tokens = new PageTokens('cloudwatch:GetMetricData');
      let nextToken: string | undefined;
      do {
        const out = await cloudwatch.send(
          new GetMetricDataCommand({
            MetricDataQueries: batch,
            StartTime: window.start,
            EndTime: window.end,
            NextToken: nextToken,
          }),
          { abortSignal: signal },
        );
        for (const r of out.MetricDataResults ?? []) {
          const [id, index] = (r.Id ?? '').split('_');
          const s = stats[Number(index)];
          if (s) add(s, id as MetricId, r.Values ?? []);
        }
        nextToken = tokens.next(out.NextToken);
      } while (nextToken);
    }
  } finally {
    cloudwatch.destroy();
  }
  return stats;
}

// A window may straddle two CloudWatch periods, so sums add up and maxima take the largest.
function add(s: FunctionStats, id: MetricId, values: number[]): void {
  const sum = values.reduce((a, b) => a + b, 0);
  if (id === 'inv') s.invocations += sum;
  else if (id === 'err') s.errors += sum;
  else if (id === 'thr') s.throttles += sum;
  else if (values.length > 0) s.maxDurationMs = Math.max(s.maxDurationMs ?? 0, ...values);
}
