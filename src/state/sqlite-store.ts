import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import BetterSqlite3, { type Database } from 'better-sqlite3';
import { migrateSqlite } from './migrations';
import {
  ALERT_STATE_COLUMNS,
  ALERT_STATE_UPDATE,
  OUTBOX_COLUMNS,
  alertStateValues,
  cleanupRecord,
  iso,
  outboxValues,
  toAlertState,
  toOutboxRecord,
  toPreviousAlertState,
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

const BUSY_TIMEOUT_MS = 10_000;
const decode = (json: unknown) => JSON.parse(json as string) as unknown;

/** Due pending messages, of the listed channels only unless the list is NULL: parameters of `dueParams`. */
const DUE = `status = 'pending' AND next_attempt_at <= ?
  AND (? IS NULL OR channel IN (SELECT value FROM json_each(?)))`;
const SELECT_DUE = `SELECT * FROM guardrail_outbox WHERE ${DUE} ORDER BY created_at, id LIMIT ?`;
function dueParams(now: Date, channels?: readonly string[]): (string | null)[] {
  const list = channels ? JSON.stringify(channels) : null;
  return [iso(now), list, list];
}
/** The store is local: its clock is this process's. */
const timeOf = (now: StoreTime) => (now === STORE_CLOCK ? new Date() : now);

const ALL_STATES = 'SELECT * FROM guardrail_alert_state WHERE check_id = ? ORDER BY key';
/** The firing and pending conditions and the states of the keys in the JSON array `?`. */
/** A run's previous states (see PreviousAlertState): a condition of the run's keys without its finding. */
const RUN_STATES = `SELECT check_id, key, status, severity, first_firing_at, last_seen_at, last_notified_at,
    resolved_at, pending_runs, silence, lifecycle,
    CASE WHEN lifecycle = 'condition' AND key IN (SELECT value FROM json_each(@keys)) THEN NULL ELSE finding END
      AS finding
  FROM guardrail_alert_state WHERE check_id = @checkId
  AND ((lifecycle = 'condition' AND status IN ('firing', 'pending')) OR key IN (SELECT value FROM json_each(@keys)))
  ORDER BY key`;

/** The embedded state store: one SQLite file in WAL mode, or `:memory:`. */
export class SqliteStateStore implements StateStore {
  private readonly db: Database;

  constructor(file: string) {
    if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
    this.db = new BetterSqlite3(file);
    this.db.pragma('journal_mode = WAL');
    // FULL syncs the WAL on every commit: an enqueued message survives a power loss, not only a crash.
    this.db.pragma('synchronous = FULL');
    this.db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
  }

  async migrate(): Promise<void> {
    migrateSqlite(this.db);
  }

  async close(): Promise<void> {
    this.db.close();
  }

  async ping(): Promise<void> {
    this.db.prepare('SELECT 1').get();
  }

  async alertStates(checkId: string): Promise<AlertState[]>;
  async alertStates(checkId: string, keys: readonly string[]): Promise<PreviousAlertState[]>;
  async alertStates(checkId: string, keys?: readonly string[]): Promise<PreviousAlertState[]> {
    return keys ? this.previousAlertStates(checkId, keys) : this.allAlertStates(checkId);
  }

  async commitAlerts(states: AlertState[], outbox: OutboxRecord[]): Promise<void> {
    this.db.transaction(() => this.writeAlerts({ states, outbox })).immediate();
  }

  async updateAlerts(
    checkId: string,
    keys: readonly string[],
    decide: (previous: PreviousAlertState[]) => AlertDecision,
  ): Promise<void> {
    // IMMEDIATE takes the write lock before the read: another connection decides only after this one committed.
    this.db.transaction(() => this.writeAlerts(decide(this.previousAlertStates(checkId, keys)))).immediate();
  }

  async pendingOutbox(now: StoreTime, limit: number, channels?: readonly string[]): Promise<OutboxRecord[]> {
    const rows = this.db.prepare(SELECT_DUE).all(...dueParams(timeOf(now), channels), limit) as OutboxRow[];
    return rows.map((row) => toOutboxRecord(row, decode));
  }

  async claimOutbox(
    at: StoreTime,
    limit: number,
    claimMs: number,
    channels?: readonly string[],
  ): Promise<OutboxRecord[]> {
    const now = timeOf(at);
    const select = this.db.prepare(SELECT_DUE);
    const claim = this.db.prepare(
      "UPDATE guardrail_outbox SET next_attempt_at = ? WHERE id = ? AND status = 'pending'",
    );
    const until = iso(new Date(now.getTime() + claimMs));
    // IMMEDIATE takes the write lock before the select: another process claims only after this one committed.
    const rows = this.db
      .transaction(() => {
        const due = select.all(...dueParams(now, channels), limit) as OutboxRow[];
        for (const row of due) claim.run(until, row.id);
        return due.map((row) => ({ ...row, next_attempt_at: until }));
      })
      .immediate();
    return rows.map((row) => toOutboxRecord(row, decode));
  }

  async countPending(): Promise<number> {
    const row = this.db
      .prepare("SELECT COUNT(*) AS n FROM guardrail_outbox WHERE status = 'pending'")
      .get() as {
      n: number;
    };
    return row.n;
  }

  async prune(before: Date): Promise<number> {
    const at = iso(before);
    return this.db
      .transaction(() => {
        const outbox = this.db
          .prepare("DELETE FROM guardrail_outbox WHERE status IN ('sent', 'dropped') AND created_at < ?")
          .run(at).changes;
        const states = this.db
          .prepare(
            `DELETE FROM guardrail_alert_state
             WHERE (status = 'resolved' AND resolved_at < ?)
               OR ((lifecycle = 'event' OR status = 'pending') AND last_seen_at < ?)`,
          )
          .run(at, at).changes;
        // Tick leases are never released (they name one tick); once expired they hold nothing.
        const leases = this.db
          .prepare('DELETE FROM guardrail_lease WHERE expires_at < ?')
          .run(iso(new Date())).changes;
        const silences = this.db.prepare('DELETE FROM guardrail_silence WHERE ends_at < ?').run(at).changes;
        return outbox + states + leases + silences;
      })
      .immediate();
  }

  async markSent(id: string, at: Date): Promise<boolean> {
    return this.changed(
      "UPDATE guardrail_outbox SET status = 'sent', sent_at = ? WHERE id = ? AND status = 'pending'",
      iso(at),
      id,
    );
  }

  async markFailed(id: string, error: string, nextAttemptAt: Date): Promise<boolean> {
    return this.changed(
      `UPDATE guardrail_outbox SET attempts = attempts + 1, last_error = ?, next_attempt_at = ?
       WHERE id = ? AND status = 'pending'`,
      withoutNul(error),
      iso(nextAttemptAt),
      id,
    );
  }

  async markDropped(id: string, error: string): Promise<boolean> {
    return this.changed(
      "UPDATE guardrail_outbox SET status = 'dropped', last_error = ? WHERE id = ? AND status = 'pending'",
      withoutNul(error),
      id,
    );
  }

  async recordCleanup(r: CleanupRecord): Promise<void> {
    this.db
      .prepare(
        `INSERT INTO guardrail_cleanup_result
           (plan_id, check_id, resource_id, action, outcome, detail, monthly_saving_usd, applied_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (plan_id, resource_id) DO UPDATE SET action = excluded.action, outcome = excluded.outcome,
           detail = excluded.detail, monthly_saving_usd = excluded.monthly_saving_usd, applied_at = excluded.applied_at`,
      )
      .run(r.planId, r.checkId, r.resourceId, r.action, r.outcome, r.detail, r.monthlySavingUsd, r.appliedAt);
  }

  async cleanupSavings(): Promise<{ checkId: string; action: string; monthlySavingUsd: number }[]> {
    const rows = this.db
      .prepare(
        `SELECT check_id, action, SUM(monthly_saving_usd) AS usd FROM guardrail_cleanup_result WHERE outcome = 'done' GROUP BY check_id, action ORDER BY check_id, action`,
      )
      .all() as { check_id: string; action: string; usd: number }[];
    return rows.map((r) => ({ checkId: r.check_id, action: r.action, monthlySavingUsd: Number(r.usd) }));
  }

  async cleanupRecords(planId: string): Promise<CleanupRecord[]> {
    const rows = this.db
      .prepare('SELECT * FROM guardrail_cleanup_result WHERE plan_id = ? ORDER BY resource_id')
      .all(planId) as CleanupRow[];
    return rows.map(cleanupRecord);
  }

  async getWatermark(checkId: string, name: string): Promise<string | undefined> {
    const row = this.db
      .prepare('SELECT value FROM guardrail_watermark WHERE check_id = ? AND name = ?')
      .get(checkId, name) as { value: string } | undefined;
    return row?.value;
  }

  async setWatermark(checkId: string, name: string, value: string): Promise<void> {
    this.db
      .prepare(
        `INSERT INTO guardrail_watermark (check_id, name, value) VALUES (?, ?, ?)
         ON CONFLICT (check_id, name) DO UPDATE SET value = excluded.value`,
      )
      .run(checkId, name, value);
  }

  async observe(checkId: string, scope: string, keys: string[], now: Date): Promise<Map<string, Date>> {
    const wanted = uniqueKeys(keys);
    const insert = this.db.prepare(
      `INSERT INTO guardrail_first_seen (check_id, scope, key, first_seen_at) VALUES (?, ?, ?, ?)
       ON CONFLICT (check_id, scope, key) DO NOTHING`,
    );
    const forget = this.db.prepare(
      'DELETE FROM guardrail_first_seen WHERE check_id = ? AND scope = ? AND key = ?',
    );
    const all = this.db.prepare(
      'SELECT key, first_seen_at FROM guardrail_first_seen WHERE check_id = ? AND scope = ?',
    );
    const seenAt = iso(now);
    // Steady state touches no rows: only keys that appeared or vanished since the last sweep are written.
    return this.db
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

  async acquireLease(name: string, holder: string, ttlMs: number): Promise<boolean> {
    const now = Date.now();
    return this.changed(
      `INSERT INTO guardrail_lease (name, holder, expires_at) VALUES (?, ?, ?)
       ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at
       WHERE guardrail_lease.expires_at < ? OR guardrail_lease.holder = excluded.holder`,
      name,
      holder,
      iso(new Date(now + ttlMs)),
      iso(new Date(now)),
    );
  }

  async releaseLease(name: string, holder: string): Promise<void> {
    this.changed('DELETE FROM guardrail_lease WHERE name = ? AND holder = ?', name, holder);
  }

  async listAlertStates(checkId?: string): Promise<AlertState[]> {
    const rows = (
      checkId === undefined
        ? this.db.prepare('SELECT * FROM guardrail_alert_state ORDER BY check_id, key').all()
        : this.db.prepare(ALL_STATES).all(checkId)
    ) as AlertStateRow[];
    return rows.map((row) => toAlertState(row, decode));
  }

  async addSilence(silence: StoredSilence): Promise<void> {
    this.db
      .prepare(`INSERT INTO guardrail_silence (${SILENCE_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`)
      .run(silenceValues(silence));
  }

  async activeSilences(now: Date): Promise<StoredSilence[]> {
    const rows = this.db
      .prepare('SELECT * FROM guardrail_silence WHERE ends_at > ? ORDER BY ends_at, id')
      .all(iso(now)) as SilenceRow[];
    return rows.map((row) => toStoredSilence(row, decode));
  }

  async allSilences(): Promise<StoredSilence[]> {
    const rows = this.db
      .prepare('SELECT * FROM guardrail_silence ORDER BY created_at DESC, id')
      .all() as SilenceRow[];
    return rows.map((row) => toStoredSilence(row, decode));
  }

  async expireSilence(id: string, now: Date): Promise<boolean> {
    const at = iso(now);
    return this.changed(
      'UPDATE guardrail_silence SET ends_at = ?, expired_at = ? WHERE id = ? AND ends_at > ?',
      at,
      at,
      id,
      at,
    );
  }

  private allAlertStates(checkId: string): AlertState[] {
    const rows = this.db.prepare(ALL_STATES).all(checkId) as AlertStateRow[];
    return rows.map((row) => toAlertState(row, decode));
  }

  private previousAlertStates(checkId: string, keys: readonly string[]): PreviousAlertState[] {
    const rows = this.db.prepare(RUN_STATES).all({ checkId, keys: JSON.stringify(keys) }) as AlertStateRow[];
    return rows.map((row) => toPreviousAlertState(row, decode));
  }

  private writeAlerts({ states, outbox }: AlertDecision): void {
    const upsert = this.db.prepare(
      `INSERT INTO guardrail_alert_state (${ALERT_STATE_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (check_id, key) DO UPDATE SET ${ALERT_STATE_UPDATE}`,
    );
    const enqueue = this.db.prepare(
      `INSERT INTO guardrail_outbox (${OUTBOX_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING`,
    );
    for (const state of states) upsert.run(alertStateValues(state));
    for (const record of outbox) enqueue.run(outboxValues(record));
  }

  private changed(sql: string, ...values: (string | number)[]): boolean {
    return this.db.prepare(sql).run(...values).changes > 0;
  }
}
