import type { AwsClientConfig } from '../../src/aws/clients';
import { getMetricData } from '../../src/aws/metric-data';
import type { LambdaFunction } from './list';

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
  await getMetricData(client, signal, queries, window, (r) => {
    const [id, index] = (r.Id ?? '').split('_');
    const s = stats[Number(index)];
    if (s) add(s, id as MetricId, r.Values ?? []);
  });
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
