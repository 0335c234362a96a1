import { setMaxListeners } from 'node:events';
import type { Logger } from 'pino';
import { CHECK_ERROR_KEY, type CheckRunResult, type Finding } from '../core/types';
import type { CheckContext } from '../../checks/types';
import { findCheck } from '../../checks/registry';
import type { CheckConfig } from '../config/load';
import { errorMessage, scrubSql } from '../core/redact';
import { formatDuration } from '../core/duration';
import { mapLimit } from '../core/limit';

export interface RunnerOptions {
  concurrency: number;
  log: Logger;
  /** Aborts every check (process shutdown). */
  signal?: AbortSignal;
  context(check: CheckConfig, signal: AbortSignal): CheckContext;
  /** Each check's result as soon as it is known, before the slower checks end. */
  onResult?: (result: CheckRunResult) => void;
}

/** Runs checks concurrently (bounded), each under its own timeout; one failure or hang never stops the others. */
export async function runChecks(checks: CheckConfig[], options: RunnerOptions): Promise<CheckRunResult[]> {
  return mapLimit(checks, options.concurrency, async (check) => {
    const result = await runOne(check, options);
    options.onResult?.(result);
    return result;
  });
}

async function runOne(check: CheckConfig, options: RunnerOptions): Promise<CheckRunResult> {
  const startedAt = new Date();
  const base = {
    id: check.id,
    kind: check.kind,
    startedAt: startedAt.toISOString(),
    ...(check.pendingFor ? { pendingFor: check.pendingFor } : {}),
  };
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
    // Shared plumbing (the AWS fan-out) reports a target it could not read here, as a check's `errors` would.
    const reported: string[] = [];
    const reportedWithFindings: string[] = [];
    const ctx = {
      ...options.context(check, controller.signal),
      reportError: (m: string, withFinding?: boolean) =>
        (withFinding ? reportedWithFindings : reported).push(m),
    };
    const result = await Promise.race([def.run(ctx, check), aborted]);
    const durationMs = Date.now() - startedAt.getTime();
    const { measurements } = result;
    const scope = result.scope ? { scope: result.scope } : {};
    // Errors without a finding of their own get the check-error finding; one cause is one alert, not two.
    const unfound = [...(result.errors ?? []), ...reported].map(scrubSql);
    const found = [...(result.errorsWithFindings ?? []), ...reportedWithFindings].map(scrubSql);
    if (unfound.length || found.length) {
      const error = [...unfound, ...found].join('; ');
      options.log.warn({ check: check.id, kind: check.kind, err: error }, 'check could not read everything');
      const own = unfound.length ? [partialErrorFinding(check, unfound)] : [];
      const findings = [...result.findings, ...own].map(scrubFinding);
      return { ...base, ...scope, status: 'error', partial: true, durationMs, error, findings, measurements };
    }
    const findings = result.findings.map(scrubFinding);
    return {
      ...base,
      ...scope,
      status: findings.length ? 'firing' : 'ok',
      durationMs,
      findings,
      measurements,
    };
  } catch (error) {
    const message = scrubSql(errorMessage(error));
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

/** The check-error finding of a check that ran but could not read everything: what it did read stands. */
export function partialErrorFinding(check: { id: string; kind: string }, errors: string[]): Finding {
  const more = errors.length > 1 ? ` (and ${errors.length - 1} more)` : '';
  return {
    key: CHECK_ERROR_KEY,
    severity: 'warning',
    title: `Check ${check.id} could not read everything: ${errors[0]}${more}`,
    summary: `${errors.join('\n')}\nWhat it did read is reported as usual; what it could not read is missing from this run.`,
    labels: { check: check.id, kind: check.kind },
  };
}

/**
 * Other sessions' SQL may carry credentials (`PASSWORD '...'`): every finding's text is scrubbed here, once,
 * before it reaches the report, the state store, the logs or Chat.
 */
function scrubFinding(finding: Finding): Finding {
  const { key, title, summary, resource } = finding;
  return {
    ...finding,
    // The stores write a lone surrogate (half an emoji cut short) as U+FFFD: the key must read back as it went in.
    key: key.toWellFormed(),
    title: scrubSql(title),
    ...(summary !== undefined ? { summary: scrubSql(summary) } : {}),
    ...(resource ? { resource: scrubValue(resource) as Record<string, unknown> } : {}),
  };
}

/**
 * `value` with every string scrubbed; the same object where nothing changed (most resources hold no SQL). A copy is
 * made only from the first change on: an idle sweep scrubs thousands of resources, and copying each cost as much as
 * scrubbing it.
 */
function scrubValue(value: unknown): unknown {
  if (typeof value === 'string') return scrubSql(value);
  if (Array.isArray(value)) {
    let copy: unknown[] | undefined;
    for (let i = 0; i < value.length; i++) {
      const v: unknown = value[i];
      const scrubbed = scrubValue(v);
      if (scrubbed !== v) (copy ??= value.slice())[i] = scrubbed;
    }
    return copy ?? value;
  }
  if (value && typeof value === 'object' && !(value instanceof Date)) {
    let copy: Record<string, unknown> | undefined;
    const record = value as Record<string, unknown>;
    for (const k of Object.keys(record)) {
      const v = record[k];
      const scrubbed = scrubValue(v);
      if (scrubbed !== v) (copy ??= { ...record })[k] = scrubbed;
    }
    return copy ?? value;
  }
  return value;
}
