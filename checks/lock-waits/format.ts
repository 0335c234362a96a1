import type { Finding } from '../../src/core/types';
import type { Severity } from '../../src/core/severity';
import { formatDuration } from '../../src/core/duration';
import { sqlExcerpt } from '../../src/core/redact';
import type { SessionDialect } from '../../src/connectors/session-source';
import type { Blocker, LockWait } from './query';

/**
 * What a summary holds, so that it fits the Chat card's summary (1,000 characters, alerts/channels/google-chat):
 * the blocker's statement, each listed waiter's statement, and how many waiters are listed.
 */
export const BLOCKER_SQL_CHARS = 200;
export const WAITER_SQL_CHARS = 60;
export const MAX_LISTED_WAITERS = 5;

/** A session waiting on the blocker. */
export interface WaitingSession {
  pid: number;
  user: string;
  /** How long it has waited (ms). */
  waitedMs: number;
  sql: string;
}

/** A blocking session and the sessions waiting on it. */
export interface BlockingEpisode {
  blocker: Blocker;
  /** Waiting pid → the session, longest wait kept. */
  waiters: Map<number, WaitingSession>;
  longestWaitMs: number;
}

/**
 * The sessions at the head of the queue a waiter is in: a blocker that itself waits (the session ahead in a row's
 * lock queue) passes the wait on to whatever blocks it. In a cycle (a deadlock not yet broken) the blocker met
 * again is taken as the head.
 */
function headsOf(pid: number, waitsOf: Map<number, LockWait[]>, seen: ReadonlySet<number>): Blocker[] {
  return (waitsOf.get(pid) ?? []).flatMap((wait) => {
    const next = wait.blocker.pid;
    if (!waitsOf.has(next) || seen.has(next)) return [wait.blocker];
    return headsOf(next, waitsOf, new Set([...seen, pid]));
  });
}

/**
 * Groups waits by the blocking session at the head of each lock queue (pid + transaction start, so a reused pid
 * is a new episode): one finding per cause, listing every session that waits on it, directly or in line behind.
 */
export function groupByBlocker(waits: LockWait[]): BlockingEpisode[] {
  const waitsOf = new Map<number, LockWait[]>();
  for (const wait of waits) waitsOf.set(wait.waiterPid, [...(waitsOf.get(wait.waiterPid) ?? []), wait]);
  const episodes = new Map<string, BlockingEpisode>();
  for (const [pid, own] of waitsOf) {
    const waitedMs = Math.max(...own.map((w) => w.waitedMs));
    const { waiterUser: user, waiterSql: sql } = own[0] as LockWait;
    for (const blocker of headsOf(pid, waitsOf, new Set([pid]))) {
      const key = episodeKey(blocker);
      const episode = episodes.get(key) ?? { blocker, waiters: new Map(), longestWaitMs: 0 };
      episode.waiters.set(pid, { pid, user, waitedMs, sql });
      episode.longestWaitMs = Math.max(episode.longestWaitMs, waitedMs);
      episodes.set(key, episode);
    }
  }
  return [...episodes.values()].sort((a, b) => b.longestWaitMs - a.longestWaitMs);
}

function episodeKey(blocker: Blocker): string {
  return `${blocker.pid}@${blocker.startedAt.toISOString()}`;
}

/**
 * How to release the locks. Cancelling an active PostgreSQL statement aborts its transaction, which releases them;
 * an idle one has nothing to cancel, and Redshift cancels only statements outside a transaction block.
 * @see https://docs.aws.amazon.com/redshift/latest/dg/PG_TERMINATE_BACKEND.html (checked 2026-12)
 */
export function endCommand(blocker: Blocker, dialect: SessionDialect): string {
  const terminate = `SELECT pg_terminate_backend(${blocker.pid});`;
  if (dialect === 'postgres' && blocker.state === 'active') {
    return `SELECT pg_cancel_backend(${blocker.pid}); (its statement) or ${terminate} (its session)`;
  }
  return terminate;
}

function stateLine(blocker: Blocker): string {
  const { state, stateMs, stateSince } = blocker;
  const since = stateSince ? ` since ${stateSince.toISOString()}` : '';
  const lasting = stateMs === undefined ? '' : ` for ${formatDuration(stateMs)}`;
  const head =
    state === 'unknown' ? 'State unknown' : `${state[0]?.toUpperCase()}${state.slice(1)}${lasting}${since}`;
  return `${head}; transaction started ${blocker.startedAt.toISOString()} on ${blocker.database || 'unknown database'}.`;
}

function waiterLines(waiters: Map<number, WaitingSession>): string[] {
  const sorted = [...waiters.values()].sort((a, b) => b.waitedMs - a.waitedMs);
  const lines = sorted
    .slice(0, MAX_LISTED_WAITERS)
    .map(
      (w) =>
        `- ${w.pid} (${w.user}) for ${formatDuration(w.waitedMs)}: ${sqlExcerpt(w.sql, WAITER_SQL_CHARS) || '(unknown)'}`,
    );
  const more = sorted.length - MAX_LISTED_WAITERS;
  return more > 0 ? [...lines, `+${more} more`] : lines;
}

export function blockerFinding(
  episode: BlockingEpisode,
  severity: Severity,
  dialect: SessionDialect,
): Finding {
  const { blocker, waiters } = episode;
  const n = waiters.size;
  const statement = blocker.state === 'active' ? 'Running statement' : 'Last statement';
  const end = endCommand(blocker, dialect);
  return {
    key: episodeKey(blocker),
    severity,
    title: `Session ${blocker.pid} (${blocker.user}) blocks ${n} ${n === 1 ? 'session' : 'sessions'} for up to ${formatDuration(episode.longestWaitMs)}`,
    summary: [
      stateLine(blocker),
      `Application: ${blocker.application || 'unknown'}; client: ${blocker.client || 'unknown'}.`,
      `${statement}: ${sqlExcerpt(blocker.sql, BLOCKER_SQL_CHARS) || '(unknown)'}`,
      `Waiting sessions (${n}):`,
      ...waiterLines(waiters),
      `To end it: ${end}`,
    ].join('\n'),
    labels: { user: blocker.user, database: blocker.database },
    metrics: { waitingSessions: n, longestWaitSeconds: Math.round(episode.longestWaitMs / 1000) },
    resource: {
      pid: blocker.pid,
      transactionStart: blocker.startedAt.toISOString(),
      state: blocker.state,
      stateSince: blocker.stateSince?.toISOString() ?? null,
      application: blocker.application || null,
      client: blocker.client || null,
      waitingPids: [...waiters.keys()].sort((a, b) => a - b),
      endCommand: end,
    },
  };
}
