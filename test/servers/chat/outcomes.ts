/** What the test receiver does with one request. */
export type ChatOutcome =
  | 'ok'
  | '400'
  | '401'
  | '403'
  | '404'
  | '429'
  | '429-retry-after'
  | '500'
  | '503'
  /** Never answers; the client's timeout must fire. */
  | 'hang'
  /** Closes the connection before doing anything. */
  | 'reset'
  /** Creates the message, then closes the connection: the client cannot know it worked. */
  | 'created-then-reset';

export const FAILURES: readonly ChatOutcome[] = [
  '429',
  '429-retry-after',
  '500',
  '503',
  'hang',
  'reset',
  'created-then-reset',
];

const STATUS_NAMES: Record<number, string> = {
  400: 'INVALID_ARGUMENT',
  401: 'UNAUTHENTICATED',
  403: 'PERMISSION_DENIED',
  404: 'NOT_FOUND',
  429: 'RESOURCE_EXHAUSTED',
  500: 'INTERNAL',
  503: 'UNAVAILABLE',
};

/** Google's error body; `message` echoes the request URL, as a careless server might, to test scrubbing. */
export function googleError(status: number, message: string): string {
  return JSON.stringify({ error: { code: status, message, status: STATUS_NAMES[status] ?? 'UNKNOWN' } });
}

/** mulberry32: a small seeded generator, so that "random" failures repeat run after run. */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
