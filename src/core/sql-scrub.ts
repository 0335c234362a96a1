// Credentials in another session's SQL (`ALTER ROLE ... PASSWORD '...'`, `COPY ... CREDENTIALS '...'`,
// `pgp_sym_encrypt(x, 'key')`): which characters to hide. The text is read as SQL tokens, so that a word inside a
// literal (`'rotate password'`) is not taken for a key, comments and dollar quotes are known, and a literal is
// hidden whole. Servers disagree on what ends a literal: whether `\'` escapes a quote (MySQL, BigQuery: yes;
// PostgreSQL: only in E'...'), whether `'''` opens a triple-quoted literal (BigQuery) or doubles a quote inside one,
// whether `#` starts a comment (MySQL) and block comments nest (PostgreSQL); a wrong guess shifts every literal
// after it. So the text is read each way, and what any reading finds secret is hidden. A literal's own text is read
// as SQL too (a PL/pgSQL body, a PREPAREd statement, a JSON document), so that the SQL inside it is scrubbed alike.
// An INSERT's values are matched to its column list by position.

/** A credential-like key: `PASSWORD`, `SECRET`, `KEY_ID`, `SESSION_TOKEN`, `CREDENTIALS`, `MASTER_SYMMETRIC_KEY`... */
const KEY_WORD =
  /(password|passwd|pwd|secret|token|credentials?|key_id|access_key|private_key|api_key|apikey|symmetric_key|master_key|encryption_key|accountkey)/i;
/**
 * Functions whose literal arguments may be keys or passwords (pgcrypto, hashes, MySQL's AES, BigQuery's KEYS and
 * AEAD, Aurora's aws_s3 credentials, settings, HTTP headers): every literal argument is hidden.
 */
export const KEY_FUNCTION_NAMES =
  'pgp_sym_encrypt(_bytea)?|pgp_sym_decrypt(_bytea)?|pgp_pub_encrypt(_bytea)?|pgp_pub_decrypt(_bytea)?|encrypt|decrypt|encrypt_iv|decrypt_iv|hmac|crypt|digest|md5|sha1|sha2|sha224|sha256|sha384|sha512|encode|decode|aes_encrypt|aes_decrypt|des_encrypt|des_decrypt|add_key_from_raw_bytes|keyset_from_json|keyset_chain|new_keyset|deterministic_encrypt|deterministic_decrypt_string|deterministic_decrypt_bytes|decrypt_string|decrypt_bytes|create_aws_credentials|table_import_from_s3|query_export_to_s3|set_config|http_header';
const KEY_FUNCTION = new RegExp(`^(${KEY_FUNCTION_NAMES})$`, 'i');
/** Functions whose arguments are key, value, key, value... */
const JSON_BUILDER = /^(jsonb?_build_object|json_object|object_construct|map|named_struct)$/i;
/** A credential-like key in a comment, then what it is given: after `:`, `=` or `is`, or after a space. */
const COMMENT_KEY = new RegExp(`${KEY_WORD.source}\\w*(?:\\s*(?::|=|\\bis\\b)\\s*(\\S)|\\s+(\\S{8,}))`, 'gi');

/**
 * Whether a comment's text gives a credential-like key a value: `key: v`, `key = v`, `key is v`, or `key v` where v
 * looks like a secret (8 characters or more, with a digit, a sign or a capital after a small letter), not a word
 * (`refresh tokens`, `token docs`, `token Documentation`).
 */
function commentGivesSecret(comment: string): boolean {
  for (const m of comment.matchAll(COMMENT_KEY)) {
    // The last two groups (KEY_WORD has its own): a value after a separator, or a word after a space.
    const [separated, spaced] = m.slice(-2);
    if (separated) return true;
    if (spaced && /[0-9/+=_-]|[a-z][^\s]*[A-Z]/.test(spaced)) return true;
  }
  return false;
}
/** A column list longer than this is no credential's: not read (an unbalanced `SET (` repeated was quadratic). */
const MAX_LIST_TOKENS = 2_000;
/** A literal that is a credential whatever precedes it: an HTTP authorization value. */
const SECRET_VALUE = /^\s*(bearer|basic)\s+\S/i;
/**
 * Text in which hideSqlSecrets can find nothing lacks all of these: a credential-like key, IDENTIFIED, a key
 * function's name, an authorization scheme. Built from the lists above, so that a quick test before the scrubber
 * cannot fall behind them (it did: Aurora's aws_s3 functions were added to KEY_FUNCTION and not to the test, and
 * their access keys went through unread).
 */
