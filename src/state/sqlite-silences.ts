import type { Database } from 'better-sqlite3';
import { iso } from './rows';
import { SILENCE_COLUMNS, silenceValues, toStoredSilence, type SilenceRow } from './silence-rows';
import { changed, decode } from './sqlite-db';
import type { StoredSilence } from './types';

export function insertSilence(db: Database, silence: StoredSilence): void {
  db.prepare(`INSERT INTO guardrail_silence (${SILENCE_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`).run(
    silenceValues(silence),
  );
}

export function readActiveSilences(db: Database, now: Date): StoredSilence[] {
  const rows = db
    .prepare('SELECT * FROM guardrail_silence WHERE ends_at > ? ORDER BY ends_at, id')
    .all(iso(now)) as SilenceRow[];
  return rows.map((row) => toStoredSilence(row, decode));
}

export function readAllSilences(db: Database): StoredSilence[] {
  const rows = db
    .prepare('SELECT * FROM guardrail_silence ORDER BY created_at DESC, id')
    .all() as SilenceRow[];
  return rows.map((row) => toStoredSilence(row, decode));
}

export function endSilence(db: Database, id: string, now: Date): boolean {
  const at = iso(now);
  return changed(
    db,
    'UPDATE guardrail_silence SET ends_at = ?, expired_at = ? WHERE id = ? AND ends_at > ?',
    at,
    at,
    id,
    at,
  );
}
