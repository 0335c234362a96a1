import { sleep } from '../core/limit';
import type { Logger } from '../core/log';
import { errorMessage } from '../core/redact';
import type { StateStore } from '../state/types';

/**
 * The run lease lasts this long past its last renewal (a third of it apart, while the run lives): a replica killed
 * mid-run holds its check this long at most, not for the whole run's limit, and so does a restarted replica's old
 * self. A run whose limit is shorter keeps that as its lease.
 */
export const RUN_LEASE_TTL_MS = 15_000;

export interface RunLease {
  store: Pick<StateStore, 'acquireLease'>;
  /** The lease's name (`check:<id>:running`) and this process's holder id. */
  name: string;
  holder: string;
  ttlMs: number;
  /** False once the run has outlived its limit: then the lease is let lapse (/healthz calls the run stuck). */
  renewing: () => boolean;
  /** Called once when another holder took the lease: the run must stop. */
  lost: (reason: string) => void;
  log: Logger;
  checkId: string;
  /** Called when a renewal got no answer: the store may be down (serve then asks it at once, for /readyz). */
  unanswered?: () => void;
}

/** What one renewal found: renewed, taken by another holder, or no answer in time. */
type Renewal = 'held' | 'taken' | 'unanswered';

/**
 * Renews a held run lease every third of its ttl until `end()`, or until `renewing()` turns false. Only a lease
 * another replica took stops the run (`lost`): two replicas must not run one check's alerting side by side. A store
 * that does not answer stops nothing: a single replica rides out a database failover with its run intact, and
 * should the lease lapse meanwhile, the per-check alert lock and the outbox claims still keep two runs from
 * announcing or sending the same thing; once the store answers, the run either renews its lease or learns it lost.
 */
export function keepRunLease(lease: RunLease): { end(): Promise<void> } {
  const ending = new AbortController();
  const ended = () => ending.signal.aborted;
  const done = (async () => {
    for (;;) {
      if (
        !(await sleep(lease.ttlMs / 3, ending.signal).then(
          () => true,
          () => false,
        ))
      )
        return;
      if (!lease.renewing()) return;
      const renewal = await renew(lease, lease.ttlMs);
      if (ended()) return;
      if (renewal === 'taken') return lease.lost('another replica took the run lease');
      if (renewal === 'unanswered') lease.unanswered?.();
    }
  })();
  return {
    end: () => {
      ending.abort();
      return done;
    },
  };
}

/** One renewal, given up after `waitMs` (a store that stopped answering does not fail the query itself). */
async function renew(lease: RunLease, waitMs: number): Promise<Renewal> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<Renewal>((resolve) => {
    timer = setTimeout(() => resolve('unanswered'), waitMs);
  });
  // Settles either way, so that an answer arriving after the wait is not an unhandled rejection.
  const answer = lease.store.acquireLease(lease.name, lease.holder, lease.ttlMs).then(
    (held): Renewal => (held ? 'held' : 'taken'),
    (error: unknown): Renewal => {
      lease.log.warn(
        { check: lease.checkId, err: errorMessage(error) },
        'state store: could not renew the run lease',
      );
      return 'unanswered';
    },
  );
  try {
    return await Promise.race([answer, late]);
  } finally {
    clearTimeout(timer);
  }
}
