/** A user error (bad flag, unknown check id): exit code 2, no stack trace. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** A command's check could not run (its error is in the message): exit code 3, as for `run`. */
export class CheckFailedError extends Error {
  override name = 'CheckFailedError';
}
