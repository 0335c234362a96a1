import type { ConnectionProvider, Connector } from './types';

/** The connection types whose system views these checks read. */
export type SessionDialect = 'postgres' | 'redshift';

/** Statement text kept in a finding's summary: enough to recognise the query in Chat. */
export const SQL_SUMMARY_CHARS = 300;

/** A connector that runs read-only SQL, with the dialect its system views speak. */
export interface SessionSource {
  dialect: SessionDialect;
  query(sql: string, params?: unknown[]): Promise<Record<string, unknown>[]>;
}

/**
 * Opens a connection whose session views (pg_stat_activity, Redshift's STV tables) a check reads; throws (the
 * engine reports a check error) for a type without them.
 */
export async function sessionSource(
  ctx: { connections: ConnectionProvider; kind: string; signal: AbortSignal },
  connection: string,
): Promise<SessionSource> {
  const connector: Connector = await ctx.connections.get(connection);
  const { type, query } = connector;
  if ((type !== 'postgres' && type !== 'redshift') || !query) {
    throw new Error(`${ctx.kind} supports postgres and redshift connections; '${connection}' is ${type}`);
  }
  return { dialect: type, query: (sql, params = []) => query(sql, params, { signal: ctx.signal }) };
}

/**
 * A timestamp from either driver: pg returns `timestamptz` as a Date; the Data API returns Redshift's
 * `timestamp` (UTC, without zone) as text such as `2026-11-22 01:20:00.123456`.
 */
export function dbTime(value: unknown): Date {
  if (value instanceof Date) return value;
  const text = String(value).trim().replace(' ', 'T');
  return new Date(/(Z|[+-]\d\d(:?\d\d)?)$/.test(text) ? text : `${text}Z`);
}

/** A UTC timestamp literal that Redshift and PostgreSQL both read (no parameters on the Data API). */
export function sqlTimestamp(at: Date): string {
  return `TIMESTAMP '${at.toISOString().replace('T', ' ').replace('Z', '')}'`;
}

/** Text from a system view (Redshift pads `character(n)` columns), cut for a summary. */
export function cleanText(value: unknown, max = SQL_SUMMARY_CHARS): string {
  const text = value === null || value === undefined ? '' : String(value).trim();
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}
