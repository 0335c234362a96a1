import type { Finding } from '../../src/core/types';
import type { Severity } from '../../src/core/severity';
import { formatDuration } from '../../src/core/duration';
import { cleanText } from '../../src/connectors/session-source';
import type { Blocker, LockWait } from './query';

/** A blocking session and the sessions waiting on it. */
export interface BlockingEpisode {
  blocker: Blocker;
  /** Waiting pid → how long it has waited (ms). */
  waiters: Map<number, number>;
  longestWaitMs: number;
}

/** Groups waits by blocking session (pid + transaction start, so a reused pid is a new episode). */
export function groupByBlocker(waits: LockWait[]): BlockingEpisode[] {
  const episodes = new Map<string, BlockingEpisode>();
  for (const wait of waits) {
    const key = episodeKey(wait.blocker);
    const episode = episodes.get(key) ?? { blocker: wait.blocker, waiters: new Map(), longestWaitMs: 0 };
    const { waitedMs } = wait;
    episode.waiters.set(wait.waiterPid, Math.max(waitedMs, episode.waiters.get(wait.waiterPid) ?? 0));
    episode.longestWaitMs = Math.max(episode.longestWaitMs, waitedMs);
    episodes.set(key, episode);
  }
  return [...episodes.values()].sort((a, b) => b.longestWaitMs - a.longestWaitMs);
}

function episodeKey(blocker: Blocker): string {
  return `${blocker.pid}@${blocker.startedAt.toISOString()}`;
}

export function blockerFinding(episode: BlockingEpisode, severity: Severity): Finding {
  const { blocker, waiters } = episode;
  const n = waiters.size;
  const waiting = [...waiters]
    .sort((a, b) => b[1] - a[1])
    .map(([pid, ms]) => `${pid} (${formatDuration(ms)})`)
    .join(', ');
  return {
    key: episodeKey(blocker),
    severity,
    title: `Session ${blocker.pid} (${blocker.user}) blocks ${n} ${n === 1 ? 'session' : 'sessions'} for up to ${formatDuration(episode.longestWaitMs)}`,
    summary: [
      `Transaction started ${blocker.startedAt.toISOString()} on ${blocker.database}.`,
      `Blocking query: ${cleanText(blocker.sql) || '(unknown)'}`,
      `Waiting sessions: ${waiting}`,
    ].join('\n'),
    labels: { user: blocker.user, database: blocker.database },
    metrics: { waitingSessions: n, longestWaitSeconds: Math.round(episode.longestWaitMs / 1000) },
    resource: { pid: blocker.pid, transactionStart: blocker.startedAt.toISOString() },
  };
}
