import type { Database } from 'better-sqlite3';
import { iso, NO_OLDER_PENDING, toOutboxRecord, withoutNul, type OutboxRow } from './rows';
import { changed, decode } from './sqlite-db';
import { STORE_CLOCK, type OutboxRecord, type StoreTime } from './types';

/** Due pending messages, of the listed channels only unless the list is NULL: parameters of `dueParams`. */
const DUE = `status = 'pending' AND next_attempt_at <= ?
  AND (? IS NULL OR channel IN (SELECT value FROM json_each(?)))`;
const SELECT_DUE = `SELECT * FROM guardrail_outbox WHERE ${DUE} ORDER BY created_at, id LIMIT ?`;
/** What a deliverer may take: due, and no older message of its thread still pending. */
const SELECT_CLAIMABLE = `SELECT * FROM guardrail_outbox WHERE ${DUE} AND ${NO_OLDER_PENDING}
  ORDER BY created_at, id LIMIT ?`;
function dueParams(now: Date, channels?: readonly string[]): (string | null)[] {
  const list = channels ? JSON.stringify(channels) : null;
  return [iso(now), list, list];
}
/** The store is local: its clock is this process's. */
const timeOf = (now: StoreTime) => (now === STORE_CLOCK ? new Date() : now);

export function readDueOutbox(
  db: Database,
  now: StoreTime,
  limit: number,
  channels?: readonly string[],
): OutboxRecord[] {
  const rows = db.prepare(SELECT_DUE).all(...dueParams(timeOf(now), channels), limit) as OutboxRow[];
  return rows.map((row) => toOutboxRecord(row, decode));
}

export function claimDueOutbox(
  db: Database,
  at: StoreTime,
  limit: number,
  claimMs: number,
  channels?: readonly string[],
): OutboxRecord[] {
  const now = timeOf(at);
  const select = db.prepare(SELECT_CLAIMABLE);
  const claim = db.prepare(
    "UPDATE guardrail_outbox SET next_attempt_at = ?, claimed_until = ? WHERE id = ? AND status = 'pending'",
  );
  const until = iso(new Date(now.getTime() + claimMs));
  // IMMEDIATE takes the write lock before the select: another process claims only after this one committed.
  const rows = db
    .transaction(() => {
      const due = select.all(...dueParams(now, channels), limit) as OutboxRow[];
      for (const row of due) claim.run(until, until, row.id);
      return due.map((row) => ({ ...row, next_attempt_at: until, claimed_until: until }));
    })
    .immediate();
  return rows.map((row) => toOutboxRecord(row, decode));
}

export function countPendingOutbox(db: Database): number {
  const row = db.prepare("SELECT COUNT(*) AS n FROM guardrail_outbox WHERE status = 'pending'").get() as {
    n: number;
  };
  return row.n;
}

/** Pending and dropped messages, of one check unless it is undefined, oldest first. */
export function readUndeliveredOutbox(db: Database, checkId?: string): OutboxRecord[] {
  const rows = db
    .prepare(
      `SELECT * FROM guardrail_outbox WHERE status IN ('pending', 'dropped') AND (? IS NULL OR check_id = ?)
       ORDER BY created_at, id`,
    )
    .all(checkId ?? null, checkId ?? null) as OutboxRow[];
  return rows.map((row) => toOutboxRecord(row, decode));
}

export function markOutboxSent(db: Database, id: string, at: Date): boolean {
  return changed(
    db,
    "UPDATE guardrail_outbox SET status = 'sent', sent_at = ?, claimed_until = NULL WHERE id = ? AND status = 'pending'",
    iso(at),
    id,
  );
}

export function markOutboxFailed(db: Database, id: string, error: string, nextAttemptAt: Date): boolean {
  return changed(
    db,
    `UPDATE guardrail_outbox SET attempts = attempts + 1, last_error = ?, next_attempt_at = ?, claimed_until = NULL
     WHERE id = ? AND status = 'pending'`,
    withoutNul(error),
    iso(nextAttemptAt),
    id,
  );
}

export function markOutboxDropped(db: Database, id: string, error: string): boolean {
  return changed(
    db,
    "UPDATE guardrail_outbox SET status = 'dropped', last_error = ?, claimed_until = NULL WHERE id = ? AND status = 'pending'",
    withoutNul(error),
    id,
  );
}
