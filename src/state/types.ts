import type { Finding } from '../core/types';
import type { Severity } from '../core/severity';

/** Per-fingerprint alert state (fingerprint = checkId + key). */
export interface AlertState {
  checkId: string;
  key: string;
  status: 'firing' | 'resolved';
  severity: Severity;
  /** When this firing episode started. */
  firstFiringAt: string;
  lastSeenAt: string;
  /** Last time a notification for it was enqueued; undefined when never notified (e.g. silenced). */
  lastNotifiedAt?: string;
  resolvedAt?: string;
  /** The latest finding, for resolved notices. */
  finding: Finding;
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
}

export interface StateStore {
  /** Applies pending schema migrations; safe to call on every start. */
  migrate(): Promise<void>;
  close(): Promise<void>;

  alertStates(checkId: string): Promise<AlertState[]>;
  /** Writes the run's alert states and enqueues its messages in one transaction (nothing lost, nothing twice). */
  commitAlerts(states: AlertState[], outbox: OutboxRecord[]): Promise<void>;

  /**
   * Pending messages due at or before `now`, oldest first (by createdAt, then id); only those of `channels`
   * when given. Read-only: a deliverer takes what it sends with `claimOutbox`.
   */
  pendingOutbox(now: Date, limit: number, channels?: readonly string[]): Promise<OutboxRecord[]>;
  /**
   * Atomically takes up to `limit` pending messages due at or before `now` (oldest first; only those of
   * `channels` when given) and moves their nextAttemptAt to `now + claimMs`, so no other deliverer (another
   * process on the same store) sees them as due until the claim expires; returns them as claimed. Two
   * concurrent claims never return the same message. A crashed deliverer's messages come back when its
   * claims expire.
   */
  claimOutbox(
    now: Date,
    limit: number,
    claimMs: number,
    channels?: readonly string[],
  ): Promise<OutboxRecord[]>;
  countPending(): Promise<number>;
  /**
   * Deletes what no run needs any more: sent and dropped messages created before `before`, and alert states
   * resolved before it (events are kept: they are what stops an event from being reported twice).
   * Returns the number of rows deleted.
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
}
