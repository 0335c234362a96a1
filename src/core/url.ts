/** Query parameters that carry a credential in database and service URLs (libpq, JDBC, cloud SDK styles). */
const SECRET_PARAM = /(pass(word)?|pwd|secret|token|key|credential|signature|sig)$/i;

/**
 * A URL fit for messages and logs: the password of its userinfo and the values of credential-like query
 * parameters (`?password=`, `sslpassword=`, `token=`, `key=`…) become `***`. Text that is not a URL is returned
 * with any `user:password@` still hidden.
 */
export function redactUrlSecrets(url: string): string {
  const hidden = url.replace(/^([a-z][a-z0-9+.-]*:\/\/[^:/?#@\s]*):[^/?#\s]*@/i, '$1:***@');
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
