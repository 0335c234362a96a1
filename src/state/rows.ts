import type { Finding } from '../core/types';
import type { Severity } from '../core/severity';
import type {
  AlertState,
  CleanupPlanRecord,
  CleanupRecord,
  OutboxRecord,
  OutboxStatus,
  PreviousAlertState,
  SilenceNote,
} from './types';

/** A timestamp as a driver returns it: ISO text from SQLite, a Date from `pg`. */
type Timestamp = string | Date;

export interface AlertStateRow {
  check_id: string;
  key: string;
  status: AlertState['status'];
  severity: Severity;
  first_firing_at: Timestamp;
  last_seen_at: Timestamp;
  last_notified_at: Timestamp | null;
  resolved_at: Timestamp | null;
  finding: unknown;
  pending_runs: number;
  silence: unknown;
}

export interface OutboxRow {
  id: string;
  channel: string;
  check_id: string;
  created_at: Timestamp;
  payload: unknown;
  status: OutboxStatus;
  attempts: number;
  next_attempt_at: Timestamp;
  last_error: string | null;
  sent_at: Timestamp | null;
  /** Absent on rows read before migration 9. */
  claimed_until?: Timestamp | null;
}

/** Canonical ISO form, so both engines return the same text and SQLite can compare timestamps as strings. */
export function iso(value: Timestamp): string {
  // Text already in that form (every timestamp SQLite gives back, and a state's own on its way back in) is kept:
  // a run reading and writing 1,360 alert states made about 8,000 Dates for nothing.
  return typeof value === 'string' && CANONICAL.test(value) ? value : new Date(value).toISOString();
}
const CANONICAL = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])T([01]\d|2[0-3]):[0-5]\d:[0-5]\d\.\d{3}Z$/;

function optional<T, R>(value: T | null, map: (value: T) => R): R | undefined {
  return value === null ? undefined : map(value);
}

/** `decode` turns the JSON column into a value: JSON.parse for SQLite text, identity for PostgreSQL jsonb. */
export function toAlertState(row: AlertStateRow, decode: (json: unknown) => unknown): AlertState {
  return { ...toPreviousAlertState(row, decode), finding: decode(row.finding) as Finding };
}

/** A state read for a run: the finding column may be NULL (left out by the query, see PreviousAlertState). */
export function toPreviousAlertState(
  row: AlertStateRow,
  decode: (json: unknown) => unknown,
): PreviousAlertState {
  const state: PreviousAlertState = {
    checkId: row.check_id,
    key: row.key,
    status: row.status,
    severity: row.severity,
    firstFiringAt: iso(row.first_firing_at),
    lastSeenAt: iso(row.last_seen_at),
  };
  if (row.finding !== null && row.finding !== undefined) state.finding = decode(row.finding) as Finding;
  const lastNotifiedAt = optional(row.last_notified_at, iso);
  const resolvedAt = optional(row.resolved_at, iso);
  if (lastNotifiedAt !== undefined) state.lastNotifiedAt = lastNotifiedAt;
  if (resolvedAt !== undefined) state.resolvedAt = resolvedAt;
  if (row.status === 'pending') state.pendingRuns = Number(row.pending_runs);
  if (row.silence !== null && row.silence !== undefined) state.silence = decode(row.silence) as SilenceNote;
  return state;
}

export function toOutboxRecord(row: OutboxRow, decode: (json: unknown) => unknown): OutboxRecord {
  const record: OutboxRecord = {
    id: row.id,
    channel: row.channel,
    checkId: row.check_id,
    createdAt: iso(row.created_at),
    payload: decode(row.payload),
    status: row.status,
    attempts: Number(row.attempts),
    nextAttemptAt: iso(row.next_attempt_at),
  };
  if (row.last_error !== null) record.lastError = row.last_error;
  const sentAt = optional(row.sent_at, iso);
  if (sentAt !== undefined) record.sentAt = sentAt;
  const claimedUntil = optional(row.claimed_until ?? null, iso);
  if (claimedUntil !== undefined) record.claimedUntil = claimedUntil;
  return record;
}

/** Column order of `alertStateValues`; inserts name their columns so later migrations may add more. */
export const ALERT_STATE_COLUMNS = `check_id, key, status, severity, first_firing_at, last_seen_at,
  last_notified_at, resolved_at, finding, lifecycle, pending_runs, silence`;

