import type { FailureKind } from './errors';
import { errorMessage, isSocketError } from './errors';
import { quoteWith, type SqlDialect } from './sql-dialect';

/** A query the byte budget cannot pay for, refused before it runs. */
export class OverBudgetError extends Error {}

/** Maps BigQuery API errors (`reason` and message) to count error codes, or `connection`. */
export function classifyBigQuery(err: unknown): FailureKind {
  if (err instanceof OverBudgetError) return 'over-budget';
  const e = err as { code?: number; errors?: Array<{ reason?: string }> } | null;
  const message = errorMessage(err);
  const reasons = (e?.errors ?? []).map((x) => x.reason);
  if (reasons.includes('bytesBilledLimitExceeded')) return 'over-budget';
  if (/^Not found: (Table|Dataset)/i.test(message) || e?.code === 404) return 'missing-table';
  if (/Unrecognized name:/i.test(message)) return 'missing-column';
  // No answer within the connector's bound (a TimeoutError), or a connection refused or dropped: the API, not the
  // statement (a job that ran too long ends with BigQuery's own error first, the bound being a second longer).
  return isSocketError(err) ? 'connection' : 'query-failed';
}

/**
 * A window bound as a string literal, which BigQuery coerces to the column's type: TIMESTAMP (read as UTC) or
 * DATETIME (the same wall-clock time, so DATETIME columns compare as UTC). A typed `TIMESTAMP '…'` literal
 * would fail on a DATETIME column: neither type coerces to the other. A bound at midnight UTC is written as a
 * date alone, the canonical format that also coerces to DATE.
 * @see https://cloud.google.com/bigquery/docs/reference/standard-sql/conversion_rules#literal_coercion
 */
export function bigQueryBound(at: Date): string {
  const iso = at.toISOString(); // 2026-11-20T10:00:00.000Z
  if (iso.endsWith('T00:00:00.000Z')) return `'${iso.slice(0, 10)}'`;
  return `'${iso.slice(0, 10)} ${iso.slice(11, 23)}'`;
}

export const bigQueryDialect: SqlDialect = {
  quote: quoteWith('`'),
  timestamp: bigQueryBound,
  // UNIX_MICROS takes only a TIMESTAMP; DATETIME and DATE cast to one as UTC.
  epochSeconds: (expr) => `UNIX_MICROS(CAST(${expr} AS TIMESTAMP)) / 1e6`,
  nullNumber: 'CAST(NULL AS FLOAT64)',
  classify: classifyBigQuery,
};

/** What tables.get says about rows: `numRows` excludes rows still in the streaming buffer. */
export interface TableRows {
  numRows?: string;
  streamingBuffer?: { estimatedRows?: string };
}

/**
 * A whole-table count from metadata. Rows in the streaming buffer are not in `numRows`; when the table has a
 * buffer, its `estimatedRows` (BigQuery's estimate, which may lag) is added and the result says so, so a
 * finding never presents that sum as an exact count.
 * @see https://cloud.google.com/bigquery/docs/reference/rest/v2/tables#Table.FIELDS.num_rows
 */
export function rowsFromMetadata(meta: TableRows): { rows: number; estimate?: string } | undefined {
  const stored = Number(meta.numRows);
  if (meta.numRows === undefined || !Number.isFinite(stored)) return undefined;
  const buffered = Number(meta.streamingBuffer?.estimatedRows);
  if (meta.streamingBuffer?.estimatedRows === undefined || !Number.isFinite(buffered))
    return { rows: stored };
  return {
    rows: stored + buffered,
    estimate:
      `estimate: ${stored} rows stored plus about ${buffered} in the streaming buffer ` +
      `(BigQuery's estimate of the buffer)`,
  };
}
