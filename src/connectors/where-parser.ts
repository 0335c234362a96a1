import { TokenCursor } from './where-cursor';
import { interval, literal, typeName, type Shape } from './where-literals';
import type { Token } from './where-tokens';
import { KEYWORDS, STATEMENT_WORDS, WHERE_FUNCTIONS } from './where-words';

/** The grammar of a `where`, by recursive descent; the literals and type names it reads are in where-literals.ts. */
export class Parser {
  private readonly cursor: TokenCursor;
  /** The columns named (a qualified name's last part), in order of appearance. */
  readonly columns: string[] = [];
  constructor(tokens: Token[], end: number) {
    this.cursor = new TokenCursor(tokens, end);
  }

  parse(): Shape {
    if (!this.cursor.peek()) this.cursor.fail('where is empty');
    const shape = this.or();
    if (this.cursor.peek()) {
      if (this.cursor.isWord('into')) this.cursor.fail('INTO is not allowed in where');
      this.cursor.fail(`unexpected '${this.cursor.peek()?.text}' after the expression`);
    }
    return shape;
  }

  private or(): Shape {
    let shape = this.and();
    while (this.cursor.acceptWord('or')) {
      this.and();
      shape = 'condition';
    }
    return shape;
  }
  private and(): Shape {
    let shape = this.not();
    while (this.cursor.acceptWord('and')) {
      this.not();
      shape = 'condition';
    }
    return shape;
  }
  private not(): Shape {
    if (!this.cursor.acceptWord('not')) return this.predicate();
    this.not();
    return 'condition';
  }

  private predicate(): Shape {
    const shape = this.additive();
    const t = this.cursor.peek();
    if (t?.kind === 'op' && ['=', '<>', '!=', '<', '<=', '>', '>='].includes(t.text)) {
      this.cursor.skip();
      this.additive();
      return 'condition';
    }
    if (this.cursor.acceptWord('is')) {
      this.cursor.acceptWord('not');
      if (
        !this.cursor.acceptWord('null') &&
        !this.cursor.acceptWord('true') &&
        !this.cursor.acceptWord('false')
      )
        this.cursor.fail(`expected NULL, TRUE or FALSE after IS${this.cursor.found()}`);
      return 'condition';
    }
    const negated =
      this.cursor.isWord('not') && ['in', 'between', 'like'].some((w) => this.cursor.isWord(w, 1));
    if (negated) this.cursor.skip();
    if (this.cursor.acceptWord('in')) {
      this.inList();
      return 'condition';
    }
    if (this.cursor.acceptWord('between')) {
      this.additive();
      if (!this.cursor.acceptWord('and')) this.cursor.fail(`expected AND in BETWEEN${this.cursor.found()}`);
      this.additive();
      return 'condition';
    }
    if (this.cursor.acceptWord('like')) {
      this.additive();
      return 'condition';
    }
    if (negated) this.cursor.fail('expected IN, BETWEEN or LIKE after NOT');
    return shape;
  }

  private inList(): void {
    this.cursor.expectOp('(');
    if (STATEMENT_WORDS.has(this.cursor.peek()?.text ?? '') && this.cursor.peek()?.kind === 'word')
      this.cursor.fail('subqueries are not allowed in where: IN takes a list of literals');
    do {
      this.cursor.acceptOp('-');
      const t = this.cursor.peek();
      const literal =
        t?.kind === 'string' ||
        t?.kind === 'number' ||
        (t?.kind === 'word' && ['true', 'false', 'null'].includes(t.text));
      if (!literal) this.cursor.fail(`IN takes a list of literals${this.cursor.found()}`);
      this.cursor.skip();
    } while (this.cursor.acceptOp(','));
    this.cursor.expectOp(')');
  }

  private additive(): Shape {
    let shape = this.multiplicative();
    while (this.cursor.acceptOp('+') || this.cursor.acceptOp('-')) {
      this.multiplicative();
      shape = 'value';
    }
    return shape;
  }
  private multiplicative(): Shape {
    let shape = this.unary();
    while (this.cursor.acceptOp('*') || this.cursor.acceptOp('/') || this.cursor.acceptOp('%')) {
      this.unary();
      shape = 'value';
    }
    return shape;
  }
  private unary(): Shape {
    if (this.cursor.acceptOp('-') || this.cursor.acceptOp('+')) {
      this.unary();
      return 'value';
    }
    const shape = this.primary();
    // PostgreSQL's `x::type`, the short form of CAST.
    if (!this.cursor.acceptOp('::')) return shape;
    typeName(this.cursor);
    return 'unknown';
  }

  private primary(): Shape {
    const t = this.cursor.peek();
    if (!t) this.cursor.fail('expected a value, found the end');
    if (t.kind === 'op') return this.parenthesized(t);
    if (t.kind === 'quoted') {
      this.qualified();
      return 'unknown';
    }
    const word = t.kind === 'word' ? t.text : '';
    if (word === 'interval') {
      interval(this.cursor);
      return 'value';
    }
    if (word === 'cast') {
      this.cast();
      return 'unknown';
    }
    if (word === 'into') this.cursor.fail('INTO is not allowed in where');
    if (STATEMENT_WORDS.has(word)) this.cursor.fail('subqueries are not allowed in where');
    const shape = literal(this.cursor, t);
    if (shape) return shape;
    if (KEYWORDS.has(word)) this.cursor.fail(`unexpected keyword ${word.toUpperCase()}`);
    if (this.cursor.peek(1)?.kind === 'op' && this.cursor.peek(1)?.text === '(') this.call(word);
    else this.qualified();
    return 'unknown';
  }

  private parenthesized(t: Token): Shape {
    if (t.text !== '(') this.cursor.fail(`expected a value, found '${t.text}'`);
    this.cursor.skip();
    if (this.cursor.peek()?.kind === 'word' && STATEMENT_WORDS.has(this.cursor.peek()?.text ?? ''))
      this.cursor.fail('subqueries are not allowed in where');
    const inner = this.or();
    this.cursor.expectOp(')');
    return inner;
  }

  /** `a`, `s.t.a`, `"Odd Name"`: at most three parts. */
  private qualified(): void {
    const names: string[] = [];
    do {
      const t = this.cursor.peek();
      if (t?.kind === 'quoted' || (t?.kind === 'word' && !KEYWORDS.has(t.text))) this.cursor.skip();
      else this.cursor.fail(`expected a column name${this.cursor.found()}`);
      names.push(t.text);
      if (names.length > 3) this.cursor.fail('a column name has at most three parts');
    } while (this.cursor.acceptOp('.'));
    const column = names.at(-1) as string;
    if (!this.columns.includes(column)) this.columns.push(column);
  }

  private call(name: string): void {
    if (!WHERE_FUNCTIONS.includes(name)) {
      this.cursor.fail(
        `function ${name} is not allowed in where; allowed: ${WHERE_FUNCTIONS.join(', ')}, cast`,
      );
    }
    this.cursor.skip(2);
    if (this.cursor.acceptOp(')')) return;
    do this.or();
    while (this.cursor.acceptOp(','));
    this.cursor.expectOp(')');
  }

  private cast(): void {
    this.cursor.skip();
    this.cursor.expectOp('(');
    this.or();
    if (!this.cursor.acceptWord('as')) this.cursor.fail(`expected AS in CAST${this.cursor.found()}`);
    typeName(this.cursor);
    this.cursor.expectOp(')');
  }
}
