import type { CountRequest, TableRef } from './types';
import type { FailureKind } from './errors';

/** What the batched count builder needs to know about one SQL dialect. */
export interface SqlDialect {
  /** Quotes one identifier (config values are validated, and quoted anyway). */
  quote(name: string): string;
  /** A timestamp literal for a window bound (UTC). */
  timestamp(at: Date): string;
  /** Seconds since the epoch of a timestamp expression, as a floating-point number. */
  epochSeconds(expr: string): string;
  /** A typed NULL that unions with `epochSeconds` results. */
  nullNumber: string;
  /** Maps a driver error to a count error code, or `connection` when the session is gone. */
  classify(err: unknown): FailureKind;
}

export function quoteWith(quoteChar: string): (name: string) => string {
  return (name) => `${quoteChar}${name.split(quoteChar).join(quoteChar + quoteChar)}${quoteChar}`;
}

export function qualifiedName(dialect: SqlDialect, table: TableRef): string {
  return table.parts.map((p) => dialect.quote(p)).join('.');
}

function conditions(dialect: SqlDialect, req: CountRequest, withWindow: boolean): string {
  const parts: string[] = [];
  if (req.where) parts.push(`(${req.where})`);
  if (withWindow && req.window) {
    const col = dialect.quote(req.window.column);
    parts.push(
      `${col} >= ${dialect.timestamp(req.window.from)}`,
      `${col} < ${dialect.timestamp(req.window.to)}`,
    );
  }
  return parts.length ? ` WHERE ${parts.join(' AND ')}` : '';
}

/**
 * One row `(i, n, ts)` for a request. Scalar subqueries keep each table's count and max apart: the count
 * covers the window, the max covers every row matching `where`, so in-flight lag still shows.
 */
export function countSelect(dialect: SqlDialect, req: CountRequest, index: number): string {
  const from = qualifiedName(dialect, req.table);
  const count = `(SELECT count(*) FROM ${from}${conditions(dialect, req, true)})`;
  const max = req.maxTimestampColumn
    ? `(SELECT ${dialect.epochSeconds(`max(${dialect.quote(req.maxTimestampColumn)})`)} FROM ${from}${conditions(dialect, req, false)})`
    : dialect.nullNumber;
  return `SELECT ${index} AS i, ${count} AS n, ${max} AS ts`;
}

export function unionSql(
  dialect: SqlDialect,
  items: ReadonlyArray<{ req: CountRequest; index: number }>,
): string {
  return items.map(({ req, index }) => countSelect(dialect, req, index)).join('\nUNION ALL\n');
}
