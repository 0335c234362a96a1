/** A table the fake BigQuery holds: rows of timestamps (or numbers) and the bytes a scan of it bills. */
export interface FakeTable {
  rows: Array<Record<string, Date | number>>;
  bytes: number;
  /** `numRows` as tables.get reports it (defaults to rows.length); views have none. */
  type?: 'TABLE' | 'VIEW';
  /** Column types (default TIMESTAMP): BigQuery compares and converts each differently. */
  columnTypes?: Record<string, ColumnType>;
  /** Rows still in the streaming buffer: tables.get leaves them out of `numRows`, a query counts them. */
  streaming?: { rows: Array<Record<string, Date | number>>; estimatedRows: number };
}

export type ColumnType = 'TIMESTAMP' | 'DATETIME' | 'DATE';

export type FakeTables = Record<string, FakeTable>;

export class QueryError extends Error {
  constructor(
    readonly status: number,
    readonly reason: string,
    message: string,
  ) {
    super(message);
  }
}

const PART =
  /^SELECT (\d+) AS i, \(SELECT count\(\*\) FROM `([^`]+)`\.`([^`]+)`(.*?)\) AS n, (CAST\(NULL AS FLOAT64\)|\(SELECT UNIX_MICROS\((CAST\()?max\(`([^`]+)`\)( AS TIMESTAMP\))?\) \/ 1e6 FROM `[^`]+`\.`[^`]+`\)) AS ts$/s;
/** A bound is a typed `TIMESTAMP '…'` literal or a string literal that BigQuery coerces to the column's type. */
const BOUND = `((?:TIMESTAMP )?'[^']+')`;
const WINDOW = new RegExp(`^ WHERE \`([^\`]+)\` >= ${BOUND} AND \`[^\`]+\` < ${BOUND}$`);

function typeOf(table: FakeTable, column: string): ColumnType {
  return table.columnTypes?.[column] ?? 'TIMESTAMP';
}

/** A bound as BigQuery reads it against a column of `type`; errors as BigQuery's for what does not coerce. */
function boundOf(literal: string, type: ColumnType): number {
  const typed = literal.startsWith('TIMESTAMP ');
  const text = literal.replace(/^TIMESTAMP /, '').slice(1, -1);
  if (typed && type !== 'TIMESTAMP') {
    throw new QueryError(
      400,
      'invalidQuery',
      `No matching signature for operator >= for argument types: ${type}, TIMESTAMP. Supported signature: ANY >= ANY at [1:1]`,
    );
  }
  // String literals coerce only in the canonical format of the target type; a DATE has no time of day.
  if (!typed && type === 'DATE' && !/^\d{4}-\d{2}-\d{2}$/.test(text)) {
    throw new QueryError(400, 'invalidQuery', `Could not cast literal "${text}" to type DATE at [1:1]`);
  }
  // TIMESTAMP literals without a zone, and DATETIME values, read as UTC.
  const ms = Date.parse(/[zZ]|[+-]\d\d:?\d\d$/.test(text) ? text : `${text.replace(' ', 'T')}Z`);
  if (Number.isNaN(ms)) throw new QueryError(400, 'invalidQuery', `Invalid literal: ${literal}`);
  return ms;
}

function lookup(tables: FakeTables, project: string, dataset: string, table: string): FakeTable {
  const found = tables[`${dataset}.${table}`];
  if (!found)
    throw new QueryError(
      404,
      'notFound',
      `Not found: Table ${project}:${dataset}.${table} was not found in location US`,
    );
  return found;
}

function column(table: FakeTable, name: string): void {
  if (table.rows.length && !(name in (table.rows[0] as object))) {
    throw new QueryError(400, 'invalidQuery', `Unrecognized name: ${name} at [1:1]`);
  }
}

/**
 * Evaluates the count statements the connector writes (UNION ALL of per-table counts over an optional
 * window); anything else is an invalid query. Returns the rows and the bytes a scan would process.
 */
export function evaluate(
  project: string,
  sql: string,
  tables: FakeTables,
): { rows: unknown[][]; bytes: number; billed: number; referenced: string[] } {
  let bytes = 0;
  let billed = 0;
  const referenced: string[] = [];
  const rows = sql.split('\nUNION ALL\n').map((part) => {
    const m = PART.exec(part);
    if (!m)
      throw new QueryError(
        400,
        'invalidQuery',
        `Syntax error: unexpected query at [1:1]: ${part.slice(0, 80)}`,
      );
    const [, index, dataset, name, where, , cast, maxColumn] = m as unknown as string[];
    const table = lookup(tables, project, dataset as string, name as string);
    bytes += table.bytes;
    // As BigQuery bills on demand: each table referenced at least 10 MB, rounded up to the next MB.
    billed += Math.max(MIN_BILLED_PER_TABLE, Math.ceil(table.bytes / MB) * MB);
    referenced.push(`${dataset}.${name}`);
    // A query reads the streaming buffer too.
    const all = [...table.rows, ...(table.streaming?.rows ?? [])];
    let selected = all;
    if (where) {
      const w = WINDOW.exec(where);
      if (!w) throw new QueryError(400, 'invalidQuery', `Unsupported filter: ${where}`);
      const [, col, from, to] = w as unknown as [string, string, string, string];
      column(table, col);
      const type = typeOf(table, col);
      const [fromMs, toMs] = [boundOf(from, type), boundOf(to, type)];
      selected = selected.filter((r) => {
        const t = (r[col] as Date).getTime();
        return t >= fromMs && t < toMs;
      });
    }
    let ts: number | null = null;
    if (maxColumn) {
      column(table, maxColumn);
      if (!cast && typeOf(table, maxColumn) !== 'TIMESTAMP') {
        throw new QueryError(
          400,
          'invalidQuery',
          `No matching signature for function UNIX_MICROS for argument types: ${typeOf(table, maxColumn)}. Supported signature: UNIX_MICROS(TIMESTAMP) at [1:1]`,
        );
      }
      const times = all.map((r) => (r[maxColumn] as Date).getTime());
      ts = times.length ? Math.max(...times) / 1000 : null;
    }
    return [Number(index), selected.length, ts];
  });
  return { rows, bytes, billed, referenced };
}

const MB = 1024 * 1024;
const MIN_BILLED_PER_TABLE = 10 * MB;
