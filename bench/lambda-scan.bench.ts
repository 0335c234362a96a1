import { lambdaErrors } from '../checks/lambda-errors';
import { MAX_QUERIES_PER_CALL } from '../src/aws/metric-data';
import { CALLER_ACCOUNT } from '../test/kit/aws';
import { startFakeAws } from '../test/servers/aws/server';
import { emptyRegion } from '../test/servers/aws/world';
import { timedRun } from './aws-bench-kit';
import { CloudWatchClient, GetMetricDataCommand } from '../src/aws/sdk/cloudwatch';
import { withoutSdkLogging } from '../src/aws/clients';

const FUNCTIONS = 2000;
const METRICS = ['Invocations', 'Errors', 'Throttles', 'Duration'] as const;
/** Calls in flight in the per-metric baseline: what a script with a small promise pool would use. */
const BASELINE_CONCURRENCY = 8;

/** The scan Guardrail replaces, measured: one GetMetricData call per function and metric, 8 in flight. */
async function perMetricScan(endpoint: string): Promise<{ calls: number; ms: number }> {
  const cloudwatch = withoutSdkLogging(
    new CloudWatchClient({
      region: 'us-east-1',
      endpoint,
      credentials: { accessKeyId: 'AKIDSTATICFAKE', secretAccessKey: 'fake-secret' },
    }),
  );
  const end = new Date();
  const start = new Date(end.getTime() - 3_600_000);
  const work = Array.from({ length: FUNCTIONS }, (_, i) => METRICS.map((m) => ({ fn: `fn-${i}`, m }))).flat();
  let next = 0;
  let calls = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: BASELINE_CONCURRENCY }, async () => {
      for (let i = next++; i < work.length; i = next++) {
        const { fn, m } = work[i]!;
        await cloudwatch.send(
          new GetMetricDataCommand({
            MetricDataQueries: [
              {
                Id: 'q',
                MetricStat: {
                  Metric: {
                    Namespace: 'AWS/Lambda',
                    MetricName: m,
                    Dimensions: [{ Name: 'FunctionName', Value: fn }],
                  },
                  Period: 3600,
                  Stat: m === 'Duration' ? 'Maximum' : 'Sum',
                },
              },
            ],
            StartTime: start,
            EndTime: end,
          }),
        );
        calls++;
      }
    }),
  );
  cloudwatch.destroy();
  return { calls, ms: performance.now() - started };
}

/** Lambda scan, 2,000 functions × 4 metrics: GetMetricData calls against the minimum and a per-metric baseline. */
export async function main(): Promise<void> {
  const functions = Array.from({ length: FUNCTIONS }, (_, i) => ({
    name: `fn-${i}`,
    timeoutSeconds: 60,
    invocations: 100,
    errors: i % 100 === 0 ? 20 : 0,
  }));
  const server = await startFakeAws({
    callerAccountId: CALLER_ACCOUNT,
    accounts: [{ id: CALLER_ACCOUNT, regions: { 'us-east-1': { ...emptyRegion(), functions } } }],
  });
  const { result, ms } = await timedRun(lambdaErrors, server, { regions: ['us-east-1'] });
  const count = (action: string) => server.calls.filter((c) => c.action === action).length;
  const guardrailCalls = count('cloudwatch:GetMetricData');
  const baseline = await perMetricScan(server.url);
  const baselineCalls = count('cloudwatch:GetMetricData') - guardrailCalls;
  await server.close();

  const minimum = Math.ceil((FUNCTIONS * METRICS.length) / MAX_QUERIES_PER_CALL);
  console.log(`lambda scan: ${FUNCTIONS} functions × ${METRICS.length} metrics`);
  console.log(`  GetMetricData calls: ${guardrailCalls} (minimum ${minimum})`);
  console.log(
    `  measured baseline, one call per function×metric (${BASELINE_CONCURRENCY} in flight): ` +
      `${baselineCalls} calls answered by the fake (${baseline.calls} sent), ${baseline.ms.toFixed(0)} ms, ` +
      `${(baseline.ms / ms).toFixed(1)}× the whole check's wall time`,
  );
  console.log(
    `  ListFunctions pages: ${count('lambda:ListFunctions')} (minimum ${Math.ceil(FUNCTIONS / 50)})`,
  );
  console.log(`  ListTags calls: ${count('lambda:ListTags')} (flagged functions only)`);
  console.log(
    `  findings: ${result.findings.length}, measurements: ${result.measurements.length}, wall ${ms.toFixed(0)} ms`,
  );
}

if (require.main === module)
  main().catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
