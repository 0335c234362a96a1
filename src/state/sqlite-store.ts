import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import BetterSqlite3, { type Database } from 'better-sqlite3';
import { migrateSqlite } from './migrations';
import { readAlertStates, readEveryAlertState, readPreviousAlertStates, writeAlerts } from './sqlite-alerts';
import { observeKeys, readFirstSeen, readWatermark, writeWatermark } from './sqlite-check-state';
import {
  readCleanupPlan,
  readCleanupRecords,
  readCleanupSavings,
  writeCleanupPlan,
  writeCleanupRecord,
} from './sqlite-cleanup';
import { giveUpLease, takeLease } from './sqlite-leases';
import {
  claimDueOutbox,
  countPendingOutbox,
  markOutboxDropped,
  markOutboxFailed,
  markOutboxSent,
  readDueOutbox,
} from './sqlite-outbox';
import { pruneBefore } from './sqlite-prune';
import { endSilence, insertSilence, readActiveSilences, readAllSilences } from './sqlite-silences';
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

const BUSY_TIMEOUT_MS = 10_000;

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
    return keys ? readPreviousAlertStates(this.db, checkId, keys) : readAlertStates(this.db, checkId);
  }

  async commitAlerts(states: AlertState[], outbox: OutboxRecord[]): Promise<void> {
    this.db.transaction(() => writeAlerts(this.db, { states, outbox })).immediate();
  }

  async updateAlerts(
    checkId: string,
    keys: readonly string[],
    decide: (previous: PreviousAlertState[]) => AlertDecision,
  ): Promise<void> {
    // IMMEDIATE takes the write lock before the read: another connection decides only after this one committed.
    this.db
      .transaction(() => writeAlerts(this.db, decide(readPreviousAlertStates(this.db, checkId, keys))))
      .immediate();
  }

  async pendingOutbox(now: StoreTime, limit: number, channels?: readonly string[]): Promise<OutboxRecord[]> {
    return readDueOutbox(this.db, now, limit, channels);
  }

  async claimOutbox(
    at: StoreTime,
    limit: number,
    claimMs: number,
    channels?: readonly string[],
  ): Promise<OutboxRecord[]> {
    return claimDueOutbox(this.db, at, limit, claimMs, channels);
  }

  async countPending(): Promise<number> {
    return countPendingOutbox(this.db);
  }

  async prune(before: Date): Promise<number> {
    return pruneBefore(this.db, before);
  }

  async markSent(id: string, at: Date): Promise<boolean> {
    return markOutboxSent(this.db, id, at);
  }

  async markFailed(id: string, error: string, nextAttemptAt: Date): Promise<boolean> {
    return markOutboxFailed(this.db, id, error, nextAttemptAt);
  }

  async markDropped(id: string, error: string): Promise<boolean> {
    return markOutboxDropped(this.db, id, error);
  }

  async recordCleanupPlan(p: CleanupPlanRecord): Promise<void> {
    writeCleanupPlan(this.db, p);
  }

  async cleanupPlan(planId: string): Promise<CleanupPlanRecord | undefined> {
    return readCleanupPlan(this.db, planId);
  }

  async recordCleanup(r: CleanupRecord): Promise<void> {
    writeCleanupRecord(this.db, r);
  }

  async cleanupSavings(): Promise<{ checkId: string; action: string; monthlySavingUsd: number }[]> {
    return readCleanupSavings(this.db);
  }

  async cleanupRecords(planId: string): Promise<CleanupRecord[]> {
    return readCleanupRecords(this.db, planId);
  }

  async getWatermark(checkId: string, name: string): Promise<string | undefined> {
    return readWatermark(this.db, checkId, name);
  }

  async setWatermark(checkId: string, name: string, value: string): Promise<void> {
    writeWatermark(this.db, checkId, name, value);
  }

  async observe(checkId: string, scope: string, keys: string[], now: Date): Promise<Map<string, Date>> {
    return observeKeys(this.db, checkId, scope, keys, now);
  }

  async firstSeen(checkId: string, scope: string): Promise<Map<string, Date>> {
    return readFirstSeen(this.db, checkId, scope);
  }

  async acquireLease(name: string, holder: string, ttlMs: number): Promise<boolean> {
    return takeLease(this.db, name, holder, ttlMs);
  }

  async releaseLease(name: string, holder: string): Promise<void> {
    giveUpLease(this.db, name, holder);
  }

  async listAlertStates(checkId?: string): Promise<AlertState[]> {
    return checkId === undefined ? readEveryAlertState(this.db) : readAlertStates(this.db, checkId);
  }

  async addSilence(silence: StoredSilence): Promise<void> {
    insertSilence(this.db, silence);
  }

  async activeSilences(now: Date): Promise<StoredSilence[]> {
    return readActiveSilences(this.db, now);
  }

  async allSilences(): Promise<StoredSilence[]> {
    return readAllSilences(this.db);
  }

  async expireSilence(id: string, now: Date): Promise<boolean> {
    return endSilence(this.db, id, now);
  }
}
