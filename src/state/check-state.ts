import type { CheckState } from '../core/types';
import type { StateStore } from './types';

/**
 * The view a dry run's check gets: it reads the store, and what it would write (a watermark moved past the jobs
 * it reported, first sightings) stays in this run. A dry run that moved a watermark hid every job before it from
 * the next real run, which then never reported them.
 */
export function dryRunCheckState(store: StateStore, checkId: string): CheckState {
  const watermarks = new Map<string, string>();
  return {
    getWatermark: async (name) => watermarks.get(name) ?? store.getWatermark(checkId, name),
    setWatermark: async (name, value) => {
      watermarks.set(name, value);
    },
    observe: async (scope, keys, now) => {
      const known = await store.firstSeen(checkId, scope);
      return new Map(keys.map((key) => [key, known.get(key) ?? now]));
    },
  };
}

/** The view of the store a check gets: its own watermarks and first-seen keys, nothing of other checks. */
export function checkStateFor(store: StateStore, checkId: string): CheckState {
  return {
    getWatermark: (name) => store.getWatermark(checkId, name),
    setWatermark: (name, value) => store.setWatermark(checkId, name, value),
    observe: (scope, keys, now) => store.observe(checkId, scope, keys, now),
  };
}
