import { Pool, type PoolClient } from 'pg';
import { settledWithin } from '../core/limit';
import { migratePostgres } from './migrations';
import { ALERT_LOCK_SPACE, readAlertStates, readPreviousAlertStates, writeAlerts } from './postgres-alerts';
import {
  cleanupRecord,
  toAlertState,
  toOutboxRecord,
  uniqueKeys,
  withoutNul,
  type AlertStateRow,
  type CleanupRow,
  type OutboxRow,
} from './rows';
import { SILENCE_COLUMNS, silenceValues, toStoredSilence, type SilenceRow } from './silence-rows';
import {
  STORE_CLOCK,
  type AlertDecision,
  type AlertState,
  type CleanupRecord,
  type OutboxRecord,
  type PreviousAlertState,
  type StateStore,
  type StoreTime,
  type StoredSilence,
} from './types';

const POOL_SIZE = 4;
/** Every wait on the database is bounded: a server that stops answering fails the run, it does not hang it. */
export const PG_CONNECT_TIMEOUT_MS = 10_000;
/** Server side: the longest a statement may run, lock waits included. */
export const PG_STATEMENT_TIMEOUT_MS = 10_000;
/** Client side, for a server (or network) that does not answer at all; longer than the server's own limit. */
export const PG_QUERY_TIMEOUT_MS = 15_000;
/** A process stuck inside a transaction gives up its locks (a check's alert lock) after this long. */
export const PG_IDLE_IN_TRANSACTION_TIMEOUT_MS = 30_000;
/** `close()` stops waiting for connections to end after this long. */
export const PG_CLOSE_TIMEOUT_MS = 5_000;
const asIs = (json: unknown) => json;

/** `$n` as a timestamp: the given time, or the database's clock (the statement's start) when it is NULL. */
const at = (n: number) => `coalesce($${n}::timestamptz, now())`;
const timeParam = (now: StoreTime) => (now === STORE_CLOCK ? null : now);

/** Due pending messages ($1 = now or NULL for the database's), of the channels in $2 only unless it is NULL. */
const DUE = `status = 'pending' AND next_attempt_at <= ${at(1)}
  AND ($2::text[] IS NULL OR channel = ANY($2::text[]))`;

/** The shared state store: tables prefixed `guardrail_` in the database the URL names. */
export class PostgresStateStore implements StateStore {
  private readonly pool: Pool;

  constructor(url: string) {
    this.pool = new Pool({
      connectionString: url,
      max: POOL_SIZE,
      connectionTimeoutMillis: PG_CONNECT_TIMEOUT_MS,
      query_timeout: PG_QUERY_TIMEOUT_MS,
      statement_timeout: PG_STATEMENT_TIMEOUT_MS,
      idle_in_transaction_session_timeout: PG_IDLE_IN_TRANSACTION_TIMEOUT_MS,
    });
    // An idle client losing its connection emits 'error' on the pool; unhandled, that would end the process.
    this.pool.on('error', () => undefined);
  }

  async migrate(): Promise<void> {
    await migratePostgres(this.pool);
  }

  async close(): Promise<void> {
    // A server that stopped answering never acknowledges the end: the process must not wait for it.
    await settledWithin(this.pool.end(), PG_CLOSE_TIMEOUT_MS);
  }

  async ping(): Promise<void> {
    await this.pool.query('SELECT 1');
  }

  async alertStates(checkId: string): Promise<AlertState[]>;
  async alertStates(checkId: string, keys: readonly string[]): Promise<PreviousAlertState[]>;
  async alertStates(checkId: string, keys?: readonly string[]): Promise<PreviousAlertState[]> {
    return keys ? readPreviousAlertStates(this.pool, checkId, keys) : readAlertStates(this.pool, checkId);
  }

  async commitAlerts(states: AlertState[], outbox: OutboxRecord[]): Promise<void> {
    await this.transaction((client) => writeAlerts(client, { states, outbox }));
  }

  async updateAlerts(
    checkId: string,
    keys: readonly string[],
    decide: (previous: PreviousAlertState[]) => AlertDecision,
  ): Promise<void> {
    await this.transaction(async (client) => {
      // Held until COMMIT; taken even when the check has no row yet (a new finding has nothing to lock).
      await client.query('SELECT pg_advisory_xact_lock($1::int, hashtext($2))', [ALERT_LOCK_SPACE, checkId]);
      await writeAlerts(client, decide(await readPreviousAlertStates(client, checkId, keys)));
    });
  }

