import picomatch from 'picomatch';
import type { AlertSelector, Finding } from '../src/core/types';
import type { Match } from './config';

/**
 * Whether a selector (a key glob and/or labels) selects this finding: the one matcher behind routes, silences
 * and the alerts a finding `covers`.
 */
export function selects(selector: AlertSelector, finding: Pick<Finding, 'key' | 'labels'>): boolean {
  if (selector.key !== undefined && !picomatch.isMatch(finding.key, selector.key, { dot: true }))
    return false;
  return Object.entries(selector.labels ?? {}).every(([name, value]) => finding.labels?.[name] === value);
}

/** Whether a route's or silence's `match` selects this finding of this check. */
export function matches(
  match: Match | undefined,
  check: { id: string; kind: string },
  finding: Finding,
): boolean {
  if (!match) return true;
  if (match.check !== undefined && match.check !== check.id) return false;
  if (match.kind !== undefined && match.kind !== check.kind) return false;
  if (match.severity !== undefined && match.severity !== finding.severity) return false;
  return selects(match, finding);
}
