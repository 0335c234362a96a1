// The words of the `where:` grammar (see where.ts): the functions a predicate may call, the keywords that are never
// a column, and the words that start a typed literal or name an interval's unit.

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
export const KEYWORDS = new Set(
  [
    'and', 'or', 'not', 'is', 'null', 'in', 'between', 'like', 'true', 'false', 'cast', 'as', 'interval',
    'current_date', 'current_timestamp', 'select', 'into', 'from', 'union', 'with', 'values', 'exists',
    'insert', 'update', 'delete', 'drop', 'create', 'alter', 'copy', 'grant', 'commit', 'begin', 'set',
  ], // prettier-ignore
);
/** Keywords that start a query or a write: named in the error. */
export const STATEMENT_WORDS = new Set(['select', 'with', 'values', 'exists', 'from', 'union']);
/** `DATE '2026-01-01'`: a typed literal, not a column. */
export const TYPED_LITERALS = new Set(['date', 'time', 'timestamp']);
export const INTERVAL_UNITS = new Set(
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
