// The tokens of a `where:` predicate (see where.ts): words, quoted identifiers, literals and operators. Comments,
// `;` and backslash escapes end the tokenizing with a WhereError, as no accepted expression has them.

export type TokenKind = 'word' | 'quoted' | 'string' | 'number' | 'op';
export interface Token {
  kind: TokenKind;
  /** Lower case for words, the unquoted text otherwise. */
  text: string;
  at: number;
}

/** A `where` that is not a boolean expression Guardrail accepts; `at` is the 1-based character position. */
export class WhereError extends Error {
  constructor(
    readonly reason: string,
    readonly at: number,
  ) {
    super(`${reason} (at character ${at})`);
    this.name = 'WhereError';
  }
}

const OPERATORS = ['<>', '!=', '<=', '>=', '::', '=', '<', '>', '+', '-', '*', '/', '%', '(', ')', ',', '.'];

function quotedEnd(text: string, start: number, quote: string, what: string): [string, number] {
  let out = '';
  for (let i = start + 1; i < text.length; i++) {
    const c = text[i] as string;
    // Backslash escapes differ between engines (MySQL and BigQuery honour them, PostgreSQL does not).
    if (c === '\\') throw new WhereError(`backslashes are not allowed in ${what}s`, i + 1);
    if (c === quote && text[i + 1] !== quote) return [out, i + 1];
    out += c;
    if (c === quote) i++;
  }
  throw new WhereError(`unterminated ${what}`, start + 1);
}

export function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i] as string;
    const at = i + 1;
    const rest = text.slice(i);
    if (/\s/.test(c)) i++;
    else if (rest.startsWith('--') || rest.startsWith('/*') || c === '#')
      throw new WhereError('comments are not allowed in where', at);
    else if (c === ';') throw new WhereError('a where is one expression: ";" is not allowed', at);
    else if (c === "'") {
      const [value, end] = quotedEnd(text, i, "'", 'string literal');
      tokens.push({ kind: 'string', text: value, at });
      i = end;
    } else if (c === '"' || c === '`') {
      const [value, end] = quotedEnd(text, i, c, 'quoted identifier');
      tokens.push({ kind: 'quoted', text: value, at });
      i = end;
    } else if (/[0-9]/.test(c) || (c === '.' && /^\.[0-9]/.test(rest))) {
      const m = /^(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?/.exec(rest) as RegExpExecArray;
      tokens.push({ kind: 'number', text: m[0], at });
      i += m[0].length;
    } else if (/[A-Za-z_]/.test(c)) {
      const m = /^[A-Za-z_][A-Za-z0-9_$]*/.exec(rest) as RegExpExecArray;
      tokens.push({ kind: 'word', text: m[0].toLowerCase(), at });
      i += m[0].length;
    } else {
      const op = OPERATORS.find((o) => rest.startsWith(o));
      if (!op) throw new WhereError(`unexpected character '${c}'`, at);
      tokens.push({ kind: 'op', text: op, at });
      i += op.length;
    }
  }
  return tokens;
}
