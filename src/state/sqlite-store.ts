import { closeSync, mkdirSync, openSync, readSync, statfsSync, statSync } from 'node:fs';
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
  readUndeliveredOutbox,
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

/** Below this much free space where the file lives, the store is down: SQLite's writes fail with SQLITE_FULL. */
export const MIN_FREE_BYTES = 1024 * 1024;
const HEADER = 'SQLite format 3\0';

/** The embedded state store: one SQLite file in WAL mode, or `:memory:`. */
export class SqliteStateStore implements StateStore {
  private readonly db: Database;
  /** The file's inode when opened: another one at its path means it was deleted or replaced. */
  private readonly inode?: number;

  constructor(
    private readonly file: string,
    private readonly minFreeBytes = MIN_FREE_BYTES,
  ) {
    if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
    this.db = new BetterSqlite3(file);
    this.db.pragma('journal_mode = WAL');
    // FULL syncs the WAL on every commit: an enqueued message survives a power loss, not only a crash.
    this.db.pragma('synchronous = FULL');
    this.db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
    if (file !== ':memory:') this.inode = statSync(file).ino;
  }

  async migrate(): Promise<void> {
    migrateSqlite(this.db);
  }

  async close(): Promise<void> {
    this.db.close();
  }

  /**
   * Whether the file can still be used, not only whether the connection answers (a review: `serve` stayed ready
   * while its disk was full, its file deleted, or its header overwritten; a query of the connection's cached pages
   * answered all along). The file at the path must be the one opened: one deleted (as "delete it to start over"
   * invites) leaves this process writing a file that `guardrail alerts` and the next start never read. Its first
   * bytes must be SQLite's header, and its folder's file system must have MIN_FREE_BYTES free.
   */
  async ping(): Promise<void> {
    this.db.prepare('SELECT count(*) FROM sqlite_schema').get();
    if (this.inode === undefined) return;
    let now: number;
    try {
      now = statSync(this.file).ino;
    } catch {
      throw new Error(
        `${this.file} was deleted: this process still writes to it, and nothing else reads it (restart to open a new one)`,
      );
    }
    if (now !== this.inode)
      throw new Error(`${this.file} was replaced by another file: restart to open the one now at that path`);
    const fd = openSync(this.file, 'r');
    const first = Buffer.alloc(HEADER.length);
    try {
      readSync(fd, first, 0, first.length, 0);
    } finally {
      closeSync(fd);
    }
    if (first.toString('latin1') !== HEADER)
      throw new Error(`${this.file} is not a SQLite database any more (its header was overwritten)`);
    const { bavail, bsize } = statfsSync(dirname(this.file));
    const free = Number(bavail) * Number(bsize);
    if (free < this.minFreeBytes)
      throw new Error(`the file system of ${this.file} has ${Math.floor(free / 1024)} KB free: writes fail`);
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

  async undeliveredOutbox(checkId?: string): Promise<OutboxRecord[]> {
    return readUndeliveredOutbox(this.db, checkId);
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
