/**
 * The `where:` predicates of table files, checked when the config loads: one boolean expression over columns,
 * literals and a few scalar functions, nothing that could read a file, run a subquery or end the statement.
 * The databases enforce read-only on their own (see each connector); this gives the analyst a clear message in
 * the pull request instead of a failed count at 3 a.m.
 */

import { tokenize, WhereError, type Token } from './where-tokens';

/** Scalar functions a `where` may call (lower case); every other call is refused by name. */
export const WHERE_FUNCTIONS: readonly string[] = [
  'abs',
  'ceil',
  'char_length',
  'coalesce',
  'concat',
  'date',
  'date_trunc',
  'floor',
  'greatest',
  'least',
  'length',
  'lower',
  'ltrim',
  'now',
  'nullif',
  'round',
  'rtrim',
  'substr',
  'trim',
  'upper',
];

/** Words that are never a column here: operators, literals, and what would start another statement. */
const KEYWORDS = new Set(
  [
    'and', 'or', 'not', 'is', 'null', 'in', 'between', 'like', 'true', 'false', 'cast', 'as', 'interval',
    'current_date', 'current_timestamp', 'select', 'into', 'from', 'union', 'with', 'values', 'exists',
    'insert', 'update', 'delete', 'drop', 'create', 'alter', 'copy', 'grant', 'commit', 'begin', 'set',
  ], // prettier-ignore
);
/** Keywords that start a query or a write: named in the error. */
const STATEMENT_WORDS = new Set(['select', 'with', 'values', 'exists', 'from', 'union']);
/** `DATE '2026-01-01'`: a typed literal, not a column. */
const TYPED_LITERALS = new Set(['date', 'time', 'timestamp']);
const INTERVAL_UNITS = new Set(
  [
    'microsecond',
    'millisecond',
    'second',
    'minute',
    'hour',
    'day',
    'week',
    'month',
    'quarter',
    'year',
  ].flatMap((u) => [u, `${u}s`]),
);

/** What an expression is, as far as the parser can tell: a condition, a value, or unknown (a column, a call). */
type Shape = 'condition' | 'value' | 'unknown';

class Parser {
  private i = 0;
  /** The columns named (a qualified name's last part), in order of appearance. */
  readonly columns: string[] = [];
  constructor(
    private readonly tokens: Token[],
    private readonly end: number,
  ) {}

  private peek(offset = 0): Token | undefined {
    return this.tokens[this.i + offset];
  }
  private isWord(word: string, offset = 0): boolean {
    const t = this.peek(offset);
    return t?.kind === 'word' && t.text === word;
  }
  private isOp(op: string): boolean {
    const t = this.peek();
    return t?.kind === 'op' && t.text === op;
  }
  private acceptWord(word: string): boolean {
    if (!this.isWord(word)) return false;
    this.i++;
    return true;
  }
  private acceptOp(op: string): boolean {
    if (!this.isOp(op)) return false;
    this.i++;
    return true;
  }
  private fail(reason: string): never {
    throw new WhereError(reason, this.peek()?.at ?? this.end);
  }
  private expectOp(op: string): void {
    if (!this.acceptOp(op)) this.fail(`expected '${op}'${this.found()}`);
  }
  private found(): string {
    const t = this.peek();
    return t ? `, found '${t.kind === 'string' ? `'${t.text}'` : t.text}'` : ', found the end';
  }

  parse(): Shape {
    if (!this.peek()) this.fail('where is empty');
    const shape = this.or();
    if (this.peek()) {
      if (this.isWord('into')) this.fail('INTO is not allowed in where');
      this.fail(`unexpected '${this.peek()?.text}' after the expression`);
    }
    return shape;
  }

  private or(): Shape {
    let shape = this.and();
    while (this.acceptWord('or')) {
      this.and();
      shape = 'condition';
    }
    return shape;
  }
  private and(): Shape {
    let shape = this.not();
    while (this.acceptWord('and')) {
      this.not();
      shape = 'condition';
    }
    return shape;
  }
  private not(): Shape {
    if (!this.acceptWord('not')) return this.predicate();
    this.not();
    return 'condition';
  }

