import type { Logger } from 'pino';
import { errorMessage } from '../src/core/redact';
import type { OutboxRecord, StateStore } from '../src/state/types';
import { knownBroken, setBroken, type BrokenChannel } from './broken-channels';
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
  random?: () => number;
  onOutcome?: (channel: string, outcome: 'sent' | 'failed' | 'dropped') => void;
}

export type { BrokenChannel } from './broken-channels';

export interface DeliverySummary {
  sent: number;
  failed: number;
  pending: number;
  dropped: number;
  /** Every configured channel still broken after this run, including ones found broken by earlier runs. */
  broken: Map<string, BrokenChannel>;
  /** Channels that were broken and delivered again in this run. */
  recovered: string[];
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

interface Run {
  options: DeliveryOptions;
  summary: DeliverySummary;
  now: () => number;
  sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  deadline: number;
  /** Per pacing key: the earliest time of the next send (pacing, and Retry-After for the whole destination). */
  notBefore: Map<string, number>;
  /** Channels that failed for good in this run: not tried again until the next run. */
  blocked: Set<string>;
}

/**
 * Sends what the outbox holds: paced per destination, retried with backoff within the budget. A record is
 * marked sent only after the channel acknowledged it, so a crash in between resends it (with the same id).
 */
export async function deliverOutbox(options: DeliveryOptions): Promise<DeliverySummary> {
  const now = options.now ?? Date.now;
  const run: Run = {
    options,
    now,
    sleep: options.sleep ?? sleepFor,
    deadline: now() + options.budgetMs,
    notBefore: new Map(),
    blocked: new Set(),
    summary: {
      sent: 0,
      failed: 0,
      pending: 0,
      dropped: 0,
      broken: await knownBroken(options),
      recovered: [],
    },
  };
  // Records of blocked channels stay pending; fetch past them so they never starve the other channels.
  let limit = BATCH;
  while (!options.signal?.aborted && now() < run.deadline) {
    const due = await options.store.pendingOutbox(new Date(now()), limit);
    const sendable = due.filter((r) => !run.blocked.has(r.channel) || tooOld(r, run));
    if (!sendable.length && due.length === limit) {
      limit += BATCH;
      continue;
    }
    limit = BATCH + (due.length - sendable.length);
    if (!sendable.length) {
      const wait = await nextWait(run, limit);
      if (wait === undefined) break;
      await run.sleep(wait, options.signal);
      continue;
    }
    let progress = false;
    for (const record of sendable) {
      if (options.signal?.aborted || now() >= run.deadline) break;
      if (run.blocked.has(record.channel) && !tooOld(record, run)) continue;
      if (await deliverOne(record, run)) progress = true;
    }
    if (!progress) break; // everything due waits for pacing past the deadline
  }
  run.summary.pending = await options.store.countPending();
  return run.summary;
}

/** Returns false when the record was left for the next run without an attempt. */
async function deliverOne(record: OutboxRecord, run: Run): Promise<boolean> {
  const { options, summary, now } = run;
  const channel = options.channels.get(record.channel);
  if (!channel || tooOld(record, run)) {
    const why = !channel
      ? `channel '${record.channel}' is no longer configured`
      : 'older than alerts.maxDeliveryAge';
    const meta = {
      channel: record.channel,
      check: record.checkId,
      message: record.id,
      attempts: record.attempts,
    };
    options.log.error(meta, `dropped undeliverable alert: ${why}`);
    await options.store.markDropped(record.id, why);
    summary.dropped++;
    options.onOutcome?.(record.channel, 'dropped');
    return true;
  }
  const wait = (run.notBefore.get(channel.pacingKey) ?? 0) - now();
  if (wait > 0) {
    if (now() + wait >= run.deadline) return false;
    await run.sleep(wait, options.signal);
  }
  run.notBefore.set(channel.pacingKey, now() + channel.minIntervalMs);

  const timeout = AbortSignal.timeout(options.sendTimeoutMs ?? DEFAULT_SEND_TIMEOUT_MS);
  const signal = options.signal ? AbortSignal.any([options.signal, timeout]) : timeout;
  try {
    await channel.send(record.payload as Notification, { signal });
  } catch (error) {
    await failed(record, channel, error, run);
    return true;
  }
  await options.store.markSent(record.id, new Date(now()));
  summary.sent++;
  options.onOutcome?.(record.channel, 'sent');
  if (summary.broken.delete(record.channel)) {
    await setBroken(options.store, record.channel, '');
    summary.recovered.push(record.channel);
    options.log.info({ channel: record.channel }, 'alert channel delivers again');
  }
  return true;
}

async function failed(record: OutboxRecord, channel: Channel, error: unknown, run: Run): Promise<void> {
  const { options, summary, now } = run;
  const retryable = error instanceof ChannelError ? error.retryable : true;
  const message = errorMessage(error);
  summary.failed++;
  options.onOutcome?.(record.channel, 'failed');
  if (!retryable) {
    // A configuration problem (400/401/403/404): stop hitting the channel this run, keep its messages pending
    // (until maxDeliveryAge) for when it is fixed, and report it once per broken episode, not every run.
    run.blocked.add(record.channel);
    await options.store.markFailed(record.id, message, new Date(now()));
    const status = error instanceof ChannelError ? error.status : undefined;
    const known = summary.broken.get(record.channel);
    const meta = { channel: record.channel, err: message, ...(status ? { status } : {}) };
    if (known) {
      options.log.debug(meta, 'alert channel still rejects messages');
      return;
    }
    const since = new Date(now()).toISOString();
    summary.broken.set(record.channel, {
      error: message,
      ...(status ? { status } : {}),
      since,
      firstReported: true,
    });
    await setBroken(options.store, record.channel, JSON.stringify({ error: message, status, since }));
    options.log.error(meta, 'alert channel rejected the message; fix its configuration');
    return;
  }
  const retryAfter = error instanceof ChannelError ? error.retryAfterMs : undefined;
  if (retryAfter !== undefined) run.notBefore.set(channel.pacingKey, now() + retryAfter);
  const next = now() + backoffMs(record.attempts, retryAfter, options.random);
  options.log.warn(
    { channel: record.channel, err: message, attempt: record.attempts + 1 },
    'alert delivery failed; will retry',
  );
  await options.store.markFailed(record.id, message, new Date(next));
}

function tooOld(record: OutboxRecord, run: Run): boolean {
  return run.now() - Date.parse(record.createdAt) > run.options.maxAgeMs;
}

/** How long to wait for the next due message, or undefined when none falls due before the deadline. */
async function nextWait(run: Run, limit: number): Promise<number | undefined> {
  const at = run.now();
  const horizon = await run.options.store.pendingOutbox(new Date(run.deadline), limit);
  const times = horizon
    .filter((r) => !run.blocked.has(r.channel))
    .map((r) => Date.parse(r.nextAttemptAt))
    .filter((t) => t > at && t <= run.deadline);
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
