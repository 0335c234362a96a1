import { lambdaErrors } from '../../../checks/lambda-errors';
import type { StateStore } from '../../../src/state/types';
import { startFakeAws, type FakeAwsServer } from '../../servers/aws/server';
import { emptyRegion, type FakeFunction } from '../../servers/aws/world';
import { CALLER_ACCOUNT, memoryStore, runCheck, useFakeCredentials } from '../../kit/aws';

const REGION = 'us-east-1';

function functions(): FakeFunction[] {
  const healthy = Array.from({ length: 126 }, (_, i) => ({
    name: `etl-${i}`,
    timeoutSeconds: 60,
    invocations: 100,
    errors: 1,
  }));
  return [
    ...healthy,
    { name: 'loader', timeoutSeconds: 60, invocations: 100, errors: 12, maxDurationMs: 2000 },
    { name: 'fanout', timeoutSeconds: 60, invocations: 40, throttles: 7 },
    { name: 'slow', timeoutSeconds: 30, invocations: 10, errors: 1, maxDurationMs: 30_002 },
    { name: 'noisy-canary', timeoutSeconds: 60, invocations: 10, errors: 10, tags: {} },
    { name: 'legacy', timeoutSeconds: 60, invocations: 10, errors: 10, tags: { 'guardrail:ignore': 'true' } },
  ];
}

describe('lambda-errors through the real Lambda and CloudWatch (JSON 1.0) clients', () => {
  let server: FakeAwsServer;
  let store: StateStore;

  beforeAll(() => useFakeCredentials());
  beforeEach(async () => {
    server = await startFakeAws({
      callerAccountId: CALLER_ACCOUNT,
      metricPageSize: 300,
      accounts: [{ id: CALLER_ACCOUNT, regions: { [REGION]: { ...emptyRegion(), functions: functions() } } }],
    });
    store = await memoryStore();
  });
  afterEach(async () => {
    await server.close();
    await store.close();
  });

  it('finds error rate, throttles and timeouts; skips excluded and ignored functions', async () => {
    const result = await runCheck(lambdaErrors, {
      server,
      store,
      aws: { regions: [REGION] },
      config: { errorRate: 0.05, minErrors: 5, exclude: ['*-canary'] },
    });

    expect(result.findings.map((f) => f.key)).toEqual([
      `${CALLER_ACCOUNT}/${REGION}/loader/errors`,
      `${CALLER_ACCOUNT}/${REGION}/fanout/throttles`,
      `${CALLER_ACCOUNT}/${REGION}/slow/timeouts`,
    ]);
    expect(result.findings[0]?.title).toBe(
      'Lambda loader (us-east-1): 12 errors in 100 invocations (12.0%) in the last 15m',
    );
    expect(result.findings[0]?.links?.[0]?.url).toContain('/cloudwatch/home?region=us-east-1#metricsV2:');
    expect(result.findings[2]?.metrics).toEqual({
      invocations: 10,
      errors: 1,
      throttles: 0,
      errorRate: 0.1,
      timeoutMs: 30_000,
      maxDurationMs: 30_002,
    });
  });

  it('lists every page and packs 500 metric queries per GetMetricData call, following NextToken', async () => {
    const result = await runCheck(lambdaErrors, { server, store, aws: { regions: [REGION] } });

    const actions = server.calls.map((c) => c.action);
    expect(actions.filter((a) => a === 'lambda:ListFunctions')).toHaveLength(3);
    // 131 functions × 4 metrics = 524 queries: 2 batches, the first split by NextToken into 2 pages.
    expect(actions.filter((a) => a === 'cloudwatch:GetMetricData')).toHaveLength(3);
    expect(result.measurements.filter((m) => m.name === 'lambda_invocations')).toHaveLength(131);
    expect(
      result.measurements.find((m) => m.labels.function === 'loader' && m.name === 'lambda_error_rate'),
    ).toEqual({
      name: 'lambda_error_rate',
      value: 0.12,
      labels: { check: 'test', account: CALLER_ACCOUNT, region: REGION, function: 'loader' },
    });
  });

  it.each([
    ['lambda:ListFunctions', 'lambda:ListFunctions'],
    ['cloudwatch:GetMetricData', 'cloudwatch:GetMetricData'],
  ])('stops paging when %s repeats its next-page token, with a clear error', async (action, name) => {
    server.faults.repeatToken.add(action);

    const started = Date.now();
    await expect(runCheck(lambdaErrors, { server, store, aws: { regions: [REGION] } })).rejects.toThrow(
      `every AWS target failed (1); first: ${name} returned a page token it had already returned (after 2 pages); stopped paging`,
    );
    expect(server.calls.filter((c) => c.action === action)).toHaveLength(2);
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  // CloudWatch answers 200 with a result whose StatusCode says its data is not whole. Its empty Values read as no
  // errors: loader's firing alert resolved, and a new one was missed (a review found it, through a rewriting proxy).
  it.each([['InternalError'], ['Forbidden'], ['PartialData']] as const)(
    'fails the region when a metric result is %s, rather than reading its figures as 0',
    async (status) => {
      await server.close();
      const world = functions().map((f) => (f.name === 'loader' ? { ...f, metricStatus: status } : f));
      server = await startFakeAws({
        callerAccountId: CALLER_ACCOUNT,
        metricPageSize: 300,
        accounts: [{ id: CALLER_ACCOUNT, regions: { [REGION]: { ...emptyRegion(), functions: world } } }],
      });

      await expect(runCheck(lambdaErrors, { server, store, aws: { regions: [REGION] } })).rejects.toThrow(
        // The first query by its metric and function, not by the Id made up for it (an on-call trial saw only inv_127).
        `CloudWatch GetMetricData returned incomplete data for 4 of 524 queries (Invocations of FunctionName=loader: ${status}: ${status} for inv_126); their figures are unknown this run`,
      );
    },
  );

  it('adds up a metric CloudWatch answers in parts across pages (PartialData, then Complete)', async () => {
    await server.close();
    const world = functions().map((f) => (f.name === 'loader' ? { ...f, splitAcrossPages: true } : f));
    server = await startFakeAws({
      callerAccountId: CALLER_ACCOUNT,
      metricPageSize: 10, // loader's first parts and their completions fall on different pages

      accounts: [{ id: CALLER_ACCOUNT, regions: { [REGION]: { ...emptyRegion(), functions: world } } }],
    });

    const result = await runCheck(lambdaErrors, {
      server,
      store,
      aws: { regions: [REGION] },
      config: { errorRate: 0.05, minErrors: 5, exclude: ['*-canary'] },
    });

    expect(result.findings[0]?.title).toBe(
      'Lambda loader (us-east-1): 12 errors in 100 invocations (12.0%) in the last 15m',
    );
  });

  it('retries CloudWatch and Lambda throttling, then succeeds', async () => {
    server.faults.throttle.set('cloudwatch:GetMetricData', 1);
    server.faults.throttle.set('lambda:ListFunctions', 1);

    const result = await runCheck(lambdaErrors, {
      server,
      store,
      aws: { regions: [REGION] },
      config: { include: ['loader'] },
    });

    expect(result.findings.map((f) => f.key)).toEqual([`${CALLER_ACCOUNT}/${REGION}/loader/errors`]);
  });
});