export const MAY_HOLD_SQL_SECRET = new RegExp(
  `${KEY_WORD.source}|identified|${KEY_FUNCTION_NAMES}|bearer|basic`,
  'i',
);
/** How deep literals inside literals are read as SQL. */
const MAX_NESTING = 3;

interface Token {
  kind: 'space' | 'comment' | 'literal' | 'word' | 'punct';
  start: number;
  end: number;
  /** For a literal or quoted name: where its text starts and ends (without prefix and quotes); `open` when cut short. */
  content?: { start: number; end: number; open: boolean };
}

/** How one reading takes what servers disagree on. */
interface Reading {
  /** `\'` escapes a quote in plain literals (MySQL, BigQuery), or not (PostgreSQL, but for E'...'). */
  backslashes: boolean;
  /** `'''` opens a triple-quoted literal (BigQuery), or is a quote doubled inside a literal (the others). */
  triple: boolean;
  /** `#` starts a comment and block comments do not nest (MySQL), or the reverse (PostgreSQL). */
  mysql: boolean;
}
const READINGS: readonly Reading[] = [
  { backslashes: false, triple: false, mysql: false },
  { backslashes: true, triple: false, mysql: true },
  { backslashes: true, triple: true, mysql: false },
];

/** The tokens of `text[from, to)` in one reading. */
function tokenize(text: string, from: number, to: number, reading: Reading): Token[] {
  const tokens: Token[] = [];
  let i = from;
  while (i < to) {
    const start = i;
    const c = text[i]!;
    if (/\s/.test(c)) {
      while (i < to && /\s/.test(text[i]!)) i++;
      tokens.push({ kind: 'space', start, end: i });
    } else if ((c === '-' && text[i + 1] === '-') || (c === '#' && reading.mysql)) {
      while (i < to && text[i] !== '\n') i++;
      tokens.push({ kind: 'comment', start, end: i });
    } else if (c === '/' && text[i + 1] === '*') {
      i = blockComment(text, i, to, !reading.mysql);
      tokens.push({ kind: 'comment', start, end: i });
    } else if (c === '$' && /^\$(?:[A-Za-z_]\w*)?\$/.test(text.slice(i, Math.min(to, i + 64)))) {
      const tag = /^\$(?:[A-Za-z_]\w*)?\$/.exec(text.slice(i, i + 64))![0];
      const close = text.indexOf(tag, i + tag.length);
      const found = close >= 0 && close + tag.length <= to;
      i = found ? close + tag.length : to;
      const content = { start: start + tag.length, end: found ? close : to, open: !found };
      tokens.push({ kind: 'literal', start, end: i, content });
    } else if (c === "'" || c === '"' || c === '`') {
      i = quoted(text, i, to, reading.backslashes, reading.triple, tokens, start);
    } else if (/[A-Za-z_]/.test(c)) {
      while (i < to && /[\w$]/.test(text[i]!)) i++;
      // E'...', B'...', X'...', N'...', r'...', b'...', rb'...', U&'...' and MySQL's _utf8mb4'...': the prefix
      // belongs to the literal.
      const word = text.slice(start, i);
      const amp = /^u$/i.test(word) && text[i] === '&' ? 1 : 0;
      const quote = text[i + amp];
      const prefix =
        (/^(e|b|x|n|r|rb|br|u)$/i.test(word) && (amp > 0 || !/^u$/i.test(word))) || /^_\w+$/.test(word);
      if ((quote === "'" || quote === '"') && prefix && i + amp < to) {
        const backslashes = reading.backslashes || /^e$/i.test(word);
        i = quoted(text, i + amp, to, backslashes, reading.triple, tokens, start);
      } else tokens.push({ kind: 'word', start, end: i });
    } else {
      i++;
      tokens.push({ kind: 'punct', start, end: i });
    }
  }
  return tokens;
}

/** The end of the block comment at `at`; PostgreSQL's nest. */
function blockComment(text: string, at: number, to: number, nested: boolean): number {
  let depth = 0;
  for (let i = at; i < to - 1; i++) {
    if (text[i] === '/' && text[i + 1] === '*' && (nested || depth === 0)) {
      depth++;
      i++;
    } else if (text[i] === '*' && text[i + 1] === '/') {
      depth--;
      i++;
      if (depth === 0) return i + 1;
    }
  }
  return to;
}