  async pendingOutbox(now: StoreTime, limit: number, channels?: readonly string[]): Promise<OutboxRecord[]> {
    const { rows } = await this.pool.query<OutboxRow>(
      `SELECT * FROM guardrail_outbox WHERE ${DUE} ORDER BY created_at, id LIMIT $3`,
      [timeParam(now), channels ?? null, limit],
    );
    return rows.map((row) => toOutboxRecord(row, asIs));
  }

  async claimOutbox(
    now: StoreTime,
    limit: number,
    claimMs: number,
    channels?: readonly string[],
  ): Promise<OutboxRecord[]> {
    // One statement: SKIP LOCKED passes over rows another deliverer is claiming right now, and a row it has
    // claimed meanwhile is re-checked after its lock is released (its new next_attempt_at is no longer due).
    const { rows } = await this.pool.query<OutboxRow>(
      `WITH due AS (
         SELECT id FROM guardrail_outbox WHERE ${DUE}
         ORDER BY created_at, id LIMIT $3 FOR UPDATE SKIP LOCKED
       ), claimed AS (
         UPDATE guardrail_outbox o SET next_attempt_at = ${at(1)} + $4::float8 * interval '1 millisecond'
         FROM due WHERE o.id = due.id RETURNING o.*
       )
       SELECT * FROM claimed ORDER BY created_at, id`,
      [timeParam(now), channels ?? null, limit, claimMs],
    );
    return rows.map((row) => toOutboxRecord(row, asIs));
  }

  async prune(before: Date): Promise<number> {
    return this.transaction(async (client) => {
      const outbox = await client.query(
        "DELETE FROM guardrail_outbox WHERE status IN ('sent', 'dropped') AND created_at < $1",
        [before],
      );
      const states = await client.query(
        `DELETE FROM guardrail_alert_state
         WHERE (status = 'resolved' AND resolved_at < $1)
            OR ((lifecycle = 'event' OR status = 'pending') AND last_seen_at < $1)`,
        [before],
      );
      // Tick leases are never released (they name one tick); once expired they hold nothing.
      const leases = await client.query('DELETE FROM guardrail_lease WHERE expires_at < clock_timestamp()');
      const silences = await client.query('DELETE FROM guardrail_silence WHERE ends_at < $1', [before]);
      return (
        (outbox.rowCount ?? 0) + (states.rowCount ?? 0) + (leases.rowCount ?? 0) + (silences.rowCount ?? 0)
      );
    });
  }

  async countPending(): Promise<number> {
    const { rows } = await this.pool.query<{ n: string }>(
      "SELECT COUNT(*) AS n FROM guardrail_outbox WHERE status = 'pending'",
    );
    return Number(rows[0]?.n ?? 0);
  }

  async markSent(id: string, at: Date): Promise<boolean> {
    return this.changed(
      "UPDATE guardrail_outbox SET status = 'sent', sent_at = $1 WHERE id = $2 AND status = 'pending'",
      [at, id],
    );
  }

  async markFailed(id: string, error: string, nextAttemptAt: Date): Promise<boolean> {
    return this.changed(
      `UPDATE guardrail_outbox SET attempts = attempts + 1, last_error = $1, next_attempt_at = $2
       WHERE id = $3 AND status = 'pending'`,
      [withoutNul(error), nextAttemptAt, id],
    );
  }

  async markDropped(id: string, error: string): Promise<boolean> {
    return this.changed(
      "UPDATE guardrail_outbox SET status = 'dropped', last_error = $1 WHERE id = $2 AND status = 'pending'",
      [withoutNul(error), id],
    );
  }

  async recordCleanup(r: CleanupRecord): Promise<void> {
    await this.pool.query(
      `INSERT INTO guardrail_cleanup_result
         (plan_id, check_id, resource_id, action, outcome, detail, monthly_saving_usd, applied_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
       ON CONFLICT (plan_id, resource_id) DO UPDATE SET action = excluded.action, outcome = excluded.outcome,
         detail = excluded.detail, monthly_saving_usd = excluded.monthly_saving_usd, applied_at = excluded.applied_at`,
      [r.planId, r.checkId, r.resourceId, r.action, r.outcome, r.detail, r.monthlySavingUsd, r.appliedAt],
    );
  }

