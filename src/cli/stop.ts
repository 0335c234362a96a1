import type { Logger } from 'pino';
import { formatDuration, parseDuration } from '../core/duration';
import { UsageError } from '../core/errors';

/** After the checks are aborted, the alerting stage gets this much more to commit and deliver what it has. */
export const ALERTING_AFTER_STOP_MS = 5_000;
/** Shell convention for a process ended by a signal: 128 + its number. */
const SIGNAL_EXIT: Partial<Record<NodeJS.Signals, number>> = { SIGINT: 130, SIGTERM: 143 };

export interface GracefulStop {
  /** Aborted when the grace period after the first SIGTERM/SIGINT has passed. */
  checks: AbortSignal;
  /** Aborted a little later, so what the checks found is still committed and, if it can be, delivered. */
  alerts: AbortSignal;
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
  const timers: NodeJS.Timeout[] = [];
  let received: NodeJS.Signals | undefined;
  const onSignal = (signal: NodeJS.Signals) => {
    if (received) {
      log.error({ signal }, 'second signal: exiting at once');
      process.exit(SIGNAL_EXIT[signal] ?? 1);
    }
    received = signal;
    log.warn(
      { signal, grace: formatDuration(graceMs) },
      'stopping: checks in flight get the grace period, then are aborted',
    );
    timers.push(
      setTimeout(() => checks.abort(new Error(`interrupted by ${signal}`)), graceMs),
      setTimeout(() => alerts.abort(new Error(`interrupted by ${signal}`)), graceMs + ALERTING_AFTER_STOP_MS),
    );
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  return {
    checks: checks.signal,
    alerts: alerts.signal,
    dispose: () => {
      for (const timer of timers) clearTimeout(timer);
      process.off('SIGTERM', onSignal);
      process.off('SIGINT', onSignal);
    },
  };
}
