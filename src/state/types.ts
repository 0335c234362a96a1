import type { Finding } from '../core/types';
import type { Severity } from '../core/severity';

/** Whether an alert is closed: resolved, or retired (no longer checked). */
export function isClosed(status: AlertState['status']): boolean {
  return status === 'resolved' || status === 'retired';
}

/** An open condition: firing or pending, and not an event (told once, never resolved, nothing to close). */
export function isOpenCondition(
  state: Pick<AlertState, 'status'> & { finding?: Pick<Finding, 'lifecycle'> },
): boolean {
  return (state.status === 'firing' || state.status === 'pending') && state.finding?.lifecycle !== 'event';
}

/** Per-fingerprint alert state (fingerprint = checkId + key). */
export interface AlertState {
  checkId: string;
  key: string;
  /** `pending`: reported, but not yet for as long as its check's `for` asks; never notified. */
  /** `retired`: closed as no longer checked (what it was about left the config), its condition unknown. */
  status: 'pending' | 'firing' | 'resolved' | 'retired';
  severity: Severity;
  /** When this firing episode started; for a pending alert (and the episode it becomes), its first sighting. */
  firstFiringAt: string;
  /** While pending: the consecutive runs that reported it, the first sighting counting 1. */
  pendingRuns?: number;
  lastSeenAt: string;
  /**
   * Last time a notification for it was enqueued (its message's `createdAt`), delivered or not; undefined when
   * never notified (e.g. silenced).
   */
  lastNotifiedAt?: string;
  resolvedAt?: string;
  /** The latest finding, for resolved notices. */
  finding: Finding;
  /** The silence muting it, while silenced: the announcement after the silence ends says who silenced it. */
  silence?: SilenceNote;
}

/**
 * An alert state as a run reads it (`alertStates` with `keys`): a condition the run reported again comes without
 * its stored finding, which the run's own replaces (reading 20,000 stored findings only to drop them was most of
 * a large sweep's memory). Events, and alerts the run did not report (they may resolve), keep theirs.
 */
export type PreviousAlertState = Omit<AlertState, 'finding'> & { finding?: Finding };

/** Who silenced an alert, why, and until when. */
export interface SilenceNote {
  /** A person (`silence add --by`), or `config` for a silence of the config file. */
  by: string;
  reason: string;
  /** ISO time the silence ends (or ended, when expired early). */
  until: string;
}

/** A silence kept in the state store (`guardrail silence add`), applied beside the config's. */
export interface StoredSilence {
  /** Short random id, printed on add, named by `silence expire`. */
  id: string;
  checkId: string;
  /** Glob on the finding key; every key of the check when absent. */
  key?: string;
  /** Labels the finding must carry, all of them. */
  labels?: Record<string, string>;
  /** ISO time it stops muting; `silence expire` moves it to the time of the expiry. */
  until: string;
  reason: string;
  createdBy: string;
  createdAt: string;
  /** Set when it was expired by hand before its time. */
  expiredAt?: string;
}

export type OutboxStatus = 'pending' | 'sent' | 'dropped';

export interface OutboxRecord {
  /** Stable message id; doubles as the channel's idempotency key (Chat `requestId`). */
  id: string;
  channel: string;
  checkId: string;
  createdAt: string;
  /** The channel-neutral notification (alerts/types.ts `Notification`). */
  payload: unknown;
  status: OutboxStatus;
  attempts: number;
  nextAttemptAt: string;
  lastError?: string;
  sentAt?: string;
  /** Set while a deliverer holds the message (its claim), until then; cleared when it settles the message. */
  claimedUntil?: string;
}

/**
 * Passed as `now` to the outbox reads: the store's own clock (the database's on PostgreSQL, so processes with
 * skewed clocks agree on when a claim expires; the local clock on SQLite). A Date instead is taken as given.
 */
export const STORE_CLOCK = 'store-clock';
export type StoreTime = Date | typeof STORE_CLOCK;
/** Later than any message's next attempt: "pending, whenever due". */
export const ANY_TIME = new Date('9999-12-31T23:59:59.999Z');

/** What a run decided for one check: its new alert states and the messages to enqueue. */
export interface AlertDecision {
  states: AlertState[];
  outbox: OutboxRecord[];
}

/** A cleanup plan as written: its id, check, the SHA-256 of its canonical JSON, and its dates. */
export interface CleanupPlanRecord {
  planId: string;
  checkId: string;
  digest: string;
  createdAt: Date;
  expiresAt: Date;
}

/** One resource's outcome in `guardrail cleanup apply`. */
export interface CleanupRecord {
  planId: string;
  /** The check the plan was made from. */
  checkId: string;
  /** Volume id, allocation id, or `bucket/key/uploadId`. */
  resourceId: string;
  action: string;
  /** `done` is never redone; `skipped` and `failed` are looked at again by a later apply. */
  outcome: 'done' | 'skipped' | 'failed';
  detail: string;
  monthlySavingUsd: number;
  appliedAt: string;
}

export interface StateStore {
  /** Applies pending schema migrations; safe to call on every start. */
  migrate(): Promise<void>;
  close(): Promise<void>;

