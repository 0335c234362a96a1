import type { Logger } from 'pino';
import { errorMessage } from '../src/core/redact';
import {
  ANY_TIME,
  STORE_CLOCK,
  type OutboxRecord,
  type StateStore,
  type StoreTime,
} from '../src/state/types';
import { knownBroken, setBroken, type BrokenChannel } from './broken-channels';
import { failingChannels, type FailingChannel } from './delivery-failing';
import { backoffMs, Pacing, sleepFor } from './delivery-timing';
import { rejectsOnlyMessage, ChannelError, type Channel, type Notification } from './types';

export interface DeliveryOptions {
  store: StateStore;
  channels: Map<string, Channel>;
  log: Logger;
  /** How long this run may keep retrying before leaving the rest pending for the next run. */
  budgetMs: number;
  /** Messages older than this are dropped (also those of channels this process does not have). */
  maxAgeMs: number;
  /** Per-attempt timeout for one send. */
  sendTimeoutMs?: number;
  signal?: AbortSignal;
  /**
   * Channels found broken earlier in the same run (a 404 webhook): not sent to again, so a run attempts a broken
   * channel once, however many delivery passes it makes.
   */
  broken?: Iterable<string>;
  /** This run's clock. Unless one is given, claims use the store's clock (shared by all deliverers). */
  now?: () => number;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  random?: () => number;
  onOutcome?: (channel: string, outcome: 'sent' | 'failed' | 'dropped') => void;
}

export type { BrokenChannel } from './broken-channels';
export { FAILING_ATTEMPTS, type FailingChannel } from './delivery-failing';
export { backoffMs } from './delivery-timing';

export interface DeliverySummary {
  sent: number;
  failed: number;
  pending: number;
  dropped: number;
  /** Every configured channel still broken after this run, including ones found broken by earlier runs. */
  broken: Map<string, BrokenChannel>;
  /** Channels that were broken and delivered again in this run. */
  recovered: string[];
  /** Per channel, the messages it rejected for good in this run (HTTP 400: it works, but not with them). */
  rejected: Map<string, RejectedMessages>;
  /**
   * Configured channels, not broken, whose oldest pending message has failed at least FAILING_ATTEMPTS
   * attempts (retryable errors that do not end), read from the store after the run.
   */
  failing: Map<string, FailingChannel>;
}

/** Messages a channel rejected for good in one run: the first one's error and id, and how many. */
export interface RejectedMessages {
  error: string;
  status?: number;
  count: number;
  firstId: string;
}

const BATCH = 200;
const DEFAULT_SEND_TIMEOUT_MS = 15_000;
/** A claim lasts this many send timeouts: long enough to send and record, short enough after a crash. */
const CLAIM_TIMEOUTS = 2;
const RACE_WAIT_MS = 10;
const POLL_MS = 1000;

interface Run {
  options: DeliveryOptions;
  summary: DeliverySummary;
  now: () => number;
  /** What `now` is for the store: the store's clock unless the run was given one. */
  storeNow: () => StoreTime;
  sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  deadline: number;
  sendTimeoutMs: number;
  /** Per pacing key: the earliest time of the next send (pacing, and Retry-After for the whole destination). */
  pacing: Pacing;
  /** Channels that failed for good in this run: not tried again until the next run. */
  blocked: Set<string>;
}

/**
 * Sends what the outbox holds: paced per destination, retried with backoff within the budget. Each message
 * is claimed in the store just before its send, so concurrent deliverers (processes sharing the store) never
 * send it at the same time. A record is marked sent only after the channel acknowledged it, so a crash in
 * between resends it (with the same id) once the claim expires.
 */
