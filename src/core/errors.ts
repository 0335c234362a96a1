/** A user error (bad flag, unknown check id): exit code 2, no stack trace. */
export class UsageError extends Error {
  override name = 'UsageError';
}