  /**
   * The check's alert states (by key). With `keys`, only what a run needs: the firing and pending conditions
   * (they may resolve, or be forgotten) and the states of `keys`, whatever their status; firing events outside
   * `keys` are left out; conditions of `keys` come without their finding (PreviousAlertState).
   */
  alertStates(checkId: string): Promise<AlertState[]>;
  alertStates(checkId: string, keys: readonly string[]): Promise<PreviousAlertState[]>;
  /** Writes alert states and enqueues messages in one transaction, unconditionally (last writer wins). */
  commitAlerts(states: AlertState[], outbox: OutboxRecord[]): Promise<void>;
  /**
   * Read, decide and commit as one step per check: reads `alertStates(checkId, keys)`, passes them to `decide`
   * and commits what it returns in the same transaction, holding the check's lock (a PostgreSQL advisory lock,
   * SQLite's write lock) from the read to the commit. Two processes deciding on the same check are serialized:
   * the second decides on what the first committed, so a finding is announced once. `decide` is synchronous,
   * must not touch the store, and may run while other processes wait: keep it quick.
   */
  updateAlerts(
    checkId: string,
    keys: readonly string[],
    decide: (previous: PreviousAlertState[]) => AlertDecision,
  ): Promise<void>;

  /**
   * Pending messages due at or before `now`, oldest first (by createdAt, then id); only those of `channels`
   * when given. Read-only: a deliverer takes what it sends with `claimOutbox`.
   */
  pendingOutbox(now: StoreTime, limit: number, channels?: readonly string[]): Promise<OutboxRecord[]>;
  /**
   * Atomically takes up to `limit` pending messages due at or before `now` (oldest first; only those of
   * `channels` when given; none while an older message of its check and channel is pending) and moves their nextAttemptAt to `now + claimMs`, so no other deliverer (another
   * process on the same store) sees them as due until the claim expires; returns them as claimed. Two
   * concurrent claims never return the same message. A crashed deliverer's messages come back when its
   * claims expire. Deliverers sharing a store pass STORE_CLOCK: the claim is then set and checked by one clock.
   */
  claimOutbox(
    now: StoreTime,
    limit: number,
    claimMs: number,
    channels?: readonly string[],
  ): Promise<OutboxRecord[]>;
  countPending(): Promise<number>;
  /**
   * The messages not delivered, of one check or of all, oldest first: pending ones (waiting, or being retried)
   * and dropped ones (refused for good), until pruned. `guardrail alerts` tells by them an alert whose last notice
   * never arrived from one that was delivered.
   */
  undeliveredOutbox(checkId?: string): Promise<OutboxRecord[]>;
  /**
   * Deletes what no run needs any more: sent and dropped messages created before `before`, alert states
   * resolved before it, pending and event states last seen before it (an event reported again within the
   * retention is still known, so it is not announced twice), and leases expired on the store's clock. Returns
   * the number of rows deleted.
   */
  prune(before: Date): Promise<number>;
  /**
   * The mark* updates change a message only while it is pending (a stale deliverer cannot flip a message that
   * another one sent or dropped); each resolves true when it changed the message.
   */
  markSent(id: string, at: Date): Promise<boolean>;
  markFailed(id: string, error: string, nextAttemptAt: Date): Promise<boolean>;
  markDropped(id: string, error: string): Promise<boolean>;

  getWatermark(checkId: string, name: string): Promise<string | undefined>;
  setWatermark(checkId: string, name: string, value: string): Promise<void>;
  observe(checkId: string, scope: string, keys: string[], now: Date): Promise<Map<string, Date>>;
  /** The first sightings `observe` keeps in `scope`, read only (a dry run changes no state). */
  firstSeen(checkId: string, scope: string): Promise<Map<string, Date>>;

  /**
   * Takes the lease `name` for `holder` until the store's clock passes now + ttlMs, when it is free, expired, or
   * already this holder's; resolves false when another holder's lease is still valid. Uses the store's own clock.
   */
  acquireLease(name: string, holder: string, ttlMs: number): Promise<boolean>;
  /** Gives the lease up early (only when `holder` has it). */
  releaseLease(name: string, holder: string): Promise<void>;
  /** Every alert state, of one check or of all, by check id then key. */
  listAlertStates(checkId?: string): Promise<AlertState[]>;

  /** Stores a new silence (its id must be new). */
  addSilence(silence: StoredSilence): Promise<void>;
  /** The silences muting at `now` (until later than now), by `until` then id: read once per alerting pass. */
  activeSilences(now: Date): Promise<StoredSilence[]>;
  /** Every stored silence, expired ones included, newest first. */
  allSilences(): Promise<StoredSilence[]>;
  /** Ends an active silence at `now`; resolves false when no active silence has this id. */
  expireSilence(id: string, now: Date): Promise<boolean>;

  /** Records a plan `guardrail cleanup plan` wrote (its digest): apply acts only on plans recorded, unchanged. */
  recordCleanupPlan(plan: CleanupPlanRecord): Promise<void>;
  cleanupPlan(planId: string): Promise<CleanupPlanRecord | undefined>;
  /**
   * Records (or replaces) the outcome of one plan resource; a `done` one is never replaced: of two applies at once,
   * the one that failed after the other acted must not erase what was done (a review).
   */
  recordCleanup(record: CleanupRecord): Promise<void>;
  /** The outcomes recorded for a plan, by resource id. */
  cleanupRecords(planId: string): Promise<CleanupRecord[]>;
  /** $/month saved by every resource cleaned up so far, per check and action (the dashboards' figure). */
  cleanupSavings(): Promise<{ checkId: string; action: string; monthlySavingUsd: number }[]>;
  /** A cheap round trip (SELECT 1) proving the store answers; rejects within the store's timeouts. */
  ping(): Promise<void>;
}
