import {
  CHECK_ERROR_KEY,
  isErrorKey,
  type CheckScope,
  type Finding,
  type PendingFor,
} from '../src/core/types';
import { severityRank, worse } from '../src/core/severity';
import { isClosed, type AlertState, type PreviousAlertState, type SilenceNote } from '../src/state/types';
import { selects } from './match';
import type { ItemStatus } from './types';

/** How one finding (or one vanished finding) stands after this run. */
export interface Transition {
  key: string;
  finding: Finding;
  /** What the run report shows. */
  reportState: 'pending' | 'new' | 'firing' | 'resolved' | 'silenced' | 'retired';
  /** Left out of the run report: a pending alert that vanished before it fired, forgotten silently. */
  forgotten?: true;
  /** Set when a notification is due. */
  notify?: ItemStatus;
  next: AlertState;
  /** The state to keep instead of `next` when the due notification is not sent (no route matched). */
  unsent?: AlertState;
  /** The silence that muted this still-firing alert until this run: its announcement says so. */
  wasSilenced?: SilenceNote;
}

export interface LifecycleInput {
  checkId: string;
  findings: Finding[];
  previous: PreviousAlertState[];
  /** The active silence that mutes this finding, if any. */
  silenceOf(finding: Finding): SilenceNote | undefined;
  now: Date;
  repeatIntervalMs: number;
  sendResolved: boolean;
  /** The check's `for:`: a new condition stays pending (not notified) until reported this long. */
  pendingFor?: PendingFor;
  /** What the check looks at now (CheckResult.scope): an alert about anything else is retired, not resolved. */
  scope?: CheckScope;
}

/** What a retired alert's notice says in place of its last summary. */
export const RETIRED_SUMMARY =
  "No longer checked: what it is about was taken out of the check's config, so it is closed without a word on " +
  'whether the condition ended.';

/**
 * The alert lifecycle per fingerprint: (pending while `for:` has not passed →) new → notify; repeat after the
 * interval; resolved notice; events once.
 */
export function transitions(input: LifecycleInput): Transition[] {
  const { now, checkId } = input;
  const at = now.toISOString();
  const previous = new Map(input.previous.map((s) => [s.key, s]));
  const out: Transition[] = [];
  const seen = new Set<string>();

  for (const finding of input.findings) {
    if (seen.has(finding.key)) continue; // a check reporting a key twice is one alert
    seen.add(finding.key);
    const prev = previous.get(finding.key);
    const silence = input.silenceOf(finding);
    const event = finding.lifecycle === 'event';
    // Retired within the repeat interval of its last notice and seen again (a replica or a job still on an older
    // config checks it, during a rolling deploy): its episode goes on, instead of a new page at each alternation
    // (a trial).
    const resumed =
      prev?.status === 'retired' &&
      prev.lastNotifiedAt !== undefined &&
      now.getTime() - Date.parse(prev.lastNotifiedAt) < input.repeatIntervalMs;
    const episodeOpen = prev?.status === 'firing' || resumed;
    const wasPending = prev?.status === 'pending';
    const base: AlertState = {
      checkId,
      key: finding.key,
      status: 'firing',
      // The highest severity of the open episode, so a warning/critical flip does not re-notify each time.
      // A pending alert has told no one: it starts its episode at the severity it is announced with.
      severity: episodeOpen ? worse(finding.severity, prev.severity) : finding.severity,
      // An alert that was pending fires since its first sighting.
      firstFiringAt: episodeOpen || wasPending ? prev.firstFiringAt : at,
      lastSeenAt: at,
      lastNotifiedAt: episodeOpen ? prev.lastNotifiedAt : undefined,
      finding,
    };
    // A silence that ended (expired, or was expired by hand) since the last run: announce the alert again now.
    const ended = episodeOpen && prev.silence ? endedSilence(prev.silence, now) : undefined;
    const pendingRuns = wasPending ? (prev.pendingRuns ?? 1) + 1 : 1;
    // `for:` delays breaches; events, and a check that cannot run, are told at once.
    const gated = input.pendingFor && !event && finding.key !== CHECK_ERROR_KEY;
    if (gated && !episodeOpen && !held(input.pendingFor!, pendingRuns, base, now)) {
      out.push({
        key: finding.key,
        finding,
        reportState: 'pending',
        next: { ...base, status: 'pending', pendingRuns },
      });
    } else if (event && prev) {
      out.push({
        key: finding.key,
        finding,
        reportState: 'firing',
        // An event keeps the finding it was first announced with (its row always carries it).
        next: { ...base, finding: prev.finding ?? finding },
      });
    } else if (silence) {
      out.push({ key: finding.key, finding, reportState: 'silenced', next: { ...base, silence } });
    } else if (!episodeOpen || !prev.lastNotifiedAt) {
      out.push({
        key: finding.key,
        finding,
        reportState: 'new',
        notify: 'new',
        next: { ...base, lastNotifiedAt: at },
        unsent: base,
        ...(ended ? { wasSilenced: ended } : {}),
      });
    } else {
      const escalated = severityRank(finding.severity) > severityRank(prev.severity);
      const due = now.getTime() - Date.parse(prev.lastNotifiedAt) >= input.repeatIntervalMs;
      const cause = causeChange(prev, finding, now);
      const notify = escalated || due || ended || cause === 'tell' ? ('repeat' as const) : undefined;
      // A new cause not told yet keeps the stored finding (the cause last told) to compare with on later runs.
      const kept = cause === 'wait' && prev.finding ? { ...base, finding: prev.finding } : base;
      const next = notify ? { ...base, lastNotifiedAt: at } : kept;
      out.push({
        key: finding.key,
        finding,
        reportState: 'firing',
        ...(notify ? { notify, unsent: base } : {}),
        ...(ended ? { wasSilenced: ended } : {}),
        next,
      });
    }
  }

  const covered = coverage(input.findings);
  for (const stored of input.previous) {
    if (seen.has(stored.key) || isClosed(stored.status)) continue;
    const prev: AlertState = { ...stored, finding: storedFinding(stored) };
    if (prev.finding.lifecycle === 'event') continue;
    if (covered(prev.finding)) continue; // unknown this run: keep its state as it was
    // Not reported because what it is about left the config (a table line deleted): a RESOLVED would read as
    // all clear while the drift may remain (a trial).
    const retired = outOfScope(prev.key, input.scope);
    const state = retired ? ('retired' as const) : ('resolved' as const);
    if (prev.status === 'pending') {
      // It never fired: no notice, and a later sighting starts its count over.
      const { pendingRuns: _runs, ...pending } = prev;
      const next: AlertState = { ...pending, status: state, resolvedAt: at };
      out.push({ key: prev.key, finding: prev.finding, reportState: state, forgotten: true, next });
      continue;
    }
    const { silence: _silence, ...open } = prev;
    const notify = input.sendResolved && prev.lastNotifiedAt && !input.silenceOf(prev.finding);
    const next: AlertState = { ...open, status: state, resolvedAt: at };
    out.push({
      key: prev.key,
      // At the episode's severity, as it was notified and as `guardrail alerts` lists it: a critical that eased to
      // a warning before it resolved read 'RESOLVED WARNING' under a page that said CRITICAL (a trial).
      finding: { ...prev.finding, severity: prev.severity, ...(retired ? { summary: RETIRED_SUMMARY } : {}) },
      reportState: state,
      ...(notify ? { notify: state } : {}),
      next,
    });
  }
  return out;
}

