import { WhereError, type Token } from './where-tokens';

/** The parser's place in a `where`'s tokens: look-ahead, acceptance, and errors that say where they happened. */
export class TokenCursor {
  private i = 0;
  constructor(
    private readonly tokens: Token[],
    private readonly end: number,
  ) {}

  peek(offset = 0): Token | undefined {
    return this.tokens[this.i + offset];
  }
  isWord(word: string, offset = 0): boolean {
    const t = this.peek(offset);
    return t?.kind === 'word' && t.text === word;
  }
  isOp(op: string): boolean {
    const t = this.peek();
    return t?.kind === 'op' && t.text === op;
  }
  acceptWord(word: string): boolean {
    if (!this.isWord(word)) return false;
    this.i++;
    return true;
  }
  acceptOp(op: string): boolean {
    if (!this.isOp(op)) return false;
    this.i++;
    return true;
  }
  /** Steps over `count` tokens the caller has looked at. */
  skip(count = 1): void {
    this.i += count;
  }
  fail(reason: string): never {
    throw new WhereError(reason, this.peek()?.at ?? this.end);
  }
  expectOp(op: string): void {
    if (!this.acceptOp(op)) this.fail(`expected '${op}'${this.found()}`);
  }
  found(): string {
    const t = this.peek();
    return t ? `, found '${t.kind === 'string' ? `'${t.text}'` : t.text}'` : ', found the end';
  }
}
