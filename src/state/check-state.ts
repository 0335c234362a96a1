import type { CheckState } from '../core/types';
import type { StateStore } from './types';

/** The view of the store a check gets: its own watermarks and first-seen keys, nothing of other checks. */
export function checkStateFor(store: StateStore, checkId: string): CheckState {
  return {
    getWatermark: (name) => store.getWatermark(checkId, name),
    setWatermark: (name, value) => store.setWatermark(checkId, name, value),
    observe: (scope, keys, now) => store.observe(checkId, scope, keys, now),
  };
}
