import type { Pool } from 'pg';
import { transaction, type Queryable } from './postgres-db';
import { uniqueKeys } from './rows';

export async function readWatermark(
  db: Queryable,
  checkId: string,
  name: string,
): Promise<string | undefined> {
  const { rows } = await db.query<{ value: string }>(
    'SELECT value FROM guardrail_watermark WHERE check_id = $1 AND name = $2',
    [checkId, name],
  );
  return rows[0]?.value;
}

export async function writeWatermark(
  db: Queryable,
  checkId: string,
  name: string,
  value: string,
): Promise<void> {
  await db.query(
    `INSERT INTO guardrail_watermark (check_id, name, value) VALUES ($1, $2, $3)
     ON CONFLICT (check_id, name) DO UPDATE SET value = excluded.value`,
    [checkId, name, value],
  );
}

export async function readFirstSeen(pool: Pool, checkId: string, scope: string): Promise<Map<string, Date>> {
  const result = await pool.query<{ key: string; first_seen_at: Date }>(
    'SELECT key, first_seen_at FROM guardrail_first_seen WHERE check_id = $1 AND scope = $2',
    [checkId, scope],
  );
  return new Map(result.rows.map((row) => [row.key, row.first_seen_at]));
}

/** Keeps the first sighting of each of `keys` in `scope` and forgets the keys not among them. */
export async function observeKeys(
  pool: Pool,
  checkId: string,
  scope: string,
  keys: string[],
  now: Date,
): Promise<Map<string, Date>> {
  const wanted = uniqueKeys(keys);
  // Whole key list as one array parameter: three statements however many keys there are.
  const rows = await transaction(pool, async (client) => {
    await client.query(
      `DELETE FROM guardrail_first_seen
       WHERE check_id = $1 AND scope = $2 AND NOT (key = ANY($3::text[]))`,
      [checkId, scope, wanted],
    );
    await client.query(
      `INSERT INTO guardrail_first_seen (check_id, scope, key, first_seen_at)
       SELECT $1, $2, unnest($3::text[]), $4 ON CONFLICT (check_id, scope, key) DO NOTHING`,
      [checkId, scope, wanted, now],
    );
    const result = await client.query<{ key: string; first_seen_at: Date }>(
      'SELECT key, first_seen_at FROM guardrail_first_seen WHERE check_id = $1 AND scope = $2',
      [checkId, scope],
    );
    return result.rows;
  });
  return new Map(rows.map((row) => [row.key, row.first_seen_at]));
}