  private predicate(): Shape {
    const shape = this.additive();
    const t = this.peek();
    if (t?.kind === 'op' && ['=', '<>', '!=', '<', '<=', '>', '>='].includes(t.text)) {
      this.i++;
      this.additive();
      return 'condition';
    }
    if (this.acceptWord('is')) {
      this.acceptWord('not');
      if (!this.acceptWord('null') && !this.acceptWord('true') && !this.acceptWord('false'))
        this.fail(`expected NULL, TRUE or FALSE after IS${this.found()}`);
      return 'condition';
    }
    const negated = this.isWord('not') && ['in', 'between', 'like'].some((w) => this.isWord(w, 1));
    if (negated) this.i++;
    if (this.acceptWord('in')) {
      this.inList();
      return 'condition';
    }
    if (this.acceptWord('between')) {
      this.additive();
      if (!this.acceptWord('and')) this.fail(`expected AND in BETWEEN${this.found()}`);
      this.additive();
      return 'condition';
    }
    if (this.acceptWord('like')) {
      this.additive();
      return 'condition';
    }
    if (negated) this.fail('expected IN, BETWEEN or LIKE after NOT');
    return shape;
  }

  private inList(): void {
    this.expectOp('(');
    if (STATEMENT_WORDS.has(this.peek()?.text ?? '') && this.peek()?.kind === 'word')
      this.fail('subqueries are not allowed in where: IN takes a list of literals');
    do {
      this.acceptOp('-');
      const t = this.peek();
      const literal =
        t?.kind === 'string' ||
        t?.kind === 'number' ||
        (t?.kind === 'word' && ['true', 'false', 'null'].includes(t.text));
      if (!literal) this.fail(`IN takes a list of literals${this.found()}`);
      this.i++;
    } while (this.acceptOp(','));
    this.expectOp(')');
  }

  private additive(): Shape {
    let shape = this.multiplicative();
    while (this.acceptOp('+') || this.acceptOp('-')) {
      this.multiplicative();
      shape = 'value';
    }
    return shape;
  }
  private multiplicative(): Shape {
    let shape = this.unary();
    while (this.acceptOp('*') || this.acceptOp('/') || this.acceptOp('%')) {
      this.unary();
      shape = 'value';
    }
    return shape;
  }
  private unary(): Shape {
    if (this.acceptOp('-') || this.acceptOp('+')) {
      this.unary();
      return 'value';
    }
    const shape = this.primary();
    // PostgreSQL's `x::type`, the short form of CAST.
    if (!this.acceptOp('::')) return shape;
    this.typeName();
    return 'unknown';
  }

  private primary(): Shape {
    const t = this.peek();
    if (!t) this.fail('expected a value, found the end');
    if (t.kind === 'op') return this.parenthesized(t);
    if (t.kind === 'quoted') {
      this.qualified();
      return 'unknown';
    }
    const word = t.kind === 'word' ? t.text : '';
    if (word === 'interval') {
      this.interval();
      return 'value';
    }
    if (word === 'cast') {
      this.cast();
      return 'unknown';
    }
    if (word === 'into') this.fail('INTO is not allowed in where');
    if (STATEMENT_WORDS.has(word)) this.fail('subqueries are not allowed in where');
    const literal = this.literal(t);
    if (literal) return literal;
    if (KEYWORDS.has(word)) this.fail(`unexpected keyword ${word.toUpperCase()}`);
    if (this.peek(1)?.kind === 'op' && this.peek(1)?.text === '(') this.call(word);
    else this.qualified();
    return 'unknown';
  }

  /** Takes a literal token (`DATE '...'` is two) and says its shape, or nothing when `t` starts none. */
  private literal(t: Token): Shape | undefined {
    if (t.kind === 'string' || t.kind === 'number') {
      this.i++;
      return 'value';
    }
    if (t.kind !== 'word') return undefined;
    if (t.text === 'true' || t.text === 'false') {
      this.i++;
      return 'condition';
    }
    if (['null', 'current_date', 'current_timestamp'].includes(t.text)) {
      this.i++;
      return 'value';
    }
    if (TYPED_LITERALS.has(t.text) && this.peek(1)?.kind === 'string') {
      this.i += 2;
      return 'value';
    }
    return undefined;
  }

