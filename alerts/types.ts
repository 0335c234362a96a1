import type { Logger } from 'pino';
import type * as z from 'zod';
import type { FindingLink } from '../src/core/types';
import type { Severity } from '../src/core/severity';
import type { SilenceNote } from '../src/state/types';

/**
 * How a finding appears in a notification. `retired`: an alert closed because what it was about left the config (a
 * table line deleted), whose condition may well persist.
 */
export type ItemStatus = 'new' | 'repeat' | 'resolved' | 'retired';

export interface NotificationItem {
  key: string;
  status: ItemStatus;
  severity: Severity;
  title: string;
  summary?: string;
  metrics?: Record<string, number>;
  labels?: Record<string, string>;
  resource?: Record<string, unknown>;
  links?: FindingLink[];
  /** ISO time the current firing episode started. */
  firingSince: string;
  /** ISO time it resolved, or was retired (resolved and retired items only). */
  resolvedAt?: string;
  lifecycle: 'condition' | 'event';
  /** The silence that muted this still-firing alert until now: "was silenced by X until T: reason". */
  silence?: SilenceNote;
}

/** What every item of a message adds up to, those beyond the cap (alerts/tally) included. */
export interface ItemTally {
  count: number;
  byStatus: Record<ItemStatus, number>;
  /** The worst severity of the firing items (of all items when none fires). */
  worst?: Severity;
  /** Per cost metric, over the firing items: the sum, and how many items carry the metric. */
  costs: Partial<Record<'monthlyCostUsd' | 'costUsd', { sum: number; priced: number }>>;
  /**
   * The check's alerts firing on this channel when the message was made, unsilenced, those it does not carry
   * (their repeat not due yet) included; absent in messages queued before it existed (alerts/tally `firingOf`).
   */
  firing?: number;
}

/**
 * One message for one channel about one check in one run (the grouping unit). Channel-neutral: each channel
 * renders it in its own format, truncating to its platform's limits.
 */
export interface Notification {
  /** Stable id; the channel's idempotency key (e.g. Chat `requestId`). */
  id: string;
  channel: string;
  checkId: string;
  checkKind: string;
  createdAt: string;
  /** The first MAX_NOTIFICATION_ITEMS items, in order; `tally` counts them all. */
  items: NotificationItem[];
  /** Counts and cost sums of every item, those cut from `items` included (absent in messages queued before). */
  tally?: ItemTally;
}

/** Thrown by a channel's `send`; says whether a retry can help. */
export class ChannelError extends Error {
  constructor(
    message: string,
    readonly retryable: boolean,
    readonly status?: number,
    /** From `Retry-After`, when the platform sent one. */
    readonly retryAfterMs?: number,
    /**
     * What a non-retryable error condemns: this one `message` (it is dropped) or the whole `channel` (its
     * configuration is wrong; messages wait). @default 'message' for HTTP 400, 'channel' otherwise
     */
    readonly scope?: 'message' | 'channel',
  ) {
    super(message);
    this.name = 'ChannelError';
  }
}

/** Whether a non-retryable error is about one message (drop it) rather than the channel (report it broken). */
export function rejectsOnlyMessage(error: ChannelError): boolean {
  return !error.retryable && (error.scope ?? (error.status === 400 ? 'message' : 'channel')) === 'message';
}

export interface SendOptions {
  signal: AbortSignal;
}

/** A configured alert channel: one method, as in Alertmanager's notify integrations. */
export interface Channel {
  readonly name: string;
  readonly type: string;
  /** Delivers one notification; resolves on success, throws ChannelError otherwise. */
  send(notification: Notification, options: SendOptions): Promise<void>;
  /** Readable text of what `send` would post (for `--dry-run` and the console). */
  preview(notification: Notification): string;
  /** A key that identifies the destination for pacing (e.g. one per webhook); never the secret itself. */
  readonly pacingKey: string;
  /** Minimum milliseconds between two sends to the same pacingKey. */
  readonly minIntervalMs: number;
}

export interface ChannelDeps {
  log: Logger;
  /** Writes to stdout (console channel). */
  out: (text: string) => void;
}

export interface ChannelDefinition<Config = unknown> {
  type: string;
  description: string;
  configSchema: z.ZodObject;
  create(name: string, config: Config, deps: ChannelDeps): Channel;
  /** Config warnings (not errors) shown by `validate`, e.g. a webhook host that is not Chat's. */
  warnings?(config: Config): string[];
}
