import { utcMinute } from '../../alerts/render-text';
import type { Notification } from '../../alerts/types';
import { isClosed, type AlertState, type OutboxRecord } from '../state/types';

/** An alert's last notice while it has not reached its channel, as `guardrail alerts` shows it. */
export interface UndeliveredNotice {
  channel: string;
  /** When the notice was queued: the alert's `lastNotifiedAt`, or its `resolvedAt` for a closing notice. */
  queuedAt: string;
  /** `waiting`: pending in the outbox, for a later run or `serve` to send; `dropped`: given up, never sent. */
  status: 'waiting' | 'dropped';
  /** Failed attempts so far. */
  attempts: number;
  /** Why it did not arrive: its last (redacted) error, once tried. */
  lastError?: string;
}

interface Queued {
  record: OutboxRecord;
  keys: Set<string>;
  /** Its items were cut to MAX_NOTIFICATION_ITEMS: it may carry a key it does not list. */
  cut: boolean;
}

/**
 * Finds, among the store's undelivered messages, the one of an alert's last notice: the message of its check made
 * in the run that notified it (its `createdAt` is the alert's `lastNotifiedAt`) that carries its key, or, cut,
 * may carry it: one of the channel the config routes the alert to (`routedTo`). The alert state counts a notice
 * once its message is queued (so that a later run does not queue it again); without this, an alert whose message
 * never arrived was listed as notified at that time (a trial).
 */
export function undeliveredNotices(
  records: readonly OutboxRecord[],
  routedTo: (state: AlertState) => string | undefined,
): (state: AlertState) => UndeliveredNotice | undefined {
  const byRun = new Map<string, Queued[]>();
  for (const record of records) {
    const { items = [], tally } = (record.payload ?? {}) as Partial<Notification>;
    const queued = {
      record,
      keys: new Set(items.map((item) => item.key)),
      cut: tally !== undefined && tally.count > items.length,
    };
    const key = runKey(record.checkId, record.createdAt);
    byRun.set(key, [...(byRun.get(key) ?? []), queued]);
  }
  return (state) => {
    if (state.lastNotifiedAt === undefined) return undefined;
    // A closed alert's last notice is the one that said so, made in the run that closed it (a trial saw an
    // undelivered RESOLVED listed with the time of the firing notice before it).
    // One that closed without a notice (sendResolved off, silenced, retired by hand) has only its firing one (a review).
    const times =
      isClosed(state.status) && state.resolvedAt
        ? [state.resolvedAt, state.lastNotifiedAt]
        : [state.lastNotifiedAt];
    let at = state.lastNotifiedAt;
    let found: Queued | undefined;
    for (const time of times) {
      const queued = byRun.get(runKey(state.checkId, time)) ?? [];
      found =
        queued.find((q) => q.keys.has(state.key)) ??
        queued.find((q) => q.cut && q.record.channel === routedTo(state));
      if (found) {
        at = time;
        break;
      }
    }
    if (!found) return undefined;
    const { channel, status, attempts, lastError } = found.record;
    return {
      channel,
      queuedAt: at,
      status: status === 'dropped' ? 'dropped' : 'waiting',
      attempts,
      ...(lastError !== undefined ? { lastError } : {}),
    };
  };
}

const runKey = (checkId: string, at: string) => `${checkId}\n${at}`;

/** The line under an alert whose last notice did not arrive: where it was going, and why it is not there. */
export function undeliveredNote(notice: UndeliveredNotice): string {
  const { attempts, lastError } = notice;
  const tried = `after ${attempts} failed attempt${attempts === 1 ? '' : 's'}; last error: ${lastError}`;
  const state =
    notice.status === 'dropped'
      ? `dropped${lastError ? `: ${lastError}` : ''}`
      : `waiting in the outbox${lastError ? ` ${tried}` : ', not tried yet'}`;
  return `notice of ${utcMinute(notice.queuedAt)} to ${notice.channel} not delivered: ${state}`;
}