/**
 * Reads the quoted literal (or quoted name) at `at`: '' doubles a quote; `\` escapes one when `backslashes`;
 * `'''` opens BigQuery's triple-quoted literal when `triples`.
 */
function quoted(
  text: string,
  at: number,
  to: number,
  backslashes: boolean,
  triples: boolean,
  tokens: Token[],
  start: number,
): number {
  const q = text[at]!;
  const triple = triples && q !== '`' && text.startsWith(q.repeat(3), at) ? q.repeat(3) : undefined;
  const kind = q === '`' ? 'word' : 'literal';
  let i = at + (triple ? 3 : 1);
  const contentStart = i;
  while (i < to) {
    const c = text[i]!;
    if (backslashes && c === '\\') {
      i += 2;
      continue;
    }
    if (triple ? text.startsWith(triple, i) : c === q) {
      if (!triple && text[i + 1] === q && i + 1 < to) {
        i += 2;
        continue;
      }
      const end = i;
      i += triple ? 3 : 1;
      tokens.push({ kind, start, end: i, content: { start: contentStart, end, open: false } });
      return i;
    }
    i++;
  }
  tokens.push({ kind, start, end: to, content: { start: contentStart, end: to, open: true } });
  return to;
}

/** What a scrub found: the characters to hide, and the literals it hid that the text cut open. */
interface Marks {
  hidden: Uint8Array;
  open: Set<number>;
}

/**
 * Marks what one reading of `text[from, to)` holds secret: key literals, IDENTIFIED BY values, the literal
 * arguments of key functions; then reads the text of every literal it left visible as SQL in its turn.
 */
