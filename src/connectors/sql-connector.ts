import { batchCount } from './batch-count';
import { sqlDescribe } from './describe';
import type { SessionCounter } from './open-context';
import type { SqlDialect } from './sql-dialect';
import type { Connector } from './types';

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
}

/**
 * A connector over a pooled SQL driver: batched counts, plain queries and `describe` (information_schema, which
 * lists only what the session's account has some privilege on) through one `run`.
 */
export function sqlConnector(parts: SqlConnectorParts): Connector {
  return {
    name: parts.name,
    type: parts.type,
    count: (requests, options) =>
      batchCount(requests, {
        ...options,
        dialect: parts.dialect,
        run: (sql, signal) => parts.run(sql, [], signal),
        batchSize: parts.batchSize,
        concurrency: parts.maxConnections,
        secrets: parts.secrets,
      }),
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
