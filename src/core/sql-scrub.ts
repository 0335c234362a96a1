// Credentials in another session's SQL (`ALTER ROLE ... PASSWORD '...'`, `COPY ... CREDENTIALS '...'`,
// `pgp_sym_encrypt(x, 'key')`): which characters to hide. The text is read as SQL tokens, so that a word inside a
// literal (`'rotate password'`) is not taken for a key, comments and dollar quotes are known, and a literal is
// hidden whole. Whether a backslash escapes a quote depends on the server (MySQL and BigQuery: yes; PostgreSQL:
// only in E'...'), and a wrong guess shifts every literal after it: so the text is read both ways, and what either
// reading finds secret is hidden.

/** A credential-like key: `PASSWORD`, `SECRET`, `KEY_ID`, `SESSION_TOKEN`, `CREDENTIALS`, `MASTER_SYMMETRIC_KEY`... */
const KEY_WORD =
  /(password|passwd|secret|token|credentials?|key_id|access_key|private_key|api_key|symmetric_key|master_key|encryption_key)/i;
/** Functions whose literal arguments are keys (pgcrypto, MySQL, BigQuery's KEYS and AEAD): every one is hidden. */
const KEY_FUNCTION =
  /^(pgp_sym_encrypt(_bytea)?|pgp_sym_decrypt(_bytea)?|pgp_pub_encrypt(_bytea)?|pgp_pub_decrypt(_bytea)?|encrypt|decrypt|encrypt_iv|decrypt_iv|hmac|aes_encrypt|aes_decrypt|des_encrypt|des_decrypt|add_key_from_raw_bytes|keyset_from_json|new_keyset|deterministic_encrypt|deterministic_decrypt_string|deterministic_decrypt_bytes|decrypt_string|decrypt_bytes)$/i;

interface Token {
  kind: 'space' | 'comment' | 'literal' | 'word' | 'punct';
  start: number;
  end: number;
  /** For a literal: where its content starts and ends (without prefix and quotes); `open` when cut short. */
  content?: { start: number; end: number; open: boolean };
}

/** The tokens of `text`, with backslash escapes in plain quotes or not. */
function tokenize(text: string, backslashes: boolean): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const start = i;
    const c = text[i]!;
    if (/\s/.test(c)) {
      while (i < text.length && /\s/.test(text[i]!)) i++;
      tokens.push({ kind: 'space', start, end: i });
    } else if (c === '-' && text[i + 1] === '-') {
      while (i < text.length && text[i] !== '\n') i++;
      tokens.push({ kind: 'comment', start, end: i });
    } else if (c === '/' && text[i + 1] === '*') {
      const close = text.indexOf('*/', i + 2);
      i = close < 0 ? text.length : close + 2;
      tokens.push({ kind: 'comment', start, end: i });
    } else if (c === '$' && /^\$[A-Za-z_]?\w*\$/.test(text.slice(i, i + 64))) {
      const tag = /^\$[A-Za-z_]?\w*\$/.exec(text.slice(i, i + 64))![0];
      const close = text.indexOf(tag, i + tag.length);
      const end = close < 0 ? text.length : close;
      i = close < 0 ? text.length : close + tag.length;
      tokens.push({
        kind: 'literal',
        start,
        end: i,
        content: { start: start + tag.length, end, open: close < 0 },
      });
    } else if (c === "'" || c === '"' || c === '`') {
      i = quoted(text, i, backslashes, tokens, start);
    } else if (/[A-Za-z_]/.test(c)) {
      while (i < text.length && /[\w$]/.test(text[i]!)) i++;
      // E'...', B'...', X'...', N'...', r'...', b'...', rb'...', U&'...': the prefix belongs to the literal.
      const word = text.slice(start, i);
      const amp = /^u$/i.test(word) && text[i] === '&' ? 1 : 0;
      const quote = text[i + amp];
      if (
        (quote === "'" || quote === '"') &&
        /^(e|b|x|n|r|rb|br|u)$/i.test(word) &&
        (amp || !/^u$/i.test(word))
      ) {
        i = quoted(text, i + amp, backslashes || /^e$/i.test(word), tokens, start);
      } else tokens.push({ kind: 'word', start, end: i });
    } else {
      i++;
      tokens.push({ kind: 'punct', start, end: i });
    }
  }
  return tokens;
}