  async cleanupSavings(): Promise<{ checkId: string; action: string; monthlySavingUsd: number }[]> {
    const { rows } = await this.pool.query<{ check_id: string; action: string; usd: number }>(
      `SELECT check_id, action, SUM(monthly_saving_usd) AS usd FROM guardrail_cleanup_result WHERE outcome = 'done' GROUP BY check_id, action ORDER BY check_id, action`,
    );
    return rows.map((r) => ({ checkId: r.check_id, action: r.action, monthlySavingUsd: Number(r.usd) }));
  }

  async cleanupRecords(planId: string): Promise<CleanupRecord[]> {
    const { rows } = await this.pool.query<CleanupRow>(
      'SELECT * FROM guardrail_cleanup_result WHERE plan_id = $1 ORDER BY resource_id',
      [planId],
    );
    return rows.map(cleanupRecord);
  }

  async getWatermark(checkId: string, name: string): Promise<string | undefined> {
    const { rows } = await this.pool.query<{ value: string }>(
      'SELECT value FROM guardrail_watermark WHERE check_id = $1 AND name = $2',
      [checkId, name],
    );
    return rows[0]?.value;
  }

  async setWatermark(checkId: string, name: string, value: string): Promise<void> {
    await this.pool.query(
      `INSERT INTO guardrail_watermark (check_id, name, value) VALUES ($1, $2, $3)
       ON CONFLICT (check_id, name) DO UPDATE SET value = excluded.value`,
      [checkId, name, value],
    );
  }

  async observe(checkId: string, scope: string, keys: string[], now: Date): Promise<Map<string, Date>> {
    const wanted = uniqueKeys(keys);
    // Whole key list as one array parameter: three statements however many keys there are.
    const rows = await this.transaction(async (client) => {
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

  async acquireLease(name: string, holder: string, ttlMs: number): Promise<boolean> {
    // One statement on the database's clock: a concurrent taker waits on the row, then sees it held.
    return this.changed(
      `INSERT INTO guardrail_lease (name, holder, expires_at)
       VALUES ($1, $2, clock_timestamp() + $3::float8 * interval '1 millisecond')
       ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at
       WHERE guardrail_lease.expires_at < clock_timestamp() OR guardrail_lease.holder = $2
       RETURNING name`,
      [name, holder, ttlMs],
    );
  }

  async releaseLease(name: string, holder: string): Promise<void> {
    await this.pool.query('DELETE FROM guardrail_lease WHERE name = $1 AND holder = $2', [name, holder]);
  }

  async listAlertStates(checkId?: string): Promise<AlertState[]> {
    if (checkId !== undefined) return readAlertStates(this.pool, checkId);
    const { rows } = await this.pool.query<AlertStateRow>(
      'SELECT * FROM guardrail_alert_state ORDER BY check_id, key',
    );
    return rows.map((row) => toAlertState(row, asIs));
  }

  async addSilence(silence: StoredSilence): Promise<void> {
    await this.pool.query(
      `INSERT INTO guardrail_silence (${SILENCE_COLUMNS}) VALUES ($1, $2, $3, $4::jsonb, $5, $6, $7, $8)`,
      silenceValues(silence),
    );
  }

  async activeSilences(now: Date): Promise<StoredSilence[]> {
    const { rows } = await this.pool.query<SilenceRow>(
      'SELECT * FROM guardrail_silence WHERE ends_at > $1 ORDER BY ends_at, id',
      [now],
    );
    return rows.map((row) => toStoredSilence(row, asIs));
  }

  async allSilences(): Promise<StoredSilence[]> {
    const { rows } = await this.pool.query<SilenceRow>(
      'SELECT * FROM guardrail_silence ORDER BY created_at DESC, id',
    );
    return rows.map((row) => toStoredSilence(row, asIs));
  }

  async expireSilence(id: string, now: Date): Promise<boolean> {
    return this.changed(
      'UPDATE guardrail_silence SET ends_at = $1, expired_at = $1 WHERE id = $2 AND ends_at > $1',
      [now, id],
    );
  }

  private async changed(sql: string, values: unknown[]): Promise<boolean> {
    const result = await this.pool.query(sql, values);
    return (result.rowCount ?? 0) > 0;
  }

  private async transaction<T>(work: (client: PoolClient) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    let result: T;
    try {
      await client.query('BEGIN');
      result = await work(client);
      await client.query('COMMIT');
    } catch (error) {
      // Dropping the connection rolls back, and does not wait on a server that stopped answering.
      client.release(error instanceof Error ? error : true);
      throw error;
    }
    client.release();
    return result;
  }
}
