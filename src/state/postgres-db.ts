import type { Pool, PoolClient } from 'pg';

export type Queryable = Pick<PoolClient, 'query'>;

/** JSON columns are jsonb on PostgreSQL: `pg` returns them decoded. */
export const asIs = (json: unknown) => json;

export async function changed(db: Queryable, sql: string, values: unknown[]): Promise<boolean> {
  const result = await db.query(sql, values);
  return (result.rowCount ?? 0) > 0;
}

export async function transaction<T>(pool: Pool, work: (client: PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  let result: T;
  try {
    await client.query('BEGIN');
    result = await work(client);
    await client.query('COMMIT');
  } catch (error) {
    // Dropping the connection rolls back, and does not wait on a server that stopped answering.
    client.release(error instanceof Error ? error : true);
    throw error;
  }
  client.release();
  return result;
}
