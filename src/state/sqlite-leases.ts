import type { Database } from 'better-sqlite3';
import { iso } from './rows';
import { changed } from './sqlite-db';

export function takeLease(db: Database, name: string, holder: string, ttlMs: number): boolean {
  const now = Date.now();
  return changed(
    db,
    `INSERT INTO guardrail_lease (name, holder, expires_at) VALUES (?, ?, ?)
     ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at
     WHERE guardrail_lease.expires_at < ? OR guardrail_lease.holder = excluded.holder`,
    name,
    holder,
    iso(new Date(now + ttlMs)),
    iso(new Date(now)),
  );
}

export function giveUpLease(db: Database, name: string, holder: string): void {
  changed(db, 'DELETE FROM guardrail_lease WHERE name = ? AND holder = ?', name, holder);
}
