// Webhook URLs carry their key and token in the query string, database URLs their password in the authority:
// both are secrets wherever they appear in text we print. The userinfo runs to the LAST '@' before the host:
// drivers split `postgres://user:p@ss@host/db` there, so an unencoded '@' in a password stays hidden.
const URL_IN_TEXT = /\b([a-z][a-z0-9+.-]*:\/\/)((?:[^\s/'"@]*@)+)?([^\s/?#'"]*)([^\s?#'"]*)(\?[^\s#'"]*)?/gi;

/** Removes credentials and query strings from every URL in `text`, and every listed secret (e.g. a password). */
export function redact(text: string, secrets: readonly string[] = []): string {
  let out = text.replace(
    URL_IN_TEXT,
    (_all, scheme: string, auth?: string, host?: string, path?: string, query?: string) =>
      `${scheme}${hideAuth(auth)}${host ?? ''}${path ?? ''}${query ? '?***' : ''}`,
  );
  // Short values would blank out ordinary words; a real password is longer.
  for (const secret of secrets) if (secret.length >= 3) out = out.split(secret).join('***');
  return out;
}

/** `user:password@` keeps the user (it tells which login failed); a lone `token@` is all secret. */
function hideAuth(auth: string | undefined): string {
  if (!auth) return '';
  const colon = auth.indexOf(':');
  return colon > 0 ? `${auth.slice(0, colon)}:***@` : '***@';
}

/** The message of any thrown value, redacted. */
export function errorMessage(error: unknown): string {
  if (error instanceof Error) return redact(error.message || error.name);
  return redact(String(error));
}
