import { lambdaErrors } from '../checks/lambda-errors';
import { MAX_QUERIES_PER_CALL } from '../checks/lambda-errors/metrics';
import { CALLER_ACCOUNT } from '../test/kit/aws';
import { startFakeAws } from '../test/servers/aws/server';
import { emptyRegion } from '../test/servers/aws/world';
import { timedRun } from './aws-bench-kit';

const FUNCTIONS = 2000;
const METRICS = 4;

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
  await server.close();

  const count = (action: string) => server.calls.filter((c) => c.action === action).length;
  const minimum = Math.ceil((FUNCTIONS * METRICS) / MAX_QUERIES_PER_CALL);
  console.log(`lambda scan: ${FUNCTIONS} functions × ${METRICS} metrics`);
  console.log(
    `  GetMetricData calls: ${count('cloudwatch:GetMetricData')} (minimum ${minimum}; one per function×metric: ${FUNCTIONS * METRICS})`,
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
