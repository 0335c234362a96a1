const BACKOFF_BASE_MS = 1000;
const BACKOFF_MAX_MS = 60_000;
/** The longest Retry-After honoured; a larger one is treated as this. */
const RETRY_AFTER_MAX_MS = 5 * BACKOFF_MAX_MS;

/**
 * Delay before the next attempt of a message: jittered exponential backoff ("full jitter"), or the server's
 * Retry-After when that is longer. A Retry-After of 0 (or a date in the past) never cancels the backoff.
 */
export function backoffMs(attempt: number, retryAfterMs?: number, random = Math.random): number {
  const cap = Math.min(BACKOFF_MAX_MS, BACKOFF_BASE_MS * 2 ** attempt);
  const jittered = Math.round(cap / 2 + (random() * cap) / 2);
  const server =
    retryAfterMs !== undefined && retryAfterMs > 0 ? Math.min(retryAfterMs, RETRY_AFTER_MAX_MS) : 0;
  return Math.max(server, jittered);
}

/** Per pacing key, the earliest time of the next send. It only ever moves later. */
export class Pacing {
  private readonly notBefore = new Map<string, number>();

  at(key: string): number {
    return this.notBefore.get(key) ?? 0;
  }

  /** Not before `time` (a later time already set stays). */
  delay(key: string, time: number): void {
    this.notBefore.set(key, Math.max(this.at(key), time));
  }
}

export function sleepFor(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}
