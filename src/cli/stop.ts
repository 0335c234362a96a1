import { constants } from 'node:os';
import type { Logger } from 'pino';
import { formatDuration, parseDuration } from '../core/duration';
import { UsageError } from '../core/errors';

/** After the checks are aborted, the alerting stage gets this much more to commit and deliver what it has. */
export const ALERTING_AFTER_STOP_MS = 5_000;

export interface GracefulStop {
  /** Aborted when the grace period after the first SIGTERM/SIGINT has passed. */
  checks: AbortSignal;
  /**
   * Aborted ALERTING_AFTER_STOP_MS after the checks ended (or the signal came, when they had ended before), so
   * what the checks found is still committed and, if it can be, delivered.
   */
  alerts: AbortSignal;
  /** Tells that the checks have ended (finished or aborted): from then a stop leaves alerting 5 s, not the grace. */
  checksDone(): void;
  dispose(): void;
}

/** `GUARDRAIL_SHUTDOWN_GRACE` (a duration such as `20s`) when set, else the config's `server.shutdownGrace`. */
export function shutdownGraceMs(configured: number, env: NodeJS.ProcessEnv = process.env): number {
  const text = env.GUARDRAIL_SHUTDOWN_GRACE;
  if (text === undefined || text === '') return configured;
  const ms = parseDuration(text);
  if (ms === undefined) {
    throw new UsageError(`GUARDRAIL_SHUTDOWN_GRACE='${text}' is not a duration; expected e.g. 20s or 1m`);
  }
  return ms;
}

/**
 * The first SIGTERM/SIGINT starts a graceful stop: checks in flight get the grace period, then are aborted;
 * the alerting stage (outbox kept, pools closed by the caller) gets a few seconds more. A second signal ends
 * the process at once, for the operator who means it.
 */
export function gracefulStop(log: Logger, graceMs: number): GracefulStop {
  const checks = new AbortController();
  const alerts = new AbortController();
  let checksTimer: NodeJS.Timeout | undefined;
  let alertsTimer: NodeJS.Timeout | undefined;
  let stoppedBy: NodeJS.Signals | undefined;
  let checksEnded = false;
  const abortAlertsIn = (ms: number) => {
    clearTimeout(alertsTimer);
    alertsTimer = setTimeout(() => alerts.abort(new Error(`interrupted by ${stoppedBy}`)), ms);
  };
  const offSignals = onStopSignals(log, (signal) => {
    stoppedBy = signal;
    if (checksEnded) {
      log.warn(
        { signal, delivery: formatDuration(ALERTING_AFTER_STOP_MS) },
        'stopping: delivering what it has',
      );
      abortAlertsIn(ALERTING_AFTER_STOP_MS);
      return;
    }
    log.warn(
      { signal, grace: formatDuration(graceMs) },
      'stopping: checks in flight get the grace period, then are aborted',
    );
    checksTimer = setTimeout(() => checks.abort(new Error(`interrupted by ${signal}`)), graceMs);
    abortAlertsIn(graceMs + ALERTING_AFTER_STOP_MS);
  });
  return {
    checks: checks.signal,
    alerts: alerts.signal,
    checksDone: () => {
      checksEnded = true;
      // Stopping already, and the checks ended before their grace was out: alerting gets its 5 s from now.
      if (stoppedBy && !alerts.signal.aborted) abortAlertsIn(ALERTING_AFTER_STOP_MS);
    },
    dispose: () => {
      clearTimeout(checksTimer);
      clearTimeout(alertsTimer);
      offSignals();
    },
  };
}

/**
 * Calls `onFirst` on the first SIGTERM/SIGINT; a second one ends the process at once with 128 + the signal's
 * number (143 for SIGTERM, 130 for SIGINT, as a shell reports it): the operator asked twice. Returns the
 * function that removes the handlers.
 */
export function onStopSignals(log: Logger, onFirst: (signal: NodeJS.Signals) => void): () => void {
  let received = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (received) {
      log.error({ signal }, 'second signal: exiting at once');
      process.exit(128 + constants.signals[signal]);
    }
    received = true;
    onFirst(signal);
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  return () => {
    process.off('SIGTERM', onSignal);
    process.off('SIGINT', onSignal);
  };
}
