import type { StateStore } from '../src/state/types';
import { AGENT_CHECK_ID } from '../src/core/types';

/**
 * A channel that answered with a non-retryable error other than 400 (401/403/404: its configuration is wrong)
 * and has not delivered since. A 400 is about one message, which is dropped; the channel is not broken.
 */
export interface BrokenChannel {
  /** The channel's (redacted) error. */
  error: string;
  status?: number;
  /** ISO time it was first found broken. */
  since: string;
  /** True only in the run that found it broken: the one run that logs it as an error. */
  firstReported: boolean;
}

/** Where the broken state of a channel survives between runs (store watermarks of a reserved id). */
export const BROKEN_WATERMARK = {
  checkId: AGENT_CHECK_ID,
  name: (channel: string) => `channel-broken:${channel}`,
};

/** Channels that earlier runs found broken (they stay broken until a message gets through). */
export async function knownBroken(options: {
  store: StateStore;
  channels: Map<string, unknown>;
}): Promise<Map<string, BrokenChannel>> {
  const broken = new Map<string, BrokenChannel>();
  for (const name of options.channels.keys()) {
    const value = await options.store.getWatermark(BROKEN_WATERMARK.checkId, BROKEN_WATERMARK.name(name));
    if (!value) continue;
    try {
      const saved = JSON.parse(value) as { error: string; status?: number; since: string };
      broken.set(name, { ...saved, firstReported: false });
    } catch {
      broken.set(name, { error: 'unknown error', since: new Date(0).toISOString(), firstReported: false });
    }
  }
  return broken;
}

export function setBroken(store: StateStore, channel: string, value: string): Promise<void> {
  return store.setWatermark(BROKEN_WATERMARK.checkId, BROKEN_WATERMARK.name(channel), value);
}
