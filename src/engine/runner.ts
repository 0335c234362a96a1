import { setMaxListeners } from 'node:events';
import type { Logger } from 'pino';
import { CHECK_ERROR_KEY, type CheckRunResult, type Finding } from '../core/types';
import type { CheckContext } from '../../checks/types';
import { findCheck } from '../../checks/registry';
import type { CheckConfig } from '../config/load';
import { errorMessage } from '../core/redact';
import { formatDuration } from '../core/duration';
import { mapLimit } from '../core/limit';

export interface RunnerOptions {
  concurrency: number;
  log: Logger;
  /** Aborts every check (process shutdown). */
  signal?: AbortSignal;
  context(check: CheckConfig, signal: AbortSignal): CheckContext;
}

/** Runs checks concurrently (bounded), each under its own timeout; one failure or hang never stops the others. */
export async function runChecks(checks: CheckConfig[], options: RunnerOptions): Promise<CheckRunResult[]> {
  return mapLimit(checks, options.concurrency, (check) => runOne(check, options));
}

async function runOne(check: CheckConfig, options: RunnerOptions): Promise<CheckRunResult> {
  const startedAt = new Date();
  const base = { id: check.id, kind: check.kind, startedAt: startedAt.toISOString() };
  if (!check.enabled) return { ...base, status: 'skipped', durationMs: 0, findings: [], measurements: [] };

  const controller = new AbortController();
  // Checks fan one signal out to many concurrent requests (regions, pools); that is not a listener leak.
  setMaxListeners(0, controller.signal);
  const onOuterAbort = () => controller.abort(options.signal?.reason);
  options.signal?.addEventListener('abort', onOuterAbort, { once: true });
  const timer = setTimeout(
    () => controller.abort(new Error(`timed out after ${formatDuration(check.timeoutMs)}`)),
    check.timeoutMs,
  );
  // A check that ignores its signal must still not hold the run: the abort settles the race.
  const aborted = new Promise<never>((_, reject) => {
    controller.signal.addEventListener('abort', () => reject(controller.signal.reason), { once: true });
  });
  try {
    const def = findCheck(check.kind);
    if (!def) throw new Error(`unknown check kind '${check.kind}'`);
    const ctx = options.context(check, controller.signal);
    const result = await Promise.race([def.run(ctx, check), aborted]);
    const durationMs = Date.now() - startedAt.getTime();
    const status = result.findings.length ? 'firing' : 'ok';
    return { ...base, status, durationMs, findings: result.findings, measurements: result.measurements };
  } catch (error) {
    const message = errorMessage(error);
    const durationMs = Date.now() - startedAt.getTime();
    if (options.signal?.aborted) {
      // The process is stopping (SIGTERM on deploy, Ctrl-C): not the check's fault, so no check-error alert;
      // its alerts keep their state and it runs again on the next start.
      options.log.warn({ check: check.id, kind: check.kind }, 'check interrupted');
      return {
        ...base,
        status: 'skipped',
        durationMs,
        error: `interrupted: ${message}`,
        findings: [],
        measurements: [],
      };
    }
    options.log.error({ check: check.id, kind: check.kind, err: message }, 'check failed');
    return {
      ...base,
      status: 'error',
      durationMs,
      error: message,
      findings: [checkErrorFinding(check, message)],
      measurements: [],
    };
  } finally {
    clearTimeout(timer);
    options.signal?.removeEventListener('abort', onOuterAbort);
    if (!controller.signal.aborted) controller.abort(new Error('check finished'));
  }
}

export function checkErrorFinding(check: { id: string; kind: string }, message: string): Finding {
  return {
    key: CHECK_ERROR_KEY,
    severity: 'warning',
    title: `Check ${check.id} could not run: ${message}`,
    summary: 'Its other findings keep their last state until it runs again.',
    labels: { check: check.id, kind: check.kind },
  };
}
