import { hideSqlSecrets, MAY_HOLD_SQL_SECRET } from './sql-scrub';
// Webhook URLs carry their key and token in the query string, database URLs their password in the authority:
// both are secrets wherever they appear in text we print. The userinfo runs to the LAST '@' before the host:
// drivers split `postgres://user:p@ss@host/db` there, so an unencoded '@' in a password stays hidden.
// The scheme is at most 32 characters: unbounded, a long run of letters and dots before a `://` was tried from each
// of its characters (a review timed 15 s on 200 KB).
const URL_IN_TEXT =
  /\b([a-z][a-z0-9+.-]{0,31}:\/\/)((?:[^\s/'"@]*@)+)?([^\s/?#'"]*)([^\s?#'"]*)(\?[^\s#'"]*)?/gi;
/**
 * A URL's `user:password` that SQL cut short ends in, before its `@` (by the server, or by us). Only in SQL: in a
 * whole URL the same text is `host:port`.
 */
const URL_CUT_IN_USERINFO = /\b([a-z][a-z0-9+.-]{0,31}:\/\/[^\s/'"@:]*:)[^\s/'"@]*$/i;

/** Removes credentials and query strings from every URL in `text`, and every listed secret (e.g. a password). */
export function redact(text: string, secrets: readonly string[] = []): string {
  if (!secrets.length && !text.includes('://')) return text;
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

/**
 * `password=hunter2` in a connection string (`key=value`, also `key = value` and `key='va lue'`). A word run is read
 * whole, from its start only (`(?<![\w-])[\w-]+`, the key tested in the callback): a key pattern with `[\w-]*` on both sides retried each start
 * of a long base64 run, which took minutes on a 1 MB statement (a review).
 */
const KEY_VALUE = /(?<![\w-])([\w-]+)(\s*=\s*)('[^']*'|"[^"]*"|[^\s;'"&,)]+)/g;
const KEY_VALUE_KEY =
  /password|passwd|pwd|secret|token|access_key_id|api_key|apikey|accountkey|sharedaccesssignature/i;

/** Every secret above needs one of these: a URL, a `key=value` key, or what the SQL scrubber looks for. */
const MAY_HOLD_SECRET = new RegExp(`://|${KEY_VALUE_KEY.source}|${MAY_HOLD_SQL_SECRET.source}`, 'i');

/**
 * SQL text with the credentials it may carry hidden (see sql-scrub.ts): string literals after PASSWORD / IDENTIFIED
 * BY / SECRET / KEY_ID / CREDENTIALS-like keys and the literal arguments of key functions become '***', as do
 * `password=...` values and URL credentials.
 */
export function scrubSql(text: string): string {
  if (!MAY_HOLD_SECRET.test(text)) return text;
  const out = (hideSqlSecrets(text) ?? text)
    .replace(URL_CUT_IN_USERINFO, '$1***')
    .replace(KEY_VALUE, (all, key: string, eq: string, value: string) =>
      !KEY_VALUE_KEY.test(key) || /^['"]?\*\*\*/.test(value) ? all : `${key}${eq}***`,
    );
  return redact(out);
}

/**
 * Another session's SQL for a summary: scrubbed whole, then cut to `max` characters. Cut first, a literal cut open
 * (`PASSWORD 'Sup3…`) was scrubbed later across the following lines up to the next quote: the waiting sessions
 * and the command to end the blocker vanished, and the next literal's opening showed. A literal the cut leaves open
 * is closed, so that nothing after the excerpt reads as inside it.
 */
export function sqlExcerpt(value: unknown, max: number): string {
  // Only the head can show: a 1 MB BigQuery statement is scrubbed in its first few KB. A literal the head cuts open
  // is hidden to its end when it is a secret, as any literal cut short is.
  const raw = value === null || value === undefined ? '' : String(value).trim();
  const head = raw.slice(0, Math.max(4 * max, 4096));
  const text = scrubSql(head);
  if (text.length <= max && head.length === raw.length) return text;
  const cut = text.slice(0, Math.min(text.length, max - 1));
  const open = openQuote(cut);
  return `${cut}${open ?? ''}…`;
}

/** The quote a text ends inside of (a SQL literal or quoted name left open), or undefined. */
function openQuote(text: string): string | undefined {
  let quote: string | undefined;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quote) {
      if (c === '\\') i++;
      else if (c === quote) {
        if (text[i + 1] === quote)
          i++; // '' inside a literal
        else quote = undefined;
      }
    } else if (c === "'" || c === '"') quote = c;
  }
  return quote;
}