export async function deliverOutbox(options: DeliveryOptions): Promise<DeliverySummary> {
  const now = options.now ?? Date.now;
  const run: Run = {
    options,
    now,
    storeNow: options.now ? () => new Date(now()) : () => STORE_CLOCK,
    sleep: options.sleep ?? sleepFor,
    deadline: now() + options.budgetMs,
    sendTimeoutMs: options.sendTimeoutMs ?? DEFAULT_SEND_TIMEOUT_MS,
    pacing: new Pacing(),
    blocked: new Set(options.broken),
    summary: {
      sent: 0,
      failed: 0,
      pending: 0,
      dropped: 0,
      broken: await knownBroken(options),
      recovered: [],
      rejected: new Map(),
      failing: new Map(),
    },
  };
  await dropExpired(run);
  while (!options.signal?.aborted && now() < run.deadline) {
    // Only this process's channels, and not the blocked ones: other messages stay pending, unclaimed.
    const open = [...options.channels.keys()].filter((name) => !run.blocked.has(name));
    if (!open.length) break;
    // One message at a time, once its destination's pacing allows: the claim then only has to cover the send.
    const ready = open.filter((name) => paceAt(run, name) <= now());
    const [record] = ready.length
      ? await options.store.claimOutbox(run.storeNow(), 1, CLAIM_TIMEOUTS * run.sendTimeoutMs, ready)
      : [];
    if (record) {
      await deliverOne(record, run);
      continue;
    }
    const wait = await nextWait(run, open);
    if (wait === undefined) break;
    // Looks again at least every POLL_MS: what seems due later may be another deliverer's claim, settled
    // long before it expires. 0: due yet not claimed (a claim was in flight, SKIP LOCKED).
    await run.sleep(Math.min(Math.max(wait, RACE_WAIT_MS), POLL_MS), options.signal);
  }
  run.summary.pending = await options.store.countPending();
  run.summary.failing = await failingChannels(options.store, options.channels.keys(), run.summary.broken);
  return run.summary;
}

async function deliverOne(record: OutboxRecord, run: Run): Promise<void> {
  const { options, summary, now } = run;
  const channel = options.channels.get(record.channel);
  if (!channel) return; // not claimable: claims name configured channels only
  if (tooOld(record, run)) {
    await drop(record, 'older than alerts.maxDeliveryAge', run);
    return;
  }
  run.pacing.delay(channel.pacingKey, now() + channel.minIntervalMs);
  // Never past the delivery budget: a destination that hangs must not hold the run beyond it.
  const timeout = AbortSignal.timeout(Math.max(1, Math.min(run.sendTimeoutMs, run.deadline - now())));
  const signal = options.signal ? AbortSignal.any([options.signal, timeout]) : timeout;
  try {
    await channel.send(record.payload as Notification, { signal });
  } catch (error) {
    await failed(record, channel, error, run);
    return;
  }
  await options.store.markSent(record.id, new Date(now()));
  summary.sent++;
  options.onOutcome?.(record.channel, 'sent');
  if (summary.broken.delete(record.channel)) {
    await setBroken(options.store, record.channel, '');
    summary.recovered.push(record.channel);
    options.log.info({ channel: record.channel }, 'alert channel delivers again');
  }
}

