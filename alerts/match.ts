import picomatch from 'picomatch';
import type { Match } from '../src/config/schema';
import type { Finding } from '../src/core/types';

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
  if (match.key !== undefined && !picomatch.isMatch(finding.key, match.key, { dot: true })) return false;
  for (const [name, value] of Object.entries(match.labels ?? {})) {
    if (finding.labels?.[name] !== value) return false;
  }
  return true;
}
