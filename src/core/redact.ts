// Webhook URLs carry their key and token in the query string, database URLs their password in the authority:
// both are secrets wherever they appear in text we print.
const URL_IN_TEXT = /\b([a-z][a-z0-9+.-]*:\/\/)([^\s/'"@]*@)?([^\s/?#'"]*)([^\s?#'"]*)(\?[^\s#'"]*)?/gi;

/** Removes credentials and query strings from every URL in `text`. */
export function redact(text: string): string {
  return text.replace(
    URL_IN_TEXT,
    (_all, scheme: string, auth?: string, host?: string, path?: string, query?: string) => {
      return `${scheme}${auth ? '***@' : ''}${host ?? ''}${path ?? ''}${query ? '?***' : ''}`;
    },
  );
}

/** The message of any thrown value, redacted. */
export function errorMessage(error: unknown): string {
  if (error instanceof Error) return redact(error.message || error.name);
  return redact(String(error));
}