/**
 * The stored finding of an alert this run did not report, or of an event: the store reads those (see
 * PreviousAlertState). Should a store and the run ever disagree on a key, the alert still resolves, under its key
 * as title, rather than stop the alerting of every check.
 */
function storedFinding(state: PreviousAlertState): Finding {
  return state.finding ?? { key: state.key, severity: state.severity, title: state.key };
}

/** Whether an alert is about something the check no longer looks at (see CheckResult.scope). */
function outOfScope(key: string, scope: CheckScope | undefined): boolean {
  return !!scope && key !== CHECK_ERROR_KEY && !scope.keys.has(key);
}

/** The silence as it ended: one expired by hand before its `until` ended by this run at the latest. */
function endedSilence(silence: SilenceNote, now: Date): SilenceNote {
  return Date.parse(silence.until) > now.getTime() ? { ...silence, until: now.toISOString() } : silence;
}

/** Whether a pending alert has been reported for as long as `for:` asks (runs, or time since first seen). */
function held(pendingFor: PendingFor, runs: number, state: AlertState, now: Date): boolean {
  if ('runs' in pendingFor) return runs >= pendingFor.runs;
  return now.getTime() - Date.parse(state.firstFiringAt) >= pendingFor.ms;
}

/** Characters that make a selector's key a glob (picomatch's, extglobs included). */
const GLOB = /[*?[\]{}()!+@\\]/;

/**
 * Whether the findings' `covers` select an alert: a key with no glob character and no labels is looked up in a
 * set, so that one finding covering the 13,000 tables a lost connection left uncounted costs a lookup per alert,
 * not a glob match per table.
 */
function coverage(findings: readonly Finding[]): (finding: Pick<Finding, 'key' | 'labels'>) => boolean {
  const covers = findings.flatMap((f) => f.covers ?? []);
  const exact = new Set<string>();
  const others = covers.filter((c) => {
    if (c.key === undefined || c.labels || GLOB.test(c.key)) return true;
    exact.add(c.key);
    return false;
  });
  return (finding) => exact.has(finding.key) || others.some((c) => selects(c, finding));
}

/**
 * Whether a check's (or a region's) error alert now has another cause than the one last told: a rate limit that
 * became Access Denied. Without this the thread went on blaming the first cause until repeatInterval (4 h), as an
 * on-call trial found. What varies from run to run within one cause is left out of the comparison: figures and any
 * word holding a digit (durations, counts, ids, addresses), parentheses (details such as the first failed query),
 * quoted text and `name=value` values. A new cause is told no sooner than CAUSE_NOTICE_MS after the last notice,
 * so that a cause that still varies in its words cannot page every run; until then the stored finding stays the
 * one last told, so the change is told once that time has passed.
 */
function causeChange(prev: PreviousAlertState, finding: Finding, now: Date): 'same' | 'tell' | 'wait' {
  if (!isErrorKey(finding.key) || !prev.finding || !prev.lastNotifiedAt) return 'same';
  if (errorCause(prev.finding.title) === errorCause(finding.title)) return 'same';
  return now.getTime() - Date.parse(prev.lastNotifiedAt) < CAUSE_NOTICE_MS ? 'wait' : 'tell';
}

const CAUSE_NOTICE_MS = 15 * 60_000;

/** An error's text without what varies within one cause (see causeChange). */
export function errorCause(title: string): string {
  let text = title;
  for (let before = ''; before !== text;) {
    before = text;
    text = text.replace(/\([^()]*\)/g, ' ');
  }
  return text
    .replace(/'[^']*'|"[^"]*"|`[^`]*`/g, ' ')
    .replace(/=\S+/g, '=')
    .split(/\s+/)
    .filter((word) => word && !/\d/.test(word))
    .join(' ');
}
