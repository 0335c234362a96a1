/** A table name from config, already validated: `[catalog.]schema.table` or `table`. */
export interface TableRef {
  /** The parts as written in config, unquoted (e.g. ['game1', 'users']). */
  parts: string[];
}

export interface CountWindow {
  column: string;
  /** Inclusive. */
  from: Date;
  /** Exclusive. */
  to: Date;
}

export interface CountRequest {
  /** Caller's id for matching results (e.g. the table pair index). */
  id: string;
  table: TableRef;
  /** Extra SQL condition from config, checked at load (`where.ts`); the database still enforces read-only. */
  where?: string;
  window?: CountWindow;
  /**
   * When set, also return max(column) over the rows matching `where`, ignoring `window`: the window is closed
   * by design, so the latest row (and the lag behind it) lies after it.
   */
  maxTimestampColumn?: string;
}

/**
 * Why a table was not counted. `unreachable`: the connection stopped answering (twice in a row on one statement),
 * so neither this table nor any after it was counted in this run.
 */
export type CountErrorCode =
  'missing-table' | 'missing-column' | 'query-failed' | 'over-budget' | 'aborted' | 'unreachable';

export interface CountResult {
  id: string;
  rows?: number;
  /**
   * Set when `rows` is an estimate rather than an exact count, saying what it adds up (e.g. BigQuery's
   * streaming buffer).
   */
  estimate?: string;
  /** max(maxTimestampColumn); null when the table (or window) is empty. */
  maxTimestamp?: Date | null;
  /**
   * Set when the table was counted without maxTimestampColumn, which is missing on this side or holds text
   * (`not-a-timestamp`): `rows` stands, `maxTimestamp` is unknown.
   */
  maxTimestampError?: { code: 'missing-column' | 'not-a-timestamp'; message: string };
  error?: {
    code: CountErrorCode;
    message: string;
    /** For `missing-table`: the closest names the connection knows (see `Connector.describe`). */
    suggestions?: string[];
  };
}

export interface CountOptions {
  signal: AbortSignal;
  /** Called as results arrive, for progress on long sweeps. */
  onProgress?: (done: number) => void;
}

/** A table to look up in the catalog, with what the config reads from it. */
export interface DescribeRequest {
  table: TableRef;
  /** Columns the config names (window, freshness, `where`): when all exist, one statement that reads no row checks they can be read. */
  columns?: string[];
  /** The `where` as configured, part of that statement. */
  where?: string;
}

/** What the catalog says of one table (keyed by `parts.join('.')`). */
export type TableDescription =
  | {
      columns: string[];
      /** Why a statement naming the table, its columns and `where` (reading no row) was refused. */
      unreadable?: string;
      /**
       * The catalog does not list the table, yet a statement naming it found it: information_schema shows a user
       * only what it holds some privilege on (and PostgreSQL never lists materialized views). `columns` are then
       * those the request named, when a statement naming them passed; else none, and `unreadable` says why.
       */
      hidden?: true;
    }
  | {
      missing: true;
      /** Closest names the connection can see: edit distance ≤ 2 in the same schema, or the same name elsewhere. */
      suggestions: string[];
    };

export interface DescribeOptions {
  signal: AbortSignal;
}

/** What every data connector offers the checks (DESIGN.md §5). */
export interface Connector {
  readonly name: string;
  readonly type: string;
  /** Batched row counts; never throws for a single table's failure (it goes into that result's error). */
  count(requests: CountRequest[], options: CountOptions): Promise<CountResult[]>;
  /** Read-only SQL for dialect-specific checks; rows as plain objects. */
  query?(
    sql: string,
    params: unknown[],
    options: { signal: AbortSignal },
  ): Promise<Record<string, unknown>[]>;
  /**
   * Tables' columns from the catalog (information_schema), read-only and under the statement timeout; a missing
   * table comes with the closest names. For `validate --online` and for a missing table's finding.
   */
  describe?(requests: DescribeRequest[], options: DescribeOptions): Promise<Map<string, TableDescription>>;
  close(): Promise<void>;
  /** Counters for benchmarks and the agent's own health. */
  stats?(): ConnectorStats;
}

export interface ConnectorStats {
  /** Statements sent (or API requests made) since the connector opened. */
  roundTrips: number;
  /** Sessions opened since the connector opened. */
  connectionsOpened: number;
  /** Most sessions open at once. */
  peakConnections: number;
  /** BigQuery: bytes billed by the agent's own queries. */
  bytesBilled?: number;
}

/** Lazily opens and pools connectors by connection name from config. */
export interface ConnectionProvider {
  get(name: string): Promise<Connector>;
  /** Bytes billed by the agent's own queries on every connector opened so far (BigQuery). */
  bytesBilled(): Promise<number>;
  closeAll(): Promise<void>;
}
