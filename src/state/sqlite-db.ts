import type { Database } from 'better-sqlite3';

/** JSON columns are TEXT on SQLite. */
export const decode = (json: unknown) => JSON.parse(json as string) as unknown;

export function changed(db: Database, sql: string, ...values: (string | number)[]): boolean {
  return db.prepare(sql).run(...values).changes > 0;
}
