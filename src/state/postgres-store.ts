import { Pool } from 'pg';
import { settledWithin } from '../core/limit';
import { migratePostgres } from './migrations';
import {
  ALERT_LOCK_SPACE,
  readAlertStates,
  readEveryAlertState,
  readPreviousAlertStates,
  writeAlerts,
} from './postgres-alerts';
import { observeKeys, readFirstSeen, readWatermark, writeWatermark } from './postgres-check-state';
import {
  readCleanupPlan,
  readCleanupRecords,
  readCleanupSavings,
  writeCleanupPlan,
  writeCleanupRecord,
} from './postgres-cleanup';
import { transaction } from './postgres-db';
import { giveUpLease, takeLease } from './postgres-leases';
import {
  claimDueOutbox,
  countPendingOutbox,
  markOutboxDropped,
  markOutboxFailed,
  markOutboxSent,
  readDueOutbox,
  readUndeliveredOutbox,
} from './postgres-outbox';
import { pruneBefore } from './postgres-prune';
import { endSilence, insertSilence, readActiveSilences, readAllSilences } from './postgres-silences';
import type {
  AlertDecision,
  AlertState,
  CleanupPlanRecord,
  CleanupRecord,
  OutboxRecord,
  PreviousAlertState,
  StateStore,
  StoreTime,
  StoredSilence,
} from './types';

const POOL_SIZE = 4;
/** Leases and pings: two, so that a ping does not wait behind a replica's lease polls. */
const CONTROL_POOL_SIZE = 2;
/** Every wait on the database is bounded: a server that stops answering fails the run, it does not hang it. */
export const PG_CONNECT_TIMEOUT_MS = 10_000;
/** Server side: the longest a statement may run, lock waits included. */
export const PG_STATEMENT_TIMEOUT_MS = 10_000;
/** Client side, for a server (or network) that does not answer at all; longer than the server's own limit. */
export const PG_QUERY_TIMEOUT_MS = 15_000;
/**
 * A process stuck inside a transaction gives up its locks (a check's alert lock) after this long: as long as serve's
 * run lease (RUN_LEASE_TTL_MS), so that the replica taking over a hung one's check finds it free too.
 */
export const PG_IDLE_IN_TRANSACTION_TIMEOUT_MS = 15_000;
/** `close()` stops waiting for connections to end after this long. */
export const PG_CLOSE_TIMEOUT_MS = 5_000;

/** The shared state store: tables prefixed `guardrail_` in the database the URL names. */
export class PostgresStateStore implements StateStore {
  private readonly pool: Pool;
  /**
   * Connections of its own for leases and pings, so that they never queue behind a run's statements: a run
   * lease renewed late stops its run, and a ping answered late reads as the store unreachable (serve's /readyz).
   */
  private readonly control: Pool;

  constructor(url: string) {
    const options = {
      connectionString: url,
      connectionTimeoutMillis: PG_CONNECT_TIMEOUT_MS,
      query_timeout: PG_QUERY_TIMEOUT_MS,
      statement_timeout: PG_STATEMENT_TIMEOUT_MS,
      idle_in_transaction_session_timeout: PG_IDLE_IN_TRANSACTION_TIMEOUT_MS,
    };
    this.pool = new Pool({ ...options, max: POOL_SIZE });
    this.control = new Pool({ ...options, max: CONTROL_POOL_SIZE });
    // An idle client losing its connection emits 'error' on the pool; unhandled, that would end the process.
    for (const pool of [this.pool, this.control]) pool.on('error', () => undefined);
  }

  async migrate(): Promise<void> {
    await migratePostgres(this.pool);
  }

  async close(): Promise<void> {
    // A server that stopped answering never acknowledges the end: the process must not wait for it.
    await settledWithin(Promise.all([this.pool.end(), this.control.end()]), PG_CLOSE_TIMEOUT_MS);
  }

  async ping(): Promise<void> {
    await this.control.query('SELECT 1');
  }

  async alertStates(checkId: string): Promise<AlertState[]>;
  async alertStates(checkId: string, keys: readonly string[]): Promise<PreviousAlertState[]>;
  async alertStates(checkId: string, keys?: readonly string[]): Promise<PreviousAlertState[]> {
    return keys ? readPreviousAlertStates(this.pool, checkId, keys) : readAlertStates(this.pool, checkId);
  }

