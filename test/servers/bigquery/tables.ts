/** A table the fake BigQuery holds: rows of timestamps (or numbers) and the bytes a scan of it bills. */
export interface FakeTable {
  rows: Array<Record<string, Date | number>>;
  bytes: number;
  /** `numRows` as tables.get reports it (defaults to rows.length); views have none. */
  type?: 'TABLE' | 'VIEW';
}

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
  /^SELECT (\d+) AS i, \(SELECT count\(\*\) FROM `([^`]+)`\.`([^`]+)`(.*?)\) AS n, (CAST\(NULL AS FLOAT64\)|\(SELECT UNIX_MICROS\(max\(`([^`]+)`\)\) \/ 1e6 FROM `[^`]+`\.`[^`]+`\)) AS ts$/s;
const WINDOW = /^ WHERE `([^`]+)` >= TIMESTAMP '([^']+)' AND `[^`]+` < TIMESTAMP '([^']+)'$/;

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
    const [, index, dataset, name, where, , maxColumn] = m as unknown as string[];
    const table = lookup(tables, project, dataset as string, name as string);
    bytes += table.bytes;
    // As BigQuery bills on demand: each table referenced at least 10 MB, rounded up to the next MB.
    billed += Math.max(MIN_BILLED_PER_TABLE, Math.ceil(table.bytes / MB) * MB);
    referenced.push(`${dataset}.${name}`);
    let selected = table.rows;
    if (where) {
      const w = WINDOW.exec(where);
      if (!w) throw new QueryError(400, 'invalidQuery', `Unsupported filter: ${where}`);
      const [, col, from, to] = w as unknown as [string, string, string, string];
      column(table, col);
      selected = selected.filter((r) => {
        const t = (r[col] as Date).getTime();
        return t >= Date.parse(from) && t < Date.parse(to);
      });
    }
    let ts: number | null = null;
    if (maxColumn) {
      column(table, maxColumn);
      const times = table.rows.map((r) => (r[maxColumn] as Date).getTime());
      ts = times.length ? Math.max(...times) / 1000 : null;
    }
    return [Number(index), selected.length, ts];
  });
  return { rows, bytes, billed, referenced };
}

const MB = 1024 * 1024;
const MIN_BILLED_PER_TABLE = 10 * MB;
