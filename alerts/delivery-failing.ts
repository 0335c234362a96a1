import { ANY_TIME, type StateStore } from '../src/state/types';
import { knownBroken } from './broken-channels';

/** A channel whose oldest pending message has failed this many attempts is reported as failing. */
export const FAILING_ATTEMPTS = 5;

/** A channel that keeps failing with retryable errors (a DNS typo, an outage): never broken, never delivering. */
export interface FailingChannel {
  /** Failed attempts of its oldest pending message. */
  attempts: number;
  /** ISO creation time of that message: the channel has delivered nothing older since then. */
  since: string;
  /** Its last (redacted) error. */
  error: string;
}

/**
 * The channels among `names` whose oldest pending message has failed at least FAILING_ATTEMPTS times, read
 * from the store. Channels in `skip` (already reported as broken) are left out.
 */
export async function failingChannels(
  store: StateStore,
  names: Iterable<string>,
  skip: ReadonlyMap<string, unknown>,
): Promise<Map<string, FailingChannel>> {
  const failing = new Map<string, FailingChannel>();
  for (const name of names) {
    if (skip.has(name)) continue;
    const [oldest] = await store.pendingOutbox(ANY_TIME, 1, [name]);
    if (!oldest || oldest.attempts < FAILING_ATTEMPTS) continue;
    failing.set(name, {
      attempts: oldest.attempts,
      since: oldest.createdAt,
      error: oldest.lastError ?? 'unknown error',
    });
  }
  return failing;
}

/**
 * The channels among `names` that the store knows as broken (they reject messages) or failing (see
 * failingChannels): for guardrail_channel_failing, which serve refreshes between runs (StoreProbe) so that every
 * replica says the same, and a rule need not catch a delivery in its window.
 */
export async function troubledChannels(store: StateStore, names: readonly string[]): Promise<Set<string>> {
  const broken = await knownBroken({ store, channels: new Map(names.map((n) => [n, undefined])) });
  const failing = await failingChannels(store, names, broken);
  return new Set([...broken.keys(), ...failing.keys()]);
}
