import { iso, toJson } from './rows';
import type { StoredSilence } from './types';

/** A timestamp as a driver returns it: ISO text from SQLite, a Date from `pg`. */
type Timestamp = string | Date;

export interface SilenceRow {
  id: string;
  check_id: string;
  key_glob: string | null;
  labels: unknown;
  ends_at: Timestamp;
  reason: string;
  created_by: string;
  created_at: Timestamp;
  expired_at: Timestamp | null;
}

/** Column order of `silenceValues`. */
export const SILENCE_COLUMNS = 'id, check_id, key_glob, labels, ends_at, reason, created_by, created_at';

export function silenceValues(s: StoredSilence): (string | null)[] {
  return [
    s.id,
    s.checkId,
    s.key ?? null,
    s.labels && Object.keys(s.labels).length ? toJson(s.labels) : null,
    iso(s.until),
    s.reason,
    s.createdBy,
    iso(s.createdAt),
  ];
}

/** `decode` turns the JSON column into a value: JSON.parse for SQLite text, identity for PostgreSQL jsonb. */
export function toStoredSilence(row: SilenceRow, decode: (json: unknown) => unknown): StoredSilence {
  const silence: StoredSilence = {
    id: row.id,
    checkId: row.check_id,
    until: iso(row.ends_at),
    reason: row.reason,
    createdBy: row.created_by,
    createdAt: iso(row.created_at),
  };
  if (row.key_glob !== null) silence.key = row.key_glob;
  if (row.labels !== null) silence.labels = decode(row.labels) as Record<string, string>;
  if (row.expired_at !== null) silence.expiredAt = iso(row.expired_at);
  return silence;
}