async function failed(record: OutboxRecord, channel: Channel, error: unknown, run: Run): Promise<void> {
  const { options, summary, now } = run;
  const retryable = error instanceof ChannelError ? error.retryable : true;
  const status = error instanceof ChannelError ? error.status : undefined;
  const message = errorMessage(error);
  summary.failed++;
  options.onOutcome?.(record.channel, 'failed');
  if (error instanceof ChannelError && rejectsOnlyMessage(error)) {
    // The channel works but will never take this one message (e.g. a payload it rejects): drop it alone, and say
    // so as the agent's own finding (an alert that will never arrive must not go unseen).
    const rejected = summary.rejected.get(record.channel);
    if (rejected) rejected.count++;
    else
      summary.rejected.set(record.channel, {
        error: message,
        ...(status ? { status } : {}),
        count: 1,
        firstId: record.id,
      });
    await drop(record, message, run, `the channel rejected this message${status ? ` (HTTP ${status})` : ''}`);
    return;
  }
  if (!retryable) {
    // A configuration problem (401/403/404): stop hitting the channel this run, keep its messages pending
    // (until maxDeliveryAge) for when it is fixed, and report it once per broken episode, not every run.
    run.blocked.add(record.channel);
    await options.store.markFailed(record.id, message, new Date(now()));
    const known = summary.broken.get(record.channel);
    const meta = { channel: record.channel, err: message, ...(status ? { status } : {}) };
    if (known) {
      if (await stillBroken(run, record.channel, known, message, status))
        options.log.warn(meta, 'alert channel still rejects messages, for another reason now');
      else options.log.debug(meta, 'alert channel still rejects messages');
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
  // A broken channel answering otherwise now (a 500, no answer): its report names what it does now.
  const known = summary.broken.get(record.channel);
  if (known) await stillBroken(run, record.channel, known, message, status);
  const retryAfter = error instanceof ChannelError ? error.retryAfterMs : undefined;
  if (retryAfter !== undefined) run.pacing.delay(channel.pacingKey, now() + retryAfter);
  const next = now() + backoffMs(record.attempts, retryAfter, options.random);
  options.log.warn(
    { channel: record.channel, err: message, attempt: record.attempts + 1 },
    'alert delivery failed; will retry',
  );
  await options.store.markFailed(record.id, message, new Date(next));
}

/**
 * Keeps a broken channel's error its latest (since when it broke stays): a webhook that answered 404 and now
 * hangs or answers with a login page was still reported as answering 404. True when the error changed.
 */
async function stillBroken(
  run: Run,
  channel: string,
  known: BrokenChannel,
  error: string,
  status: number | undefined,
): Promise<boolean> {
  if (known.error === error && known.status === status) return false;
  const now: BrokenChannel = {
    error,
    ...(status ? { status } : {}),
    since: known.since,
    firstReported: known.firstReported,
  };
  run.summary.broken.set(channel, now);
  await setBroken(run.options.store, channel, JSON.stringify({ error, status, since: known.since }));
  return true;
}

/** Marks a message dropped, logged as an error and counted, unless another deliverer settled it first. */
async function drop(record: OutboxRecord, reason: string, run: Run, why = reason): Promise<void> {
  const { options } = run;
  if (!(await options.store.markDropped(record.id, reason))) return;
  const meta = {
    channel: record.channel,
    check: record.checkId,
    message: record.id,
    attempts: record.attempts,
    ...(why === reason ? {} : { err: reason }),
  };
  options.log.error(meta, `dropped undeliverable alert: ${why}`);
  run.summary.dropped++;
  options.onOutcome?.(record.channel, 'dropped');
}

/**
 * Drops due messages older than maxAgeMs, of any channel: also those of a channel this process does not have
 * (renamed, removed, or another shard's), which it never claims but leaves pending until then.
 */
async function dropExpired(run: Run): Promise<void> {
  for (;;) {
    const due = await run.options.store.pendingOutbox(run.storeNow(), BATCH);
    const expired = due.filter((record) => tooOld(record, run));
    for (const record of expired) {
      const why = run.options.channels.has(record.channel)
        ? 'older than alerts.maxDeliveryAge'
        : `channel '${record.channel}' is not configured here; older than alerts.maxDeliveryAge`;
      await drop(record, why, run);
    }
    // Oldest first: a page that is not all expired holds the last of them.
    if (expired.length < BATCH) return;
  }
}

function tooOld(record: OutboxRecord, run: Run): boolean {
  return run.now() - Date.parse(record.createdAt) > run.options.maxAgeMs;
}

function paceAt(run: Run, name: string): number {
  const channel = run.options.channels.get(name);
  return channel ? run.pacing.at(channel.pacingKey) : 0;
}

/** How long until a message of `open` channels may be sent, or undefined when none can before the deadline. */
async function nextWait(run: Run, open: string[]): Promise<number | undefined> {
  // Each thread's oldest pending message only: a newer one is claimed after it (see claimOutbox).
  const pending = await run.options.store.pendingOutbox(ANY_TIME, BATCH, open);
  const heads = new Map<string, OutboxRecord>();
  for (const record of pending) {
    const thread = JSON.stringify([record.channel, record.checkId]);
    if (!heads.has(thread)) heads.set(thread, record);
  }
  const now = run.now();
  const times = [...heads.values()]
    .map((record) => {
      const at = Math.max(Date.parse(record.nextAttemptAt), paceAt(run, record.channel));
      // Another deliverer settles its claim long before the claim expires: looked at until this run's deadline.
      return heldByAnotherDeliverer(record, now) ? Math.min(at, now + POLL_MS, run.deadline - 1) : at;
    })
    .filter((time) => time < run.deadline);
  if (!times.length) return undefined;
  return Math.max(0, Math.min(...times) - now);
}

/**
 * Whether another deliverer (a run at the same moment on this store) holds the claim of a pending message: its
 * claim runs past now. A message claimed before claims were recorded (by a Guardrail before 2026-12-03, during an
 * upgrade) is told by the old sign: never attempted, yet not due. A retried message another run had claimed read
 * as a backoff, and the run reported it "not delivered" and exited 4 while the other delivered it.
 */
export function heldByAnotherDeliverer(record: OutboxRecord, now: number): boolean {
  if (record.claimedUntil !== undefined) return Date.parse(record.claimedUntil) > now;
  return record.attempts === 0 && Date.parse(record.nextAttemptAt) > now;
}
