// The leaves of the `where:` grammar (see where-parser.ts): literals, intervals and type names, each a short run of
// tokens that holds no expression.

import type { TokenCursor } from './where-cursor';
import type { Token } from './where-tokens';
import { INTERVAL_UNITS, TYPED_LITERALS } from './where-words';

/** What an expression is, as far as the parser can tell: a condition, a value, or unknown (a column, a call). */
export type Shape = 'condition' | 'value' | 'unknown';

/** Takes a literal token (`DATE '...'` is two) and says its shape, or nothing when `t` starts none. */
export function literal(cursor: TokenCursor, t: Token): Shape | undefined {
  if (t.kind === 'string' || t.kind === 'number') {
    cursor.skip();
    return 'value';
  }
  if (t.kind !== 'word') return undefined;
  if (t.text === 'true' || t.text === 'false') {
    cursor.skip();
    return 'condition';
  }
  if (['null', 'current_date', 'current_timestamp'].includes(t.text)) {
    cursor.skip();
    return 'value';
  }
  if (TYPED_LITERALS.has(t.text) && cursor.peek(1)?.kind === 'string') {
    cursor.skip(2);
    return 'value';
  }
  return undefined;
}

/** `DATE`, `VARCHAR(10)`, `DECIMAL(10, 2)`, `TIMESTAMP WITH TIME ZONE`, `DOUBLE PRECISION`. */
export function typeName(cursor: TokenCursor): void {
  if (cursor.peek()?.kind !== 'word') cursor.fail(`expected a type name${cursor.found()}`);
  while (cursor.peek()?.kind === 'word' && !['as', 'and', 'or'].includes(cursor.peek()?.text ?? ''))
    cursor.skip();
  if (cursor.acceptOp('(')) {
    do
      if (cursor.peek()?.kind === 'number') cursor.skip();
      else cursor.fail(`expected a number in the type's size${cursor.found()}`);
    while (cursor.acceptOp(','));
    cursor.expectOp(')');
  }
}

/** `INTERVAL '1 day'`, `INTERVAL '1' DAY`, `INTERVAL 1 DAY`. */
export function interval(cursor: TokenCursor): void {
  cursor.skip();
  const t = cursor.peek();
  if (t?.kind !== 'string' && t?.kind !== 'number')
    cursor.fail(`expected the interval's length${cursor.found()}`);
  cursor.skip();
  const unit = cursor.peek();
  if (unit?.kind === 'word' && INTERVAL_UNITS.has(unit.text)) cursor.skip();
  else if (t.kind === 'number') cursor.fail(`expected the interval's unit (DAY, HOUR, ...)${cursor.found()}`);
}