/** Reads the quoted literal (or quoted name) at `at`: '' doubles a quote; `\` escapes one when `backslashes`. */
function quoted(text: string, at: number, backslashes: boolean, tokens: Token[], start: number): number {
  const q = text[at]!;
  // BigQuery's triple quotes: '''...''' and """...""".
  const triple = q !== '`' && text.startsWith(q.repeat(3), at) ? q.repeat(3) : undefined;
  let i = at + (triple ? 3 : 1);
  const contentStart = i;
  for (;;) {
    if (i >= text.length) {
      const content = { start: contentStart, end: text.length, open: true };
      tokens.push({ kind: q === '`' ? 'word' : 'literal', start, end: i, content });
      return i;
    }
    const c = text[i]!;
    if (backslashes && c === '\\') {
      i += 2;
      continue;
    }
    if (triple ? text.startsWith(triple, i) : c === q) {
      if (!triple && text[i + 1] === q) {
        i += 2;
        continue;
      }
      const end = i;
      i += triple ? 3 : 1;
      const content = { start: contentStart, end, open: false };
      tokens.push({ kind: q === '`' ? 'word' : 'literal', start, end: i, content });
      return i;
    }
    i++;
  }
}

/** Marks in `hidden` what the tokens of one reading hold secret: key literals, IDENTIFIED BY values, key arguments. */
function markSecrets(text: string, tokens: Token[], hidden: Uint8Array, open: Set<number>): void {
  const significant = tokens.filter((t) => t.kind !== 'space' && t.kind !== 'comment');
  const word = (t: Token | undefined) => (t?.kind === 'word' ? text.slice(t.start, t.end) : undefined);
  const punct = (t: Token | undefined) => (t?.kind === 'punct' ? text[t.start] : undefined);
  const hide = (t: Token) => {
    const { start, end } = t.content ?? t;
    for (let k = start; k < end; k++) hidden[k] = 1;
    if (t.content?.open) open.add(t.start);
  };
  /** Whether the token before index `j` (then before its separator) is a credential-like key. */
  const keyed = (j: number): boolean => {
    let k = j - 1;
    const sep = punct(significant[k]);
    if (sep === '=' && punct(significant[k - 1]) === '=') return false; // `==` compares
    if (sep === '>' && punct(significant[k - 1]) === '=')
      k -= 2; // =>
    else if (sep === '=' || sep === ':' || sep === '(') k -= 1;
    else if (/^as$/i.test(word(significant[k]) ?? '')) k -= 1;
    if (KEY_WORD.test(word(significant[k]) ?? '')) return true;
    if (sep !== '=') return false;
    // SET PASSWORD FOR 'bob'@'localhost' = '...': a FOR clause, up to 8 tokens, between the key and `=`.
    for (let back = k, n = 0; back >= 0 && n < 8; back--, n++) {
      const w = word(significant[back]);
      if (punct(significant[back]) === ';') return false;
      if (w && /^for$/i.test(w)) return KEY_WORD.test(word(significant[back - 1]) ?? '');
    }
    return false;
  };
  /** Whether index `j` follows IDENTIFIED [WITH plugin] BY|AS [PASSWORD]. */
  const identifiedBy = (j: number): boolean => {
    let k = j - 1;
    if (/^password$/i.test(word(significant[k]) ?? '')) k--;
    if (!/^(by|as)$/i.test(word(significant[k]) ?? '')) return false;
    k--;
    if (/^with$/i.test(word(significant[k - 1]) ?? '')) k -= 2;
    return /^identified$/i.test(word(significant[k]) ?? '');
  };
  // Literal arguments of key functions, at any depth inside their parentheses.
  const calls: number[] = []; // the depth at which each open key-function call started
  let depth = 0;
  significant.forEach((t, j) => {
    const p = punct(t);
    if (p === '(') {
      depth++;
      if (KEY_FUNCTION.test(word(significant[j - 1]) ?? '')) calls.push(depth);
    } else if (p === ')') {
      if (calls[calls.length - 1] === depth) calls.pop();
      depth--;
    } else if (t.kind === 'literal') {
      if (calls.length || keyed(j) || identifiedBy(j)) hide(t);
    } else if (t.kind === 'word' && identifiedBy(j) && !t.content) {
      hide(t); // Oracle's unquoted IDENTIFIED BY pw
    }
  });
}

/**
 * The text with each secret replaced by `***` (quotes kept; a literal cut short gets its closing quote), or
 * undefined when none was found.
 */
export function hideSqlSecrets(text: string): string | undefined {
  const hidden = new Uint8Array(text.length);
  const open = new Set<number>();
  for (const backslashes of [false, true]) markSecrets(text, tokenize(text, backslashes), hidden, open);
  if (!hidden.includes(1)) return undefined;
  let out = '';
  for (let i = 0; i < text.length;) {
    if (!hidden[i]) {
      out += text[i++];
      continue;
    }
    while (i < text.length && hidden[i]) i++;
    out += '***';
  }
  // A literal cut short (text already truncated) was hidden to the end: close it.
  if (open.size && hidden[text.length - 1]) {
    const first = Math.min(...open);
    const quote = /['"]/.exec(text.slice(first))?.[0];
    if (quote && !out.endsWith(quote)) out += quote;
  }
  return out;
}
