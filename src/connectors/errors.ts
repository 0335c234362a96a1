import type { CountErrorCode } from './types';

/**
 * How a failed count query is classified: a table-level code, `connection` (retry on a fresh one), or
 * `not-a-timestamp` (the time column is there but holds text, as DuckDB reads a file's column with a bad value).
 */
export type FailureKind = CountErrorCode | 'connection' | 'not-a-timestamp';

/** The code a table's result carries for a failure that is the table's own. */
export function countErrorCode(kind: Exclude<FailureKind, 'connection'>): CountErrorCode {
  return kind === 'not-a-timestamp' ? 'query-failed' : kind;
}

export { redact } from '../core/redact';

/** The password of a connection URL (for redaction), or nothing. */
export function urlSecrets(url: string): string[] {
  try {
    const parsed = new URL(url);
    return parsed.password ? [parsed.password, decodeURIComponent(parsed.password)] : [];
  } catch {
    return [];
  }
}

/** The raw message of a thrown value (callers redact it with the connection's secrets). */
export function errorMessage(err: unknown): string {
  if (err instanceof Error) return err.message || err.name;
  return String(err);
}

/** Error codes of Node sockets that mean the connection (not the query) is gone. */
const SOCKET_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENOTFOUND',
  'PROTOCOL_CONNECTION_LOST',
  'PROTOCOL_SEQUENCE_TIMEOUT',
]);

export function isSocketError(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && SOCKET_CODES.has(code)) return true;
  const message = errorMessage(err);
  return /Connection terminated|connection is in closed state|Can't add new command when connection is in closed state|Pool is closed/i.test(
    message,
  );
}
