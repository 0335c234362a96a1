import { asIs, changed, type Queryable } from './postgres-db';
import { NO_OLDER_PENDING, toOutboxRecord, withoutNul, type OutboxRow } from './rows';
import { STORE_CLOCK, type OutboxRecord, type StoreTime } from './types';

/** `$n` as a timestamp: the given time, or the database's clock (the statement's start) when it is NULL. */
const at = (n: number) => `coalesce($${n}::timestamptz, now())`;
const timeParam = (now: StoreTime) => (now === STORE_CLOCK ? null : now);

/** Due pending messages ($1 = now or NULL for the database's), of the channels in $2 only unless it is NULL. */
const DUE = `status = 'pending' AND next_attempt_at <= ${at(1)}
  AND ($2::text[] IS NULL OR channel = ANY($2::text[]))`;

export async function readDueOutbox(
  db: Queryable,
  now: StoreTime,
  limit: number,
  channels?: readonly string[],
): Promise<OutboxRecord[]> {
  const { rows } = await db.query<OutboxRow>(
    `SELECT * FROM guardrail_outbox WHERE ${DUE} ORDER BY created_at, id LIMIT $3`,
    [timeParam(now), channels ?? null, limit],
  );
  return rows.map((row) => toOutboxRecord(row, asIs));
}

export async function claimDueOutbox(
  db: Queryable,
  now: StoreTime,
  limit: number,
  claimMs: number,
  channels?: readonly string[],
): Promise<OutboxRecord[]> {
  // One statement: SKIP LOCKED passes over rows another deliverer is claiming right now, and a row it has
  // claimed meanwhile is re-checked after its lock is released (its new next_attempt_at is no longer due).
  const { rows } = await db.query<OutboxRow>(
    `WITH due AS (
       SELECT id FROM guardrail_outbox WHERE ${DUE} AND ${NO_OLDER_PENDING}
       ORDER BY created_at, id LIMIT $3 FOR UPDATE SKIP LOCKED
     ), claimed AS (
       UPDATE guardrail_outbox o SET next_attempt_at = ${at(1)} + $4::float8 * interval '1 millisecond',
         claimed_until = ${at(1)} + $4::float8 * interval '1 millisecond'
       FROM due WHERE o.id = due.id RETURNING o.*
     )
     SELECT * FROM claimed ORDER BY created_at, id`,
    [timeParam(now), channels ?? null, limit, claimMs],
  );
  return rows.map((row) => toOutboxRecord(row, asIs));
}

export async function countPendingOutbox(db: Queryable): Promise<number> {
  const { rows } = await db.query<{ n: string }>(
    "SELECT COUNT(*) AS n FROM guardrail_outbox WHERE status = 'pending'",
  );
  return Number(rows[0]?.n ?? 0);
}

/** Pending and dropped messages, of one check unless it is undefined, oldest first. */
export async function readUndeliveredOutbox(db: Queryable, checkId?: string): Promise<OutboxRecord[]> {
  const { rows } = await db.query<OutboxRow>(
    `SELECT * FROM guardrail_outbox WHERE status IN ('pending', 'dropped') AND ($1::text IS NULL OR check_id = $1)
     ORDER BY created_at, id`,
    [checkId ?? null],
  );
  return rows.map((row) => toOutboxRecord(row, asIs));
}

export async function markOutboxSent(db: Queryable, id: string, at: Date): Promise<boolean> {
  return changed(
    db,
    "UPDATE guardrail_outbox SET status = 'sent', sent_at = $1, claimed_until = NULL WHERE id = $2 AND status = 'pending'",
    [at, id],
  );
}

export async function markOutboxFailed(
  db: Queryable,
  id: string,
  error: string,
  nextAttemptAt: Date,
): Promise<boolean> {
  return changed(
    db,
    `UPDATE guardrail_outbox SET attempts = attempts + 1, last_error = $1, next_attempt_at = $2, claimed_until = NULL
     WHERE id = $3 AND status = 'pending'`,
    [withoutNul(error), nextAttemptAt, id],
  );
}

export async function markOutboxDropped(db: Queryable, id: string, error: string): Promise<boolean> {
  return changed(
    db,
    "UPDATE guardrail_outbox SET status = 'dropped', last_error = $1, claimed_until = NULL WHERE id = $2 AND status = 'pending'",
    [withoutNul(error), id],
  );
}
