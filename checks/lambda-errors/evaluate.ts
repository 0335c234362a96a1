import type { Finding, Measurement } from '../../src/core/types';
import type { Severity } from '../../src/core/severity';
import { formatDuration } from '../../src/core/duration';
import { lambdaMetricsUrl, lambdaMonitoringUrl } from '../../src/aws/links';
import type { AwsTarget } from '../../src/aws/types';
import type { LambdaFunction } from './list';
import type { FunctionStats } from './metrics';
import type { LambdaErrorsConfig } from './schema';

/**
 * CloudWatch has no timeout count. A timed-out invocation reports a Duration of about its timeout, so a
 * maximum at or above this share of the configured timeout means at least one invocation timed out
 * (a successful run within the last 1 % counts too).
 */
export const TIMEOUT_DURATION_RATIO = 0.99;

export type Problem = 'errors' | 'throttles' | 'timeouts';

export function problemsOf(fn: LambdaFunction, s: FunctionStats, config: LambdaErrorsConfig): Problem[] {
  const problems: Problem[] = [];
  const rate = errorRate(s);
  if (s.errors >= config.minErrors && rate >= config.errorRate) problems.push('errors');
  if (s.throttles >= config.minThrottles) problems.push('throttles');
  if (
    config.timeouts &&
    s.maxDurationMs !== undefined &&
    s.maxDurationMs >= fn.timeoutMs * TIMEOUT_DURATION_RATIO
  ) {
    problems.push('timeouts');
  }
  return problems;
}

export function errorRate(s: FunctionStats): number {
  return s.invocations > 0 ? s.errors / s.invocations : 0;
}

export function lambdaFinding(
  target: AwsTarget,
  fn: LambdaFunction,
  s: FunctionStats,
  problem: Problem,
  windowMs: number,
  severity: Severity,
): Finding {
  const over = `in the last ${formatDuration(windowMs)}`;
  const pct = `${(errorRate(s) * 100).toFixed(1)}%`;
  const titles: Record<Problem, string> = {
    errors: `${s.errors} errors in ${s.invocations} invocations (${pct}) ${over}`,
    throttles: `${s.throttles} throttled invocations ${over}`,
    timeouts: `at least one invocation hit its ${formatDuration(fn.timeoutMs)} timeout ${over}`,
  };
  const summaries: Record<Problem, string> = {
    errors: 'Errors include timeouts and out-of-memory kills; the function logs say which.',
    throttles: 'Invocations were rejected for lack of concurrency (reserved or account limit).',
    timeouts:
      `Longest invocation ${formatDuration(s.maxDurationMs ?? 0)}, configured timeout ${formatDuration(fn.timeoutMs)}. ` +
      'Detected from the maximum Duration, so this says "at least one"; count them with "Task timed out" in the logs.',
  };
  return {
    key: `${target.accountId}/${target.region}/${fn.name}/${problem}`,
    severity,
    title: `Lambda ${fn.name} (${target.region}): ${titles[problem]}`,
    summary: `Account ${target.accountId}. ${summaries[problem]}`,
    resource: {
      functionName: fn.name,
      functionArn: fn.arn,
      accountId: target.accountId,
      region: target.region,
    },
    labels: { account: target.accountId, region: target.region, function: fn.name, problem },
    metrics: {
      invocations: s.invocations,
      errors: s.errors,
      throttles: s.throttles,
      errorRate: errorRate(s),
      timeoutMs: fn.timeoutMs,
      ...(s.maxDurationMs !== undefined ? { maxDurationMs: s.maxDurationMs } : {}),
    },
    links: [
      { label: 'CloudWatch metrics', url: lambdaMetricsUrl(target.region, fn.name) },
      { label: 'Lambda monitoring', url: lambdaMonitoringUrl(target.region, fn.name) },
    ],
  };
}

export function lambdaMeasurements(
  checkId: string,
  target: AwsTarget,
  fn: LambdaFunction,
  s: FunctionStats,
): Measurement[] {
  const labels = { check: checkId, account: target.accountId, region: target.region, function: fn.name };
  const out: Measurement[] = [
    { name: 'lambda_invocations', value: s.invocations, labels },
    { name: 'lambda_errors', value: s.errors, labels },
    { name: 'lambda_throttles', value: s.throttles, labels },
    { name: 'lambda_error_rate', value: errorRate(s), labels },
  ];
  if (s.maxDurationMs !== undefined) {
    out.push({ name: 'lambda_max_duration_seconds', value: s.maxDurationMs / 1000, labels });
  }
  return out;
}
