import type { Database } from 'better-sqlite3';
import { iso, uniqueKeys } from './rows';

export function readWatermark(db: Database, checkId: string, name: string): string | undefined {
  const row = db
    .prepare('SELECT value FROM guardrail_watermark WHERE check_id = ? AND name = ?')
    .get(checkId, name) as { value: string } | undefined;
  return row?.value;
}

export function writeWatermark(db: Database, checkId: string, name: string, value: string): void {
  db.prepare(
    `INSERT INTO guardrail_watermark (check_id, name, value) VALUES (?, ?, ?)
     ON CONFLICT (check_id, name) DO UPDATE SET value = excluded.value`,
  ).run(checkId, name, value);
}

/** Keeps the first sighting of each of `keys` in `scope` and forgets the keys not among them. */
export function readFirstSeen(db: Database, checkId: string, scope: string): Map<string, Date> {
  const rows = db
    .prepare('SELECT key, first_seen_at FROM guardrail_first_seen WHERE check_id = ? AND scope = ?')
    .all(checkId, scope) as { key: string; first_seen_at: string }[];
  return new Map(rows.map((row) => [row.key, new Date(row.first_seen_at)]));
}

export function observeKeys(
  db: Database,
  checkId: string,
  scope: string,
  keys: string[],
  now: Date,
): Map<string, Date> {
  const wanted = uniqueKeys(keys);
  const insert = db.prepare(
    `INSERT INTO guardrail_first_seen (check_id, scope, key, first_seen_at) VALUES (?, ?, ?, ?)
     ON CONFLICT (check_id, scope, key) DO NOTHING`,
  );
  const forget = db.prepare('DELETE FROM guardrail_first_seen WHERE check_id = ? AND scope = ? AND key = ?');
  const all = db.prepare(
    'SELECT key, first_seen_at FROM guardrail_first_seen WHERE check_id = ? AND scope = ?',
  );
  const seenAt = iso(now);
  // Steady state touches no rows: only keys that appeared or vanished since the last sweep are written.
  return db
    .transaction(() => {
      const keep = new Set(wanted);
      const known = new Map<string, Date>();
      for (const row of all.all(checkId, scope) as { key: string; first_seen_at: string }[]) {
        if (keep.has(row.key)) known.set(row.key, new Date(row.first_seen_at));
        else forget.run(checkId, scope, row.key);
      }
      for (const key of wanted) {
        if (known.has(key)) continue;
        insert.run(checkId, scope, key, seenAt);
        known.set(key, new Date(seenAt));
      }
      return known;
    })
    .immediate();
}
