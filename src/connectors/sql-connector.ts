import { batchCount } from './batch-count';
import { literals, PLAIN_NAME, sqlDescribe } from './describe';
import type { SessionCounter } from './open-context';
import type { SqlDialect } from './sql-dialect';
import type { Connector, CountRequest, CountResult } from './types';

export interface SqlConnectorParts {
  name: string;
  type: string;
  dialect: SqlDialect;
  /** Runs one read-only statement on a pooled session, under the statement timeout. */
  run(sql: string, params: unknown[], signal: AbortSignal): Promise<Record<string, unknown>[]>;
  batchSize: number;
  maxConnections: number;
  /** Values to scrub from error messages (the connection's password). */
  secrets: string[];
  counter: SessionCounter;
  close(): Promise<void>;
  /**
   * The server compares a number with a timestamp without an error (MySQL), so a window or freshness column of the
   * wrong type counts no row in silence: such a column is looked up in information_schema before counting, and its
   * tables fail with a message instead. Which types are dates or times; undefined: the server refuses on its own.
   */
  temporalTypes?: ReadonlySet<string>;
}

/** information_schema's rows per statement when looking up column types. */
const TYPE_LOOKUP_CHUNK = 500;

/**
 * The requests whose window or freshness column information_schema names with a type that is no date or time,
 * with why; a column it does not list (no privilege, a view it cannot see) is left to the count. Asked once per
 * column for the connector's life (a run).
 */
async function wrongTimeColumns(
  parts: SqlConnectorParts & { temporalTypes: ReadonlySet<string> },
  known: Map<string, string | null>,
  requests: readonly CountRequest[],
  signal: AbortSignal,
): Promise<Map<string, string>> {
  const columnsOf = (r: CountRequest) => [
    ...new Set([r.window?.column, r.maxTimestampColumn].filter((c): c is string => !!c)),
  ];
  const keyOf = (r: CountRequest, column: string) => JSON.stringify([...r.table.parts.slice(-2), column]);
  const asked = requests.flatMap((r) =>
    r.table.parts.length >= 2 ? columnsOf(r).map((c) => ({ r, c, key: keyOf(r, c) })) : [],
  );
  const unknown = [...new Map(asked.filter((a) => !known.has(a.key)).map((a) => [a.key, a])).values()].filter(
    (a) => [...a.r.table.parts.slice(-2), a.c].every((n) => PLAIN_NAME.test(n)),
  );
  // By schema, `table_schema = '...'`: MariaDB then reads that schema's tables only (a tuple IN list took twice
  // as long on 3,000 tables).
  const bySchema = new Map<string, typeof unknown>();
  for (const a of unknown) {
    const schema = a.r.table.parts.at(-2)!;
    const list = bySchema.get(schema) ?? [];
    if (!list.length) bySchema.set(schema, list);
    list.push(a);
    known.set(a.key, null);
  }
  let refused = false;
  for (const [schema, inSchema] of bySchema) {
    for (let i = 0; i < inSchema.length && !refused; i += TYPE_LOOKUP_CHUNK) {
      const chunk = inSchema.slice(i, i + TYPE_LOOKUP_CHUNK);
      const sql =
        'SELECT table_schema AS s, table_name AS t, column_name AS c, data_type AS d FROM information_schema.columns' +
        ` WHERE table_schema = '${schema}' AND table_name IN (${literals(chunk.map((a) => a.r.table.parts.at(-1)!))})` +
        ` AND column_name IN (${literals(chunk.map((a) => a.c))})`;
      try {
        for (const row of await parts.run(sql, [], signal)) {
          const key = JSON.stringify([String(row.s), String(row.t), String(row.c)]);
          if (known.has(key)) known.set(key, String(row.d).toLowerCase());
        }
      } catch {
        signal.throwIfAborted();
        // Not looked up: the counts go ahead as before, and no more lookups wait out a timeout in this run.
        refused = true;
      }
    }
  }
  const wrong = new Map<string, string>();
  for (const { r, c, key } of asked) {
    const type = known.get(key);
    if (!type || parts.temporalTypes.has(type) || wrong.has(r.id)) continue;
    wrong.set(
      r.id,
      `column ${c} is ${type}, not a date or time: ${parts.type} would compare it with the window's timestamps as ` +
        'a number and count no row (use a DATETIME or TIMESTAMP column)',
    );
  }
  return wrong;
}

/**
 * A connector over a pooled SQL driver: batched counts, plain queries and `describe` (information_schema, which
 * lists only what the session's account has some privilege on) through one `run`.
 */
export function sqlConnector(parts: SqlConnectorParts): Connector {
  const types = new Map<string, string | null>();
  return {
    name: parts.name,
    type: parts.type,
    count: async (requests, options) => {
      const count = (some: CountRequest[]) =>
        batchCount(some, {
          ...options,
          dialect: parts.dialect,
          run: (sql, signal) => parts.run(sql, [], signal),
          batchSize: parts.batchSize,
          concurrency: parts.maxConnections,
          secrets: parts.secrets,
        });
      const { temporalTypes } = parts;
      if (!temporalTypes) return count(requests);
      const wrong = await wrongTimeColumns({ ...parts, temporalTypes }, types, requests, options.signal);
      if (!wrong.size) return count(requests);
      const counted = new Map((await count(requests.filter((r) => !wrong.has(r.id)))).map((r) => [r.id, r]));
      return requests.map(
        (r): CountResult =>
          counted.get(r.id) ?? { id: r.id, error: { code: 'query-failed', message: wrong.get(r.id) ?? '' } },
      );
    },
    query: (sql, params, { signal }) => parts.run(sql, params, signal),
    describe: sqlDescribe({
      dialect: parts.dialect,
      run: (sql, signal) => parts.run(sql, [], signal),
      secrets: parts.secrets,
    }),
    stats: () => parts.counter.snapshot(),
    close: parts.close,
  };
}
