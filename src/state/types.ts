import type { Finding, Severity } from '../core/types';

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

/** The state a check may read and write for itself, scoped to its id. */
export interface CheckState {
  getWatermark(name: string): Promise<string | undefined>;
  setWatermark(name: string, value: string): Promise<void>;
  /**
   * Records `now` as first-seen for keys not seen before in `scope`, forgets keys of `scope` not in `keys`
   * (so a volume attached again starts over), and returns first-seen for each key.
   */
  observe(scope: string, keys: string[], now: Date): Promise<Map<string, Date>>;
}

export interface StateStore {
  /** Applies pending schema migrations; safe to call on every start. */
  migrate(): Promise<void>;
  close(): Promise<void>;

  alertStates(checkId: string): Promise<AlertState[]>;
  /** Writes the run's alert states and enqueues its messages in one transaction (nothing lost, nothing twice). */
  commitAlerts(states: AlertState[], outbox: OutboxRecord[]): Promise<void>;

  /** Pending messages due at or before `now`, oldest first. */
  pendingOutbox(now: Date, limit: number): Promise<OutboxRecord[]>;
  countPending(): Promise<number>;
  markSent(id: string, at: Date): Promise<void>;
  markFailed(id: string, error: string, nextAttemptAt: Date): Promise<void>;
  markDropped(id: string, error: string): Promise<void>;

  getWatermark(checkId: string, name: string): Promise<string | undefined>;
  setWatermark(checkId: string, name: string, value: string): Promise<void>;
  observe(checkId: string, scope: string, keys: string[], now: Date): Promise<Map<string, Date>>;
}
