/** Query parameters that carry a credential in database and service URLs (libpq, JDBC, cloud SDK styles). */
const SECRET_PARAM = /(pass(word)?|pwd|secret|token|key|credential|signature|sig)$/i;

/**
 * A URL fit for messages and logs: the password of its userinfo and the values of credential-like query
 * parameters (`?password=`, `sslpassword=`, `token=`, `key=`…) become `***`. Text that is not a URL is returned
 * with any `user:password@` still hidden.
 */
export function redactUrlSecrets(url: string): string {
  // The password runs to the last '@' before the query: one that holds a space, '/' or '@' (not encoded, so the
  // URL is refused anyway) is hidden whole, not up to its first such character (a review saw
  // `u:***@ss/HUNTER11@host`); an '@' in the query (`?user=svc@corp&password=...`) is not the userinfo's.
  const hidden = url.replace(/^([a-z][a-z0-9+.-]*:\/\/[^:/?#@\s]*):[^?#]*@/i, '$1:***@');
  const query = hidden.indexOf('?');
  if (query < 0) return hidden;
  const fragment = hidden.indexOf('#', query);
  const end = fragment < 0 ? hidden.length : fragment;
  const params = hidden
    .slice(query + 1, end)
    .split('&')
    .map((pair) => {
      const eq = pair.indexOf('=');
      if (eq < 0) return pair;
      const name = decodeURIComponentSafe(pair.slice(0, eq));
      return SECRET_PARAM.test(name) ? `${pair.slice(0, eq)}=***` : pair;
    });
  return `${hidden.slice(0, query + 1)}${params.join('&')}${hidden.slice(end)}`;
}

function decodeURIComponentSafe(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/** What an unset secret reads as when a command asks for stand-ins: a URL on a reserved TLD that never resolves. */
export const UNSET_SECRET = 'https://unset.invalid/';

/**
 * The params of a config problem found in the text around a stand-in (a URL's scheme before
 * `postgres://u:${PASSWORD}@…`): it holds whatever the variable is set to, so validate reports it beside the unset
 * variable instead of leaving it out with the problems a stand-in causes.
 */
export const AROUND_STAND_IN = { aroundStandIn: true } as const;

/**
 * Whether `value` holds a stand-in after a whole scheme (`postgress://u:${PW}@h/db`), so that what is checked of
 * the scheme is the user's text; not where the stand-in is the scheme or part of it (`postgres${QL}://`, a review).
 */
export function embedsStandIn(value: string): boolean {
  const at = value.indexOf(UNSET_SECRET);
  return at > 0 && /^[a-z][a-z0-9+.-]*:\/\//i.test(value.slice(0, at));
}

/** The name of the unset variable a value stands in for, else undefined. */
export function unsetSecret(value: unknown): string | undefined {
  return typeof value === 'string' && value.startsWith(UNSET_SECRET)
    ? value.slice(UNSET_SECRET.length)
    : undefined;
}

/**
 * What is wrong with a database URL, else undefined, in words that never repeat the URL (it holds the password).
 * Drivers read it as WHATWG URLs do, so a `#` in a password ends it there and turns the rest of the password into a
 * fragment, and what follows the `@` before it into a host name that DNS errors then print; a bare word becomes
 * a path on a default host.
 */
export function databaseUrlProblem(url: string, schemes: readonly string[]): string | undefined {
  // Unset secrets read as stand-ins (`iam-policy`, `validate` without secrets), the whole URL or inside it
  // (postgres://u:${PASSWORD}@host/db): the scheme around a stand-in is still checked.
  if (url.startsWith(UNSET_SECRET)) return undefined;
  const expected = schemes.map((s) => `${s}://`).join(' or ');
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(url)?.[1]?.toLowerCase();
  if (!scheme) return `not a URL; expected ${expected}USER:PASSWORD@HOST:PORT/DB`;
  if (!schemes.includes(scheme)) return `a ${scheme}: URL; expected ${expected}`;
  if (url.includes(UNSET_SECRET)) return undefined;
  // pg-connection-string parses an empty host before the path (`postgres://u:pw@/db?host=/var/run/postgresql`, a
  // unix socket) with a stand-in host; mysql2 takes the URL as it is.
  const socketForm = scheme.startsWith('postgres') || scheme === 'socket';
  const parsed = parseUrl(url) ?? (socketForm ? parseUrl(url.replace('@/', '@___DUMMY___/')) : undefined);
  if (!parsed)
    return 'not a valid URL (a bad port, or a character in the password that must be percent-encoded: / ? # @ : as %2F %3F %23 %40 %3A)';
  if (url.includes('#'))
    return 'it holds a # (in the password? percent-encode it as %23): the driver would read the rest as a fragment';
  // `postgres://u:p@ss/word@host/db`: the host ends at the first '/', so the driver would look up `ss` (a DNS error
  // then prints it) and read the rest of the password as the database's name.
  if (parsed.pathname.includes('@'))
    return 'it holds an @ after the host (a / or @ in the password? percent-encode them as %2F and %40): the driver would read the text before that / as the host';
  return undefined;
}

/** The WHATWG URL the drivers read, else undefined. */
function parseUrl(url: string): URL | undefined {
  try {
    return new URL(url);
  } catch {
    return undefined;
  }
}
