export { settledWithin, untilAborted } from '../core/limit';

// How long a connector waits for a peer that accepted the TCP connection but never answers. Without a bound on
// each wait, one such server holds a run, and the process, forever (issue 9).

/**
 * Most a session (TCP, TLS, authentication) may take to open. A healthy handshake takes well under a second,
 * even cross-region; 10 s also rides out a lost SYN (Linux resends it after 1 s and 3 s).
 */
export const MAX_CONNECT_TIMEOUT_MS = 10_000;
/**
 * How much longer than the statement timeout the client waits for an answer: the server's own timeout fires
 * first and names itself (e.g. PostgreSQL's 57014), so the client's fires only when the server cannot answer.
 */
export const CLIENT_TIMEOUT_MARGIN_MS = 1_000;
/** Most a cancel (its own session or request) may take: a late cancel is worth little. */
export const CANCEL_TIMEOUT_MS = 5_000;
/** Most a graceful close may take before the connector's sockets are destroyed. */
export const CLOSE_TIMEOUT_MS = 2_000;

/** The connect timeout for a connection: its statement timeout, at most {@link MAX_CONNECT_TIMEOUT_MS}. */
export function connectTimeoutMs(statementTimeoutMs: number): number {
  return Math.min(statementTimeoutMs, MAX_CONNECT_TIMEOUT_MS);
}

/** The client-side bound of one statement: the statement timeout plus {@link CLIENT_TIMEOUT_MARGIN_MS}. */
export function clientTimeoutMs(statementTimeoutMs: number): number {
  return statementTimeoutMs + CLIENT_TIMEOUT_MARGIN_MS;
}

/** An error that says which wait ran out; `code` lets the classifiers treat it as a lost connection. */
export class TimeoutError extends Error {
  readonly code = 'ETIMEDOUT';
}

/** A signal that aborts after `ms` with a {@link TimeoutError}, or with `signal`; `clear()` stops the timer. */
export function deadline(
  ms: number,
  message: string,
  signal?: AbortSignal,
): { signal: AbortSignal; clear(): void } {
  const controller = new AbortController();
  const forward = (): void => controller.abort(signal?.reason);
  const timer = setTimeout(() => controller.abort(new TimeoutError(message)), ms);
  if (signal?.aborted) forward();
  else signal?.addEventListener('abort', forward, { once: true });
  return {
    signal: controller.signal,
    clear: () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', forward);
    },
  };
}
