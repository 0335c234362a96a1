import { asIs, changed, type Queryable } from './postgres-db';
import { SILENCE_COLUMNS, silenceValues, toStoredSilence, type SilenceRow } from './silence-rows';
import type { StoredSilence } from './types';

export async function insertSilence(db: Queryable, silence: StoredSilence): Promise<void> {
  await db.query(
    `INSERT INTO guardrail_silence (${SILENCE_COLUMNS}) VALUES ($1, $2, $3, $4::jsonb, $5, $6, $7, $8)`,
    silenceValues(silence),
  );
}

export async function readActiveSilences(db: Queryable, now: Date): Promise<StoredSilence[]> {
  const { rows } = await db.query<SilenceRow>(
    'SELECT * FROM guardrail_silence WHERE ends_at > $1 ORDER BY ends_at, id',
    [now],
  );
  return rows.map((row) => toStoredSilence(row, asIs));
}

export async function readAllSilences(db: Queryable): Promise<StoredSilence[]> {
  const { rows } = await db.query<SilenceRow>('SELECT * FROM guardrail_silence ORDER BY created_at DESC, id');
  return rows.map((row) => toStoredSilence(row, asIs));
}

export async function endSilence(db: Queryable, id: string, now: Date): Promise<boolean> {
  return changed(
    db,
    'UPDATE guardrail_silence SET ends_at = $1, expired_at = $1 WHERE id = $2 AND ends_at > $1',
    [now, id],
  );
}