function markSecrets(
  text: string,
  from: number,
  to: number,
  reading: Reading,
  marks: Marks,
  depth: number,
): void {
  const { hidden } = marks;
  const tokens = tokenize(text, from, to, reading);
  // A `--` or `/* */` comment that gives a key a value (`-- password: hunter2`): its text is hidden, its markers
  // kept. Not `#`, which PostgreSQL reads as an operator (`data #>> '{a}'`) and alert text as a number sign, nor a
  // comment that only names a key (`refresh tokens`): a second read saw both blanked.
  for (const t of tokens) {
    if (t.kind !== 'comment' || text[t.start] === '#') continue;
    if (!commentGivesSecret(text.slice(t.start, t.end))) continue;
    const block = text.startsWith('/*', t.start);
    const end = block && text.endsWith('*/', t.end) ? t.end - 2 : t.end;
    for (let k = t.start + 2; k < end; k++) hidden[k] = 1;
  }
  const significant = tokens.filter((t) => t.kind !== 'space' && t.kind !== 'comment');
  const word = (t: Token | undefined) => (t?.kind === 'word' ? text.slice(t.start, t.end) : undefined);
  /** A word, or a quoted name or literal used as a key (`"password" = '...'`, `{"password": "..."}`). */
  const keyText = (t: Token | undefined) =>
    t?.content
      ? text.slice(t.content.start, t.content.end)
      : t?.kind === 'word'
        ? text.slice(t.start, t.end)
        : '';
  const punct = (t: Token | undefined) => (t?.kind === 'punct' ? text[t.start] : undefined);
  /** For each token, the name of the function whose parentheses hold it ('' in bare parentheses), in one pass. */
  const callOf: (string | undefined)[] = [];
  const open: string[] = [];
  significant.forEach((t, k) => {
    const p = punct(t);
    if (p === ')') open.pop();
    else if (p === ';') open.length = 0;
    callOf[k] = open[open.length - 1];
    if (p === '(') open.push(word(significant[k - 1]) ?? '');
  });
  const hide = (t: Token) => {
    const { start, end } = t.content ?? t;
    for (let k = start; k < end; k++) hidden[k] = 1;
    if (t.content?.open) marks.open.add(t.start);
  };
  const isHidden = (t: Token | undefined) =>
    t?.kind === 'literal' &&
    t.content !== undefined &&
    t.content.end > t.content.start &&
    hidden[t.content.start] === 1;
  /** Whether the literal at index `j` is a key's value: KEY [= => : ( AS TO <> != :=] literal, or KEY FOR ... =. */
  const keyed = (j: number): boolean => {
    let k = j - 1;
    const sep = punct(significant[k]);
    const before = punct(significant[k - 1]);
    if (sep === '=' && before === '=') return false; // `==` compares
    if (sep === '>' && (before === '=' || before === '<'))
      k -= 2; // => and <>
    else if (sep === '=' && (before === '!' || before === ':' || before === '<' || before === '>')) k -= 2;
    else if (sep === '=' || sep === ':' || sep === '(') k -= 1;
    else if (/^replace$/i.test(word(significant[k]) ?? ''))
      return true; // MySQL: ... REPLACE 'current password'
    else if (/^(as|to|in)$/i.test(word(significant[k]) ?? '')) k -= 1;
    else if (/^(like|ilike|between)$/i.test(word(significant[k]) ?? ''))
      k -= /^not$/i.test(word(significant[k - 1]) ?? '') ? 2 : 1; // password [NOT] LIKE|BETWEEN '...'
    else if (/^and$/i.test(word(significant[k]) ?? '') && isHidden(significant[k - 1]))
      return /^between$/i.test(word(significant[k - 2]) ?? ''); // ... BETWEEN '***' AND '...'
    else if (
      sep === ',' &&
      significant[k - 1]?.kind === 'literal' &&
      /^\w+$/.test(keyText(significant[k - 1]))
    ) {
      // json_build_object('password', '...'): a key literal, then its value, in a function that pairs its arguments
      // so (not replace(msg, 'token', 'TKN'), a VALUES row or an IN list, whose next item is another value).
      if (!JSON_BUILDER.test(callOf[k - 1] ?? '')) return false;
      k -= 1;
    }
    if (KEY_WORD.test(keyText(significant[k]))) return true;
    // '...' = password: the key after the value.
    const next = punct(significant[j + 1]);
    const compared =
      (next === '=' && punct(significant[j + 2]) !== '=') ||
      ((next === '<' || next === '!') && punct(significant[j + 2]) === (next === '<' ? '>' : '='));
    if (compared && significant[j + 1 + (next === '=' ? 1 : 2)]?.kind === 'word')
      return KEY_WORD.test(keyText(significant[j + 1 + (next === '=' ? 1 : 2)]));
    if (sep !== '=') return false;
    // SET PASSWORD FOR 'bob'@'localhost' = '...': a FOR clause, up to 8 tokens, between the key and `=`.
    for (let back = k, n = 0; back >= 0 && n < 8; back--, n++) {
      if (punct(significant[back]) === ';') return false;
      if (/^for$/i.test(word(significant[back]) ?? '')) return KEY_WORD.test(keyText(significant[back - 1]));
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
  const positional = insertedSecrets(significant, punct, word, keyText);
  const visible: Token[] = [];
  // Literal arguments of key functions, at any depth inside their parentheses; and of `KEY IN (...)`.
  const calls: number[] = []; // the parenthesis depth at which each open key call started
  let parens = 0;
  significant.forEach((t, j) => {
    const p = punct(t);
    if (p === '(') {
      parens++;
      const name = word(significant[j - 1]) ?? '';
      const keyIn = /^in$/i.test(name) && KEY_WORD.test(keyText(significant[j - 2]));
      if (KEY_FUNCTION.test(name) || keyIn) calls.push(parens);
    } else if (p === ')') {
      if (calls[calls.length - 1] === parens) calls.pop();
      parens--;
    } else if (t.kind === 'literal') {
      const content = t.content ? text.slice(t.content.start, t.content.end) : '';
      // 'a' 'b' is one value to MySQL and PostgreSQL: a literal right after a hidden one is hidden too.
      const joined = isHidden(significant[j - 1]);
      const secret = calls.length > 0 || keyed(j) || identifiedBy(j) || joined || positional.has(j);
      if (secret || SECRET_VALUE.test(content)) hide(t);
      else visible.push(t);
    } else if (t.kind === 'word' && identifiedBy(j) && !t.content) {
      hide(t); // Oracle's unquoted IDENTIFIED BY pw
    } else if (positional.has(j)) {
      hide(t); // an unquoted value (a number, a word) in a credential column's place
    }
  });
  if (depth >= MAX_NESTING) return;
  for (const t of visible) {
    const { start, end } = t.content!;
    if (end - start > 3 && MAY_NEST.test(text.slice(start, end)))
      markNested(text, t, reading, marks, depth + 1);
  }
}

/**
 * The tokens (indices into `significant`) of the values that `INSERT INTO t (name, password) VALUES ('bob', 'pw'),
 * (...)` (also REPLACE, MERGE's INSERT, and a `(cols) VALUE (...)`) gives to a credential-like column: the column
 * list's n-th name against each row's n-th value, every token of that value but its parentheses and commas. After
 * `INTO t [[AS] u] (name, password)`, the same for every select list and VALUES row up to the statement's end:
 * `SELECT 'bob', 'pw' FROM dual UNION ALL (SELECT ...)`, `WITH ... SELECT`, `UNION ALL VALUES (...)`. A select list
 * of a subquery or a CTE in that statement is read the same way: a column in a credential's place is hidden too.
 */
function insertedSecrets(
  significant: readonly Token[],
  punct: (t: Token | undefined) => string | undefined,
  word: (t: Token | undefined) => string | undefined,
  keyText: (t: Token | undefined) => string,
): Set<number> {
  const secret = new Set<number>();
  const isWord = (t: Token | undefined, pattern: RegExp) => pattern.test(word(t) ?? '');
  /** The credential-like positions of the list between `(` at `open` and its `)`, and that `)`'s index. */
  // Each `(`'s `)`, in one pass: an unclosed or very long list is passed over at once, not read to the end from
  // every `(` (quadratic: a second read timed 189 s on `SET (` repeated 100,000 times).
  const closeOf = new Int32Array(significant.length).fill(-1);
  const opened: number[] = [];
  significant.forEach((t, k) => {
    const p = punct(t);
    if (p === '(') opened.push(k);
    else if (p === ')' && opened.length) closeOf[opened.pop()!] = k;
  });
  const columnList = (open: number): { keys: Set<number>; close: number } | undefined => {
    const last = closeOf[open] ?? -1;
    if (last < 0 || last - open > MAX_LIST_TOKENS) return undefined;
    const columns: string[] = [];
    let name = '';
    let depth = 0;
    for (let k = open; k <= last; k++) {
      const p = punct(significant[k]);
      if (p === '(') depth++;
      else if (p === ')') depth--;
      if (depth === 0) {
        columns.push(name);
        const keys = new Set(columns.flatMap((c, n) => (KEY_WORD.test(c) ? [n] : [])));
        return { keys, close: k };
      }
      if (depth === 1 && p === ',') {
        columns.push(name);
        name = '';
      } else if (depth === 1 && !p) name = keyText(significant[k]); // the last name of `t.password`
    }
    return undefined;
  };
  /** Each row from `(` at `j`: `(` values `)`, rows apart by `,`; anything else ends them. */
  const rows = (keys: ReadonlySet<number>, j: number) => {
    while (punct(significant[j]) === '(') {
      let position = 0;
      let inner = 0;
      for (j++; j < significant.length; j++) {
        const p = punct(significant[j]);
        if (p === '(') inner++;
        else if (p === ')' && inner-- === 0) break;
        else if (p === ',' && inner === 0) {
          position++;
          continue;
        }
        if (keys.has(position) && p !== '(' && p !== ')' && p !== ',') secret.add(j);
      }
      j++;
      if (punct(significant[j]) !== ',') break;
      j++;
    }
  };
  significant.forEach((t, v) => {
    // UPDATE ... SET (name, password) = ('bob', '...'), also = ROW (...).
    if (isWord(t, /^set$/i) && punct(significant[v + 1]) === '(') {
      const list = columnList(v + 1);
      if (!list?.keys.size || punct(significant[list.close + 1]) !== '=') return;
      const at = isWord(significant[list.close + 2], /^row$/i) ? list.close + 3 : list.close + 2;
      if (isWord(significant[at + 1], /^select$/i))
        selectList(significant, at + 2, list.keys, punct, isWord, secret);
      else rows(list.keys, at);
      return;
    }
    // `(cols) VALUES (...)`, wherever the column list stands (MySQL's INSERT without INTO, MERGE's INSERT).
    if (isWord(t, /^values?$/i) && punct(significant[v - 1]) === ')') {
      let depth = 0;
      let k = v - 1;
      for (; k >= 0; k--) {
        const p = punct(significant[k]);
        if (p === ')') depth++;
        else if (p === '(' && --depth === 0) break;
      }
      const list = k >= 0 ? columnList(k) : undefined;
      if (list?.keys.size) rows(list.keys, v + 1);
      return;
    }
    if (!isWord(t, /^into$/i)) return;
    // INTO t [[AS] u] (cols): the table's (maybe qualified) name, then maybe an alias, then the column list.
    let j = v + 1;
    if (!keyText(significant[j])) return;
    while (punct(significant[j + 1]) === '.' && keyText(significant[j + 2])) j += 2;
    j++;
    if (isWord(significant[j], /^as$/i)) j++;
    const alias = !isWord(significant[j], /^(values?|select|with|default|set|table)$/i);
    if (
      alias &&
      punct(significant[j]) !== '(' &&
      keyText(significant[j]) &&
      punct(significant[j + 1]) === '('
    )
      j++;
    if (punct(significant[j]) !== '(') return;
    const list = columnList(j);
    if (!list?.keys.size) return;
    // Every select list and VALUES row to the statement's end.
    let depth = 0;
    for (let k = list.close + 1; k < significant.length; k++) {
      const p = punct(significant[k]);
      if (p === '(') depth++;
      else if (p === ')') depth--;
      // The statement's end, or the next INSERT's INTO (which is read on its own): each token is read once.
      else if (depth <= 0 && (p === ';' || isWord(significant[k], /^into$/i))) break;
      if (isWord(significant[k], /^select$/i))
        selectList(significant, k + 1, list.keys, punct, isWord, secret);
      else if (isWord(significant[k], /^values$/i)) rows(list.keys, k + 1);
    }
  });
  return secret;
}

/** Adds to `secret` the tokens of the select list at `from` in the `keys` positions, each up to its alias. */
function selectList(
  significant: readonly Token[],
  from: number,
  keys: ReadonlySet<number>,
  punct: (t: Token | undefined) => string | undefined,
  isWord: (t: Token | undefined, pattern: RegExp) => boolean,
  secret: Set<number>,
): void {
  const END =
    /^(from|where|group|having|window|order|limit|offset|fetch|for|into|union|except|intersect|on|returning)$/i;
  let j = from;
  while (isWord(significant[j], /^(distinct|all)$/i)) j++;
  let position = 0;
  let inner = 0;
  let aliased = false;
  for (; j < significant.length; j++) {
    const p = punct(significant[j]);
    if (inner === 0 && (p === ';' || p === ')' || isWord(significant[j], END))) return;
    if (p === '(') inner++;
    else if (p === ')') inner--;
    else if (p === ',' && inner === 0) {
      position++;
      aliased = false;
      continue;
    } else if (inner === 0 && isWord(significant[j], /^as$/i)) aliased = true;
    if (keys.has(position) && !aliased && p !== '(' && p !== ')' && p !== ',') secret.add(j);
  }
}

/**
 * Reads a literal's text as SQL: as it stands in a dollar-quoted body; in a quoted literal, with its doubled quotes
 * undone first (`'... IDENTIFIED BY ''pw'''`), each character it hides marking the ones it came from.
 */
function markNested(text: string, t: Token, reading: Reading, marks: Marks, depth: number): void {
  const { start, end } = t.content!;
  const q = text[t.content!.start - 1];
  if (q !== "'" && q !== '"') return markSecrets(text, start, end, reading, marks, depth);
  let inner = '';
  const from: number[] = []; // where each character of `inner` starts in `text`
  for (let i = start; i < end; i++) {
    from.push(i);
    inner += text[i];
    if (text[i] === q && text[i + 1] === q) i++;
  }
  from.push(end);
  const own: Marks = { hidden: new Uint8Array(inner.length), open: new Set() };
  markSecrets(inner, 0, inner.length, reading, own, depth);
  own.hidden.forEach((h, k) => {
    if (h) for (let i = from[k]!; i < from[k + 1]!; i++) marks.hidden[i] = 1;
  });
}

/** A literal's text worth reading as SQL: it names a key, IDENTIFIED or a key function. */
const MAY_NEST = new RegExp(`${MAY_HOLD_SQL_SECRET.source}|key|replace`, 'i');

/**
 * The text with each secret replaced by `***` (quotes kept; a literal cut short gets its closing quote), or
 * undefined when none was found.
 */
export function hideSqlSecrets(text: string): string | undefined {
  const marks: Marks = { hidden: new Uint8Array(text.length), open: new Set() };
  for (const reading of READINGS) markSecrets(text, 0, text.length, reading, marks, 0);
  const { hidden, open } = marks;
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
    const quote = /['"$]/.exec(text.slice(first))?.[0];
    if (quote === "'" || quote === '"') {
      if (!out.endsWith(quote)) out += quote;
    }
  }
  return out;
}
