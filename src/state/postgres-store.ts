import { Pool, type PoolClient } from 'pg';
import { migratePostgres } from './migrations';
import {
  ALERT_STATE_COLUMNS,
  OUTBOX_COLUMNS,
  alertStateValues,
  outboxValues,
  toAlertState,
  toOutboxRecord,
  uniqueKeys,
  withoutNul,
  type AlertStateRow,
  type OutboxRow,
} from './rows';
import type { AlertState, OutboxRecord, StateStore } from './types';

const POOL_SIZE = 4;
const asIs = (json: unknown) => json;

/** Due pending messages ($1 = now), of the channels in $2 only unless it is NULL. */
const DUE = `status = 'pending' AND next_attempt_at <= $1 AND ($2::text[] IS NULL OR channel = ANY($2::text[]))`;

/** The shared state store: tables prefixed `guardrail_` in the database the URL names. */
export class PostgresStateStore implements StateStore {
  private readonly pool: Pool;

  constructor(url: string) {
    this.pool = new Pool({ connectionString: url, max: POOL_SIZE });
    // An idle client losing its connection emits 'error' on the pool; unhandled, that would end the process.
    this.pool.on('error', () => undefined);
  }

  async migrate(): Promise<void> {
    await migratePostgres(this.pool);
  }

  async close(): Promise<void> {
    await this.pool.end();
  }

  async alertStates(checkId: string): Promise<AlertState[]> {
    const { rows } = await this.pool.query<AlertStateRow>(
      'SELECT * FROM guardrail_alert_state WHERE check_id = $1 ORDER BY key',
      [checkId],
    );
    return rows.map((row) => toAlertState(row, asIs));
  }

  async commitAlerts(states: AlertState[], outbox: OutboxRecord[]): Promise<void> {
    await this.transaction(async (client) => {
      for (const state of states) {
        await client.query(
          `INSERT INTO guardrail_alert_state (${ALERT_STATE_COLUMNS})
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9::jsonb)
           ON CONFLICT (check_id, key) DO UPDATE SET status = excluded.status, severity = excluded.severity,
             first_firing_at = excluded.first_firing_at, last_seen_at = excluded.last_seen_at,
             last_notified_at = excluded.last_notified_at, resolved_at = excluded.resolved_at,
             finding = excluded.finding`,
          alertStateValues(state),
        );
      }
      for (const record of outbox) {
        await client.query(
          `INSERT INTO guardrail_outbox (${OUTBOX_COLUMNS})
           VALUES ($1, $2, $3, $4, $5::jsonb, $6, $7, $8, $9, $10) ON CONFLICT (id) DO NOTHING`,
          outboxValues(record),
        );
      }
    });
  }

  async pendingOutbox(now: Date, limit: number, channels?: readonly string[]): Promise<OutboxRecord[]> {
    const { rows } = await this.pool.query<OutboxRow>(
      `SELECT * FROM guardrail_outbox WHERE ${DUE} ORDER BY created_at, id LIMIT $3`,
      [now, channels ?? null, limit],
    );
    return rows.map((row) => toOutboxRecord(row, asIs));
  }

  async claimOutbox(
    now: Date,
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
         UPDATE guardrail_outbox o SET next_attempt_at = $4 FROM due WHERE o.id = due.id RETURNING o.*
       )
       SELECT * FROM claimed ORDER BY created_at, id`,
      [now, channels ?? null, limit, new Date(now.getTime() + claimMs)],
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
        "DELETE FROM guardrail_alert_state WHERE status = 'resolved' AND resolved_at < $1",
        [before],
      );
      return (outbox.rowCount ?? 0) + (states.rowCount ?? 0);
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

  private async changed(sql: string, values: unknown[]): Promise<boolean> {
    const result = await this.pool.query(sql, values);
    return (result.rowCount ?? 0) > 0;
  }

  private async transaction<T>(work: (client: PoolClient) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      const result = await work(client);
      await client.query('COMMIT');
      return result;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }
}
