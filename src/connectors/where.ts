/**
 * The `where:` predicates of table files, checked when the config loads: one boolean expression over columns,
 * literals and a few scalar functions, nothing that could read a file, run a subquery or end the statement.
 * The databases enforce read-only on their own (see each connector); this gives the analyst a clear message in
 * the pull request instead of a failed count at 3 a.m.
 */

import { Parser } from './where-parser';
import { tokenize, WhereError } from './where-tokens';

export { WHERE_FUNCTIONS } from './where-words';

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
