import type { FakeBucket, FakeFunction, FakeRegion } from './world';
import { json, type Reply } from './reply';

/** @see https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_GetMetricData.html */
export const MAX_QUERIES_PER_CALL = 500;

interface MetricQuery {
  Id: string;
  MetricStat?: {
    Metric: { Namespace: string; MetricName: string; Dimensions?: { Name: string; Value: string }[] };
    Period: number;
    Stat: string;
  };
}

const STAT_OF: Record<string, (f: FakeFunction) => number | undefined> = {
  'Invocations/Sum': (f) => f.invocations,
  'Errors/Sum': (f) => f.errors,
  'Throttles/Sum': (f) => f.throttles,
  'Duration/Maximum': (f) => f.maxDurationMs,
};

const S3_STAT_OF: Record<string, (b: FakeBucket) => number | undefined> = {
  'BucketSizeBytes/StandardStorage': (b) => b.standardBytes,
  'NumberOfObjects/AllStorageTypes': (b) => b.objects,
};

/** A daily S3 storage metric: one datapoint per bucket, or none. */
function s3Result(data: FakeRegion, q: MetricQuery, start: number) {
  const dims = new Map((q.MetricStat?.Metric.Dimensions ?? []).map((d) => [d.Name, d.Value]));
  const bucket = data.buckets?.find((b) => b.name === dims.get('BucketName'));
  const value = bucket
    ? S3_STAT_OF[`${q.MetricStat?.Metric.MetricName}/${dims.get('StorageType')}`]?.(bucket)
    : undefined;
  return {
    Id: q.Id,
    Label: q.MetricStat?.Metric.MetricName ?? q.Id,
    Timestamps: value === undefined ? [] : [start],
    Values: value === undefined ? [] : [value],
    StatusCode: 'Complete',
  };
}

/** GetMetricData in AWS JSON 1.0 (what @aws-sdk/client-cloudwatch ≥ 3.949 speaks); `pageSize` forces NextToken. */
export function getMetricData(data: FakeRegion, body: string, pageSize = Infinity): Reply {
  const input = JSON.parse(body) as {
    MetricDataQueries: MetricQuery[];
    StartTime: number;
    NextToken?: string;
  };
  if (input.MetricDataQueries.length > MAX_QUERIES_PER_CALL) {
    return json(
      400,
      { __type: 'com.amazonaws.cloudwatch#InvalidParameterValue', message: 'too many queries' },
      {
        'x-amzn-query-error': 'InvalidParameterValue;Sender',
      },
    );
  }
  const later: unknown[] = [];
  const results = input.MetricDataQueries.map((q) => {
    const stat = q.MetricStat;
    if (stat?.Metric.Namespace === 'AWS/S3') return s3Result(data, q, input.StartTime);
    const name = stat?.Metric.Dimensions?.find((d) => d.Name === 'FunctionName')?.Value;
    const fn = data.functions.find((f) => f.name === name);
    if (fn?.splitAcrossPages && stat) {
      const all = STAT_OF[`${stat.Metric.MetricName}/${stat.Stat}`]?.(fn);
      const sum = stat.Stat === 'Sum';
      const first = all === undefined ? undefined : sum ? Math.floor(all / 2) : all;
      const rest = all === undefined ? undefined : sum ? all - Math.floor(all / 2) : all;
      const part = (value: number | undefined, status: string) => ({
        Id: q.Id,
        Label: stat.Metric.MetricName,
        Timestamps: value === undefined ? [] : [input.StartTime],
        Values: value === undefined ? [] : [value],
        StatusCode: status,
      });
      later.push(part(rest, 'Complete'));
      return part(first, 'PartialData');
    }
    const status = fn?.metricStatus ?? 'Complete';
    const found = stat && fn ? STAT_OF[`${stat.Metric.MetricName}/${stat.Stat}`]?.(fn) : undefined;
    const value = status === 'InternalError' || status === 'Forbidden' ? undefined : found;
    return {
      Id: q.Id,
      Label: stat?.Metric.MetricName ?? q.Id,
      Timestamps: value === undefined ? [] : [input.StartTime],
      Values: value === undefined ? [] : [value],
      StatusCode: status,
      ...(status === 'Complete' ? {} : { Messages: [{ Code: status, Value: `${status} for ${q.Id}` }] }),
    };
  });
  results.push(...(later as typeof results));
  const start = Number(input.NextToken ?? 0);
  const end = Math.min(results.length, start + pageSize);
  const next = end < results.length ? String(end) : undefined;
  return json(
    200,
    { MetricDataResults: results.slice(start, end), Messages: [], ...(next ? { NextToken: next } : {}) },
    {
      'content-type': 'application/x-amz-json-1.0',
    },
  );
}
