import { setMaxListeners } from 'node:events';
import { REGION_ERROR_PREFIX, type Finding } from '../core/types';
import type { AwsClientConfig } from './clients';
import { describeAwsError } from './clients';
import { DEFAULT_MAX_CONCURRENCY, DEFAULT_TARGET_TIMEOUT_MS } from './config';
import { formatDuration } from '../core/duration';
import { mapSettled } from '../core/limit';
import type { AwsProvider, AwsTarget } from './types';
import type { Progress } from '../core/types';

export interface TargetScan<T> {
  target: AwsTarget;
  value: T;
}

export interface FanOut<T> {
  /** The targets scanned successfully, in target order. */
  scans: TargetScan<T>[];
  /** One warning per target that failed (`region-error:<account>/<region>`). */
  errors: Finding[];
}

/** Rejects once `signal` aborts, with its reason. */
function aborted(signal: AbortSignal): Promise<never> {
  return new Promise((_, reject) => {
    if (signal.aborted) reject(signal.reason);
    else signal.addEventListener('abort', () => reject(signal.reason), { once: true });
  });
}

/** What `scanTargets` needs of the check's context. */
export interface FanOutContext {
  aws: AwsProvider;
  signal: AbortSignal;
  progress: (p: Progress) => void;
  /**
   * Where a target that could not be scanned is reported, as a check's `errors` (the runner adds it to the
   * context: the run is then an error, its findings still stand).
   */
  reportError?: (message: string, withFinding?: boolean) => void;
}

/**
 * Runs `scan` in every account × region with `aws.maxConcurrency` in flight. A failed target becomes a
 * warning finding so it never hides the others (its `covers` keeps the alerts of its resources), and is
 * reported to `ctx.reportError`; only when every target fails does this throw. Each target
 * has `aws.targetTimeout`: `scan` gets a signal that aborts when it passes (or when the check's does), and a
 * target still running then is given up as a region error, so one hanging region cannot take the others'
 * results down with the check's timeout.
 */
export async function scanTargets<T>(
  ctx: FanOutContext,
  scan: (target: AwsTarget, client: AwsClientConfig, signal: AbortSignal) => Promise<T>,
): Promise<FanOut<T>> {
  const targetTimeoutMs = ctx.aws.targetTimeoutMs ?? DEFAULT_TARGET_TIMEOUT_MS;
  const targets = await ctx.aws.targets(ctx.signal);
  // Every in-flight SDK call listens on this one signal (targets × calls); that is fan-out, not a leak.
  setMaxListeners(0, ctx.signal);
  let done = 0;
  const settled = await mapSettled(
    targets,
    ctx.aws.maxConcurrency ?? DEFAULT_MAX_CONCURRENCY,
    async (target) => {
      const own = new AbortController();
      setMaxListeners(0, own.signal);
      const timer = setTimeout(
        () =>
          own.abort(
            new Error(
              `timed out after ${formatDuration(targetTimeoutMs)} (aws.targetTimeout); the other targets were scanned`,
            ),
          ),
        targetTimeoutMs,
      );
      const forward = (): void => own.abort(ctx.signal.reason);
      ctx.signal.addEventListener('abort', forward, { once: true });
      try {
        if (target.error !== undefined) throw new Error(target.error);
        ctx.signal.throwIfAborted();
        // Raced against the signal too: a call that ignores its abort signal cannot hold the target open.
        return await Promise.race([
          scan(target, ctx.aws.clientConfig(target), own.signal),
          aborted(own.signal),
        ]);
      } catch (err) {
        // The SDK's own AbortError says less than why the target was stopped.
        if (own.signal.aborted && !ctx.signal.aborted) throw own.signal.reason;
        throw err;
      } finally {
        clearTimeout(timer);
        ctx.signal.removeEventListener('abort', forward);
        ctx.progress({ done: ++done, total: targets.length, unit: 'regions' });
      }
    },
  );
  // A timeout is the check's failure, not one region's.
  ctx.signal.throwIfAborted();

  const scans: TargetScan<T>[] = [];
  const errors: Finding[] = [];
  settled.forEach((result, i) => {
    const target = targets[i] as AwsTarget;
    if (result.status === 'fulfilled') scans.push({ target, value: result.value });
    else errors.push(regionError(target, result.reason));
  });
  // Each has its region-error finding: the check-error finding would say it twice.
  for (const error of errors) ctx.reportError?.(error.title, true);
  if (targets.length > 0 && scans.length === 0) {
    const first = describeAwsError(settled.find((r) => r.status === 'rejected')?.reason);
    throw new Error(`every AWS target failed (${targets.length}); first: ${first}`);
  }
  return { scans, errors };
}

function regionError(target: AwsTarget, error: unknown): Finding {
  const message = describeAwsError(error);
  return {
    key: `${REGION_ERROR_PREFIX}${target.accountId}/${target.region}`,
    severity: 'warning',
    title: `Could not scan ${target.region} in account ${target.accountId}: ${message.split('\n')[0]}`,
    summary: `The other regions were scanned; this one is missing from the results until the error is fixed. ${message}`,
    resource: { accountId: target.accountId, region: target.region },
    labels: { account: target.accountId, region: target.region },
    // The region's resources are unknown this run: their alerts keep their state instead of resolving.
    covers: [{ labels: { account: target.accountId, region: target.region } }],
  };
}
