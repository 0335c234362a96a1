import { selects } from '../../alerts/match';
import { distanceWithin } from '../connectors/describe';
import type { Finding } from '../core/types';
import { compareText } from '../core/text';
import { isOpenCondition, type AlertState, type StoredSilence } from '../state/types';

/** Keys and labels further than this many edits from the one given are not named as nearest. */
const MAX_HINT_DISTANCE = 3;
const MAX_HINTS = 3;

/**
 * A warning for a silence by key or labels that matches none of its check's firing or pending alerts: it is kept
 * (it may be meant for an alert yet to come), but a typo (`shop.orderz`, `tabel=x`) was accepted silently and
 * muted nothing (a trial). Names the nearest keys and labels the alerts have. A silence of the whole check
 * matches whatever fires, so it gets none.
 */
export function unmatchedWarning(silence: StoredSilence, states: readonly AlertState[]): string | undefined {
  const { key, labels } = silence;
  if (key === undefined && labels === undefined) return undefined;
  const current = states.filter(isOpenCondition).map((s) => s.finding);
  if (current.some((finding) => selects({ key, labels }, finding))) return undefined;
  const hints = [
    ...(key !== undefined ? keyHint(key, current) : []),
    ...Object.entries(labels ?? {}).flatMap(([name, value]) => labelHint(name, value, current)),
  ];
  return (
    `warning: silence ${silence.id} matches none of check ${silence.checkId}'s firing or pending alerts ` +
    `(${current.length || 'none'} now), so it mutes only alerts yet to come` +
    hints.map((hint) => `; ${hint}`).join('')
  );
}

function keyHint(key: string, findings: readonly Finding[]): string[] {
  if (findings.some((f) => selects({ key }, f))) return [];
  const keys = findings.map((f) => f.key);
  const near = nearest(key, keys);
  return near.length ? [`nearest keys: ${near.join(', ')}`] : [];
}

function labelHint(name: string, value: string, findings: readonly Finding[]): string[] {
  if (findings.some((f) => f.labels?.[name] === value)) return [];
  const values = findings.flatMap((f) => f.labels?.[name] ?? []);
  const names = findings.flatMap((f) => Object.keys(f.labels ?? {}));
  const near = values.length ? nearest(value, values).map((v) => `${name}=${v}`) : nearest(name, names);
  const what = values.length ? `${name}=${value}` : `label ${name}`;
  return [`no alert has ${what}${near.length ? ` (nearest: ${near.join(', ')})` : ''}`];
}

/** The names closest to `wanted`, within MAX_HINT_DISTANCE edits, the closest first. */
function nearest(wanted: string, names: readonly string[]): string[] {
  return [...new Set(names)]
    .map((name) => ({ name, distance: distanceWithin(name, wanted, MAX_HINT_DISTANCE) }))
    .filter((n) => n.distance !== Infinity)
    .sort((a, b) => a.distance - b.distance || compareText(a.name, b.name))
    .slice(0, MAX_HINTS)
    .map((n) => n.name);
}