/** The SET clause of an alert state upsert: every column but the key. */
export const ALERT_STATE_UPDATE = `status = excluded.status, severity = excluded.severity,
  first_firing_at = excluded.first_firing_at, last_seen_at = excluded.last_seen_at,
  last_notified_at = excluded.last_notified_at, resolved_at = excluded.resolved_at,
  finding = excluded.finding, lifecycle = excluded.lifecycle, pending_runs = excluded.pending_runs,
  silence = excluded.silence`;

/**
 * The condition, on a row of guardrail_outbox, that no older message of the same check and channel is pending, for
 * claims: messages of one thread leave in the order they were made. Else a resolved notice made while the firing
 * one waits out its backoff goes first, and the Chat thread ends on FIRING. The same SQL on both engines.
 */
export const NO_OLDER_PENDING = `NOT EXISTS (SELECT 1 FROM guardrail_outbox AS older
    WHERE older.status = 'pending' AND older.channel = guardrail_outbox.channel
      AND older.check_id = guardrail_outbox.check_id
      AND (older.created_at < guardrail_outbox.created_at
        OR (older.created_at = guardrail_outbox.created_at AND older.id < guardrail_outbox.id)))`;

export const OUTBOX_COLUMNS =
  'id, channel, check_id, created_at, payload, status, attempts, next_attempt_at, last_error, sent_at';

/** Column values for an alert state, timestamps in canonical ISO form and the finding as JSON text. */
export function alertStateValues(state: AlertState): (string | number | null)[] {
  return [
    state.checkId,
    state.key,
    state.status,
    state.severity,
    iso(state.firstFiringAt),
    iso(state.lastSeenAt),
    state.lastNotifiedAt === undefined ? null : iso(state.lastNotifiedAt),
    state.resolvedAt === undefined ? null : iso(state.resolvedAt),
    toJson(state.finding),
    state.finding.lifecycle ?? 'condition',
    state.pendingRuns ?? 0,
    state.silence === undefined ? null : toJson(state.silence),
  ];
}

export function outboxValues(record: OutboxRecord): (string | number | null)[] {
  return [
    record.id,
    record.channel,
    record.checkId,
    iso(record.createdAt),
    toJson(record.payload),
    record.status,
    record.attempts,
    iso(record.nextAttemptAt),
    record.lastError === undefined ? null : withoutNul(record.lastError),
    record.sentAt === undefined ? null : iso(record.sentAt),
  ];
}

/** PostgreSQL rejects U+0000 in text and jsonb: one in a finding would fail the whole commit. */
export function withoutNul(text: string): string {
  return text.includes('\u0000') ? text.replaceAll('\u0000', '') : text;
}

/** Removes U+0000 from every string of a value, object keys included, as JSON.stringify walks it. */
function nulFree(_key: string, value: unknown): unknown {
  if (typeof value === 'string') return withoutNul(value);
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return value;
  const keys = Object.keys(value);
  if (!keys.some((key) => key.includes('\u0000'))) return value;
  return Object.fromEntries(keys.map((key) => [withoutNul(key), (value as Record<string, unknown>)[key]]));
}

/**
 * JSON text for a JSON column, the same for both engines. JSON.stringify writes U+0000 as the escape \u0000, so
 * text without that escape needs no replacer (a replacer makes V8 leave its fast serializer: a run writing 1,360
 * alert states spent 12 ms in it); text with it, from a NUL or a literal backslash-u0000, takes the replacer.
 */
export function toJson(value: unknown): string {
  const text: string | undefined = JSON.stringify(value);
  return text?.includes('\\u0000') ? JSON.stringify(value, nulFree) : text!;
}

export function uniqueKeys(keys: string[]): string[] {
  return [...new Set(keys)];
}

export interface CleanupRow {
  plan_id: string;
  check_id: string;
  resource_id: string;
  action: string;
  outcome: CleanupRecord['outcome'];
  detail: string;
  monthly_saving_usd: number;
  applied_at: Timestamp;
}

export interface CleanupPlanRow {
  plan_id: string;
  check_id: string;
  digest: string;
  created_at: Timestamp;
  expires_at: Timestamp;
}

export function cleanupPlanRecord(row: CleanupPlanRow): CleanupPlanRecord {
  return {
    planId: row.plan_id,
    checkId: row.check_id,
    digest: row.digest,
    createdAt: new Date(row.created_at),
    expiresAt: new Date(row.expires_at),
  };
}

export function cleanupRecord(row: CleanupRow): CleanupRecord {
  return {
    planId: row.plan_id,
    checkId: row.check_id,
    resourceId: row.resource_id,
    action: row.action,
    outcome: row.outcome,
    detail: row.detail,
    monthlySavingUsd: Number(row.monthly_saving_usd),
    appliedAt: iso(row.applied_at),
  };
}
