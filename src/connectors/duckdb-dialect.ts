import { errorMessage, type FailureKind } from './errors';
import { quoteWith, type SqlDialect } from './sql-dialect';

export const quote = quoteWith('"');

/** A view's time column read as text (see timestampAsText): the freshness bound cannot be computed on it. */
export class TimestampAsTextError extends Error {}

function classifyDuckDb(err: unknown): FailureKind {
  if (err instanceof TimestampAsTextError) return 'not-a-timestamp';
  const message = errorMessage(err);
  if (/Catalog Error: (Table|View|Schema) with name .* does not exist/i.test(message)) return 'missing-table';
  if (/Binder Error: Referenced column .* not found/i.test(message)) return 'missing-column';
  return 'query-failed';
}

export const duckDbDialect: SqlDialect = {
  quote,
  timestamp: (at) => `TIMESTAMP '${at.toISOString().replace('T', ' ').replace('Z', '')}'`,
  epochSeconds: (expr) => `epoch(${expr})::DOUBLE`,
  nullNumber: 'CAST(NULL AS DOUBLE)',
  classify: classifyDuckDb,
};

export function stringLiteral(text: string): string {
  return `'${text.split("'").join("''")}'`;
}

/** Error classes whose first line names only identifiers, paths or SQL: kept as DuckDB wrote them. */
const PLAIN_ERRORS = /^(Error: )?(Catalog|Binder|Parser|Permission|INTERRUPT|Interrupt) Error:/;

/**
 * DuckDB's error, fit for a finding: its first line only (the rest echoes the SQL), and for the classes that
 * quote values (`Conversion Error: Could not convert string '...'`, which may be a file's content) everything
 * from the first quote on is cut; `ownPaths` (the files the config names) are kept, without their quotes.
 */
export function duckDbErrorMessage(message: string, ownPaths: readonly string[] = []): string {
  // A configured file's own path is no content: it stays, unquoted (`File '…' too small to be a Parquet file` said
  // nothing of which file), standing as a mark while quotes are looked for, so that a quote in it cuts nothing.
  const mark = (i: number) => `\u0000${i}\u0000`;
  ownPaths.forEach((path, i) => {
    for (const q of ["'", '"']) message = message.split(`${q}${path}${q}`).join(mark(i));
  });
  const quote = PLAIN_ERRORS.test(message) ? -1 : message.search(/['"]/);
  let text = (quote < 0 ? message : `${message.slice(0, quote)}'…'`).split('\n', 1)[0] as string;
  ownPaths.forEach((path, i) => (text = text.split(mark(i)).join(path)));
  return text;
}
