import { changed, type Queryable } from './postgres-db';

export async function takeLease(
  db: Queryable,
  name: string,
  holder: string,
  ttlMs: number,
): Promise<boolean> {
  // One statement on the database's clock: a concurrent taker waits on the row, then sees it held.
  return changed(
    db,
    `INSERT INTO guardrail_lease (name, holder, expires_at)
     VALUES ($1, $2, clock_timestamp() + $3::float8 * interval '1 millisecond')
     ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at
     WHERE guardrail_lease.expires_at < clock_timestamp() OR guardrail_lease.holder = $2
     RETURNING name`,
    [name, holder, ttlMs],
  );
}

export async function giveUpLease(db: Queryable, name: string, holder: string): Promise<void> {
  await db.query('DELETE FROM guardrail_lease WHERE name = $1 AND holder = $2', [name, holder]);
}