  private parenthesized(t: Token): Shape {
    if (t.text !== '(') this.fail(`expected a value, found '${t.text}'`);
    this.i++;
    if (this.peek()?.kind === 'word' && STATEMENT_WORDS.has(this.peek()?.text ?? ''))
      this.fail('subqueries are not allowed in where');
    const inner = this.or();
    this.expectOp(')');
    return inner;
  }

  /** `a`, `s.t.a`, `"Odd Name"`: at most three parts. */
  private qualified(): void {
    const names: string[] = [];
    do {
      const t = this.peek();
      if (t?.kind === 'quoted' || (t?.kind === 'word' && !KEYWORDS.has(t.text))) this.i++;
      else this.fail(`expected a column name${this.found()}`);
      names.push(t.text);
      if (names.length > 3) this.fail('a column name has at most three parts');
    } while (this.acceptOp('.'));
    const column = names.at(-1) as string;
    if (!this.columns.includes(column)) this.columns.push(column);
  }

  private call(name: string): void {
    if (!WHERE_FUNCTIONS.includes(name)) {
      this.fail(`function ${name} is not allowed in where; allowed: ${WHERE_FUNCTIONS.join(', ')}, cast`);
    }
    this.i += 2;
    if (this.acceptOp(')')) return;
    do this.or();
    while (this.acceptOp(','));
    this.expectOp(')');
  }

  private cast(): void {
    this.i++;
    this.expectOp('(');
    this.or();
    if (!this.acceptWord('as')) this.fail(`expected AS in CAST${this.found()}`);
    this.typeName();
    this.expectOp(')');
  }

  /** `DATE`, `VARCHAR(10)`, `DECIMAL(10, 2)`, `TIMESTAMP WITH TIME ZONE`, `DOUBLE PRECISION`. */
  private typeName(): void {
    if (this.peek()?.kind !== 'word') this.fail(`expected a type name${this.found()}`);
    while (this.peek()?.kind === 'word' && !['as', 'and', 'or'].includes(this.peek()?.text ?? '')) this.i++;
    if (this.acceptOp('(')) {
      do
        if (this.peek()?.kind === 'number') this.i++;
        else this.fail(`expected a number in the type's size${this.found()}`);
      while (this.acceptOp(','));
      this.expectOp(')');
    }
  }

  /** `INTERVAL '1 day'`, `INTERVAL '1' DAY`, `INTERVAL 1 DAY`. */
  private interval(): void {
    this.i++;
    const t = this.peek();
    if (t?.kind !== 'string' && t?.kind !== 'number')
      this.fail(`expected the interval's length${this.found()}`);
    this.i++;
    const unit = this.peek();
    if (unit?.kind === 'word' && INTERVAL_UNITS.has(unit.text)) this.i++;
    else if (t.kind === 'number') this.fail(`expected the interval's unit (DAY, HOUR, ...)${this.found()}`);
  }
}

/**
 * Parses `where` and throws a {@link WhereError} unless it is one boolean expression of the accepted grammar:
 * columns, literals, comparisons, AND/OR/NOT, IS [NOT] NULL, [NOT] IN (literals), [NOT] BETWEEN, [NOT] LIKE,
 * arithmetic, CAST, CURRENT_DATE/CURRENT_TIMESTAMP, INTERVAL and the {@link WHERE_FUNCTIONS}.
 */
export function parseWhere(where: string): void {
  whereColumns(where);
}

/**
 * The columns an accepted `where` names (the last part of `t.col`; unquoted names in lower case, as the
 * tokenizer folds them), for `validate --online`; throws a {@link WhereError} as {@link parseWhere} does.
 */
export function whereColumns(where: string): string[] {
  const parser = new Parser(tokenize(where), where.length + 1);
  if (parser.parse() === 'value')
    throw new WhereError('where must be a condition (e.g. deleted_at IS NULL), not a value', 1);
  return parser.columns;
}

/** The reason `where` is refused, or undefined when it is accepted. */
export function whereProblem(where: string): string | undefined {
  try {
    parseWhere(where);
    return undefined;
  } catch (err) {
    if (err instanceof WhereError) return err.message;
    throw err;
  }
}