  async commitAlerts(states: AlertState[], outbox: OutboxRecord[]): Promise<void> {
    await transaction(this.pool, (client) => writeAlerts(client, { states, outbox }));
  }

  async updateAlerts(
    checkId: string,
    keys: readonly string[],
    decide: (previous: PreviousAlertState[]) => AlertDecision,
  ): Promise<void> {
    await transaction(this.pool, async (client) => {
      // Held until COMMIT; taken even when the check has no row yet (a new finding has nothing to lock).
      await client.query('SELECT pg_advisory_xact_lock($1::int, hashtext($2))', [ALERT_LOCK_SPACE, checkId]);
      await writeAlerts(client, decide(await readPreviousAlertStates(client, checkId, keys)));
    });
  }

  async pendingOutbox(now: StoreTime, limit: number, channels?: readonly string[]): Promise<OutboxRecord[]> {
    return readDueOutbox(this.pool, now, limit, channels);
  }

  async claimOutbox(
    now: StoreTime,
    limit: number,
    claimMs: number,
    channels?: readonly string[],
  ): Promise<OutboxRecord[]> {
    return claimDueOutbox(this.pool, now, limit, claimMs, channels);
  }

  async prune(before: Date): Promise<number> {
    return pruneBefore(this.pool, before);
  }

  async countPending(): Promise<number> {
    return countPendingOutbox(this.pool);
  }

  async undeliveredOutbox(checkId?: string): Promise<OutboxRecord[]> {
    return readUndeliveredOutbox(this.pool, checkId);
  }

  async markSent(id: string, at: Date): Promise<boolean> {
    return markOutboxSent(this.pool, id, at);
  }

  async markFailed(id: string, error: string, nextAttemptAt: Date): Promise<boolean> {
    return markOutboxFailed(this.pool, id, error, nextAttemptAt);
  }

  async markDropped(id: string, error: string): Promise<boolean> {
    return markOutboxDropped(this.pool, id, error);
  }

  async recordCleanup(r: CleanupRecord): Promise<void> {
    await writeCleanupRecord(this.pool, r);
  }

  async recordCleanupPlan(p: CleanupPlanRecord): Promise<void> {
    await writeCleanupPlan(this.pool, p);
  }

  async cleanupPlan(planId: string): Promise<CleanupPlanRecord | undefined> {
    return readCleanupPlan(this.pool, planId);
  }

  async cleanupSavings(): Promise<{ checkId: string; action: string; monthlySavingUsd: number }[]> {
    return readCleanupSavings(this.pool);
  }

  async cleanupRecords(planId: string): Promise<CleanupRecord[]> {
    return readCleanupRecords(this.pool, planId);
  }

  async getWatermark(checkId: string, name: string): Promise<string | undefined> {
    return readWatermark(this.pool, checkId, name);
  }

  async setWatermark(checkId: string, name: string, value: string): Promise<void> {
    await writeWatermark(this.pool, checkId, name, value);
  }

  async observe(checkId: string, scope: string, keys: string[], now: Date): Promise<Map<string, Date>> {
    return observeKeys(this.pool, checkId, scope, keys, now);
  }

  async firstSeen(checkId: string, scope: string): Promise<Map<string, Date>> {
    return readFirstSeen(this.pool, checkId, scope);
  }

  async acquireLease(name: string, holder: string, ttlMs: number): Promise<boolean> {
    return takeLease(this.control, name, holder, ttlMs);
  }

  async releaseLease(name: string, holder: string): Promise<void> {
    await giveUpLease(this.control, name, holder);
  }

  async listAlertStates(checkId?: string): Promise<AlertState[]> {
    return checkId === undefined ? readEveryAlertState(this.pool) : readAlertStates(this.pool, checkId);
  }

  async addSilence(silence: StoredSilence): Promise<void> {
    await insertSilence(this.pool, silence);
  }

  async activeSilences(now: Date): Promise<StoredSilence[]> {
    return readActiveSilences(this.pool, now);
  }

  async allSilences(): Promise<StoredSilence[]> {
    return readAllSilences(this.pool);
  }

  async expireSilence(id: string, now: Date): Promise<boolean> {
    return endSilence(this.pool, id, now);
  }
}
