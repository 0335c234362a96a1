import type { Logger } from 'pino';
import { errorMessage } from '../src/core/redact';
import type { OutboxRecord, StateStore } from '../src/state/types';
import { ChannelError, type Channel, type Notification } from './types';

export interface DeliveryOptions {
  store: StateStore;
  channels: Map<string, Channel>;
  log: Logger;
  /** How long this run may keep retrying before leaving the rest pending for the next run. */
  budgetMs: number;
  /** Messages older than this are dropped. */
  maxAgeMs: number;
  /** Per-attempt timeout for one send. */
  sendTimeoutMs?: number;
  signal?: AbortSignal;
  now?: () => number;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  onOutcome?: (channel: string, outcome: 'sent' | 'failed' | 'dropped') => void;
}

export interface DeliverySummary {
  sent: number;
  failed: number;
  pending: number;
  dropped: number;
  /** Channels that answered with a non-retryable error this run (e.g. a deleted webhook). */
  broken: Map<string, string>;
}

const BATCH = 200;
const BACKOFF_BASE_MS = 1000;
const BACKOFF_MAX_MS = 60_000;
const DEFAULT_SEND_TIMEOUT_MS = 15_000;

/** Jittered exponential backoff ("full jitter"), or the server's Retry-After when it gave one. */
export function backoffMs(attempt: number, retryAfterMs?: number, random = Math.random): number {
  if (retryAfterMs !== undefined && retryAfterMs >= 0) return Math.min(retryAfterMs, BACKOFF_MAX_MS * 5);
  const cap = Math.min(BACKOFF_MAX_MS, BACKOFF_BASE_MS * 2 ** attempt);
  return Math.round(cap / 2 + (random() * cap) / 2);
}

/** Sends what the outbox holds: paced per destination, retried with backoff within the budget, never twice. */
export async function deliverOutbox(options: DeliveryOptions): Promise<DeliverySummary> {
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? sleepFor;
  const deadline = now() + options.budgetMs;
  const lastSend = new Map<string, number>();
  const summary: DeliverySummary = { sent: 0, failed: 0, pending: 0, dropped: 0, broken: new Map() };

  while (!options.signal?.aborted) {
    const due = await options.store.pendingOutbox(new Date(now()), BATCH);
    const sendable = due.filter((r) => !summary.broken.has(r.channel));
    if (!sendable.length) {
      const wait = await nextWait(options.store, now(), deadline, summary);
      if (wait === undefined) break;
      await sleep(wait, options.signal);
      continue;
    }
    for (const record of sendable) {
      if (options.signal?.aborted || now() >= deadline) break;
      await deliverOne(record, options, summary, lastSend, now, sleep);
    }
    if (now() >= deadline) break;
  }
  summary.pending = await options.store.countPending();
  return summary;
}

async function deliverOne(
  record: OutboxRecord,
  options: DeliveryOptions,
  summary: DeliverySummary,
  lastSend: Map<string, number>,
  now: () => number,
  sleep: (ms: number, signal?: AbortSignal) => Promise<void>,
): Promise<void> {
  const { store, log } = options;
  const channel = options.channels.get(record.channel);
  const age = now() - Date.parse(record.createdAt);
  if (!channel || age > options.maxAgeMs) {
    const why = !channel ? `channel '${record.channel}' is no longer configured` : 'older than alerts.maxDeliveryAge';
    log.error({ channel: record.channel, check: record.checkId, message: record.id, attempts: record.attempts }, `dropped undeliverable alert: ${why}`);
    await store.markDropped(record.id, why);
    summary.dropped++;
    options.onOutcome?.(record.channel, 'dropped');
    return;
  }
  const wait = (lastSend.get(channel.pacingKey) ?? 0) + channel.minIntervalMs - now();
  if (wait > 0) await sleep(wait, options.signal);
  lastSend.set(channel.pacingKey, now());

  const timeout = AbortSignal.timeout(options.sendTimeoutMs ?? DEFAULT_SEND_TIMEOUT_MS);
  const signal = options.signal ? AbortSignal.any([options.signal, timeout]) : timeout;
  try {
    await channel.send(record.payload as Notification, { signal });
    await store.markSent(record.id, new Date(now()));
    summary.sent++;
    options.onOutcome?.(record.channel, 'sent');
  } catch (error) {
    const retryable = error instanceof ChannelError ? error.retryable : true;
    const message = errorMessage(error);
    summary.failed++;
    options.onOutcome?.(record.channel, 'failed');
    if (!retryable) {
      // A configuration problem (400/401/403/404): report it once and stop hitting the channel this run.
      summary.broken.set(record.channel, message);
      log.error({ channel: record.channel, err: message }, 'alert channel rejected the message; fix its configuration');
      await store.markFailed(record.id, message, new Date(now()));
      return;
    }
    const retryAfter = error instanceof ChannelError ? error.retryAfterMs : undefined;
    const next = now() + backoffMs(record.attempts, retryAfter);
    log.warn({ channel: record.channel, err: message, attempt: record.attempts + 1 }, 'alert delivery failed; will retry');
    await store.markFailed(record.id, message, new Date(next));
  }
}

/** How long to wait for the next due message, or undefined when none falls due before the deadline. */
async function nextWait(store: StateStore, at: number, deadline: number, summary: DeliverySummary) {
  const horizon = await store.pendingOutbox(new Date(deadline), BATCH);
  const times = horizon
    .filter((r) => !summary.broken.has(r.channel))
    .map((r) => Date.parse(r.nextAttemptAt))
    .filter((t) => t > at && t <= deadline);
  if (!times.length) return undefined;
  return Math.min(...times) - at;
}

function sleepFor(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}
