import type { Finding, Measurement, MeasurementDeclaration } from '../../src/core/types';
import { defineCheck } from '../types';
import { scanTargets } from '../../src/aws/fan-out';
import { isIgnored } from '../../src/aws/tags';
import { lambdaFinding, lambdaMeasurements, problemsOf } from './evaluate';
import { functionTags, listFunctions, nameFilter } from './list';
import { functionStats } from './metrics';
import { LambdaErrorsConfig } from './schema';

const MINUTE_MS = 60_000;

const LAMBDA_MEASUREMENTS: readonly MeasurementDeclaration[] = [
  ['lambda_invocations', 'Invocations per function over the window.'],
  ['lambda_errors', 'Errors per function over the window.'],
  ['lambda_throttles', 'Throttled invocations per function over the window.'],
  ['lambda_error_rate', 'Errors divided by invocations per function over the window.'],
  ['lambda_max_duration_seconds', 'Longest invocation per function over the window.'],
].map(([name, help]) => ({
  name: name!,
  help: help!,
  labels: ['account', 'region', 'function'],
  type: 'gauge',
}));

export const lambdaErrors = defineCheck({
  kind: 'lambda-errors',
  description: 'Lambda functions with a high error rate, throttles or timeouts, from CloudWatch metrics',
  configSchema: LambdaErrorsConfig,
  permissions: ['cloudwatch:GetMetricData', 'lambda:ListFunctions', 'lambda:ListTags'],
  measurements: LAMBDA_MEASUREMENTS,
  example: { window: '15m', errorRate: 0.05, minErrors: 5, exclude: ['*-canary'] },
  async run(ctx, config) {
    // Whole minutes, so every run asks CloudWatch for the same aligned period.
    const end = new Date(Math.floor(ctx.now.getTime() / MINUTE_MS) * MINUTE_MS);
    const window = { start: new Date(end.getTime() - config.window), end };
    const keep = nameFilter(config.include, config.exclude);

    const { scans, errors } = await scanTargets(ctx, async (target, client, signal) => {
      const functions = await listFunctions(client, signal, keep);
      const stats = await functionStats(client, signal, functions, window);
      const rows = functions.map((fn, i) => ({
        fn,
        stats: stats[i]!,
        problems: problemsOf(fn, stats[i]!, config),
      }));
      const flagged = rows.filter((r) => r.problems.length > 0);
      const tags = await functionTags(
        client,
        signal,
        flagged.map((r) => r.fn.arn),
      );
      const findings: Finding[] = flagged
        .filter((r) => !isIgnored(tags.get(r.fn.arn)))
        .flatMap((r) =>
          r.problems.map((p) => lambdaFinding(target, r.fn, r.stats, p, config.window, config.severity)),
        );
      const measurements: Measurement[] = rows.flatMap((r) =>
        lambdaMeasurements(ctx.checkId, target, r.fn, r.stats),
      );
      return { findings, measurements };
    });

    return {
      findings: [...errors, ...scans.flatMap((s) => s.value.findings)],
      measurements: scans.flatMap((s) => s.value.measurements),
    };
  },
});
