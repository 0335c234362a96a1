import { randomUUID } from 'node:crypto';
import type { Route, Silence } from './config';
import { CHECK_ERROR_KEY, type CheckRunResult, type Finding } from '../src/core/types';
import { mostSevereFirst, worse } from '../src/core/severity';
import type {
  AlertState,
  OutboxRecord,
  PreviousAlertState,
  SilenceNote,
  StateStore,
  StoredSilence,
} from '../src/state/types';
import { transitions, type Transition } from './lifecycle';
import { matches } from './match';
import { capItems, type Firing } from './tally';
import type { Notification, NotificationItem } from './types';
import { compareText } from '../src/core/text';

export interface PipelineConfig {
  routes: Route[];
  silences: Silence[];
  repeatInterval: number;
  sendResolved: boolean;
}

export interface ReportedFinding extends Finding {
  state: Transition['reportState'];
  /** Silenced findings: who silenced it (`config` for a silence of the config file), why, and until when. */
  silencedBy?: string;
  silenceReason?: string;
  silencedUntil?: string;
}

/** A silence of the config or of the store, as the pipeline applies it. */
export interface ActiveSilence extends Silence {
  by: string;
}

export interface PipelineResult {
  notifications: Notification[];
  /** Per check id, the findings with their lifecycle state (resolved ones included). */
  findings: Map<string, ReportedFinding[]>;
  /** Findings that fired but were not notified (silenced, repeat not due, or no route); pending ones are not. */
  suppressed: number;
  /**
   * Per check id, the alerts the run left firing as they were, unknown this run (a table that could not be counted,
   * a check that failed): they still fire in Chat and in `guardrail alerts` (see firingAfter).
   */
  kept: Map<string, Finding[]>;
}

/** Every alert of a check firing after its run: its findings that fire (silenced too, pending not), and `kept`. */
export function firingAfter(findings: readonly ReportedFinding[], kept: readonly Finding[]): Finding[] {
  return [...findings.filter((f) => FIRING.has(f.state)), ...kept];
}

/**
 * Findings → silences → lifecycle → routes → one notification per channel per check. Unless `dryRun`, each
 * check's new alert states and notifications are committed to the state store in one transaction, before any
 * send, with its previous states read under the same lock: two processes running the check at once announce a
 * finding once.
 */
export async function processResults(
  results: CheckRunResult[],
  config: PipelineConfig,
  store: StateStore,
  now: Date,
  dryRun: boolean,
): Promise<PipelineResult> {
  const notifications: Notification[] = [];
  const findings = new Map<string, ReportedFinding[]>();
  const kept = new Map<string, Finding[]>();
  let suppressed = 0;
  // Read once per pass: the silences added with `guardrail silence` apply beside the config's.
  const silences = allSilences(config.silences, await store.activeSilences(now));

  for (const result of results) {
    if (result.status === 'skipped') continue;
    const keys = result.findings.map((f) => f.key);
    let outcome: CheckOutcome | undefined;
    const decide = (previous: PreviousAlertState[]) =>
      (outcome = decideCheck(result, previous, { ...config, silences }, now));
    if (dryRun) decide(await store.alertStates(result.id, keys));
    else
      await store.updateAlerts(result.id, keys, (previous) => {
        const decided = decide(previous);
        return { states: decided.states, outbox: decided.notifications.map((n) => toOutbox(n, now)) };
      });
    if (!outcome) throw new Error(`the state store did not decide the alerts of check ${result.id}`);
    findings.set(result.id, outcome.findings);
    kept.set(result.id, outcome.kept);
    notifications.push(...outcome.notifications);
    suppressed += outcome.suppressed;
  }
  return { notifications, findings, suppressed, kept };
}

interface CheckOutcome {
  findings: ReportedFinding[];
  kept: Finding[];
  states: AlertState[];
  notifications: Notification[];
  suppressed: number;
}

/** One check's run against its previous alert states: synchronous, so it can run inside the store's lock. */
function decideCheck(
  result: CheckRunResult,
  previous: PreviousAlertState[],
  config: PipelineConfig & { silences: ActiveSilence[] },
  now: Date,
): CheckOutcome {
  const check = { id: result.id, kind: result.kind };
  const silenceOf = (f: Finding) => silenceFor(config.silences, check, f, now);
  // A check that threw observed nothing; one that reported `errors` (partial) ran, and its findings `cover`
  // what it left unknown, so its alerts move as usual.
  const errored = result.status === 'error' && !result.partial;
  const list = transitions({
    checkId: result.id,
    findings: result.findings,
    // A failing check keeps its other alerts as they were; only its own check-error alert moves.
    previous: errored ? previous.filter((s) => s.key === CHECK_ERROR_KEY) : previous,
    silenceOf,
    now,
    repeatIntervalMs: config.repeatInterval,
    sendResolved: config.sendResolved,
    ...(result.pendingFor ? { pendingFor: result.pendingFor } : {}),
    ...(result.scope ? { scope: result.scope } : {}),
  });

  const states: AlertState[] = [];
  let suppressed = 0;
  const byChannel = new Map<string, NotificationItem[]>();
  // Per channel, every alert firing now, told this run or not: a message of 1 new says how many fire in all, and
  // the worst of them.
  const firing = new Map<string, Firing>();
  for (const t of list) {
    const fires = t.reportState === 'new' || (t.reportState === 'firing' && t.finding.lifecycle !== 'event');
    const route =
      t.notify || fires ? config.routes.find((r) => matches(r.match, check, t.finding)) : undefined;
    if (fires && route) {
      const was = firing.get(route.channel);
      const severity = t.finding.severity;
      firing.set(route.channel, {
        count: (was?.count ?? 0) + 1,
        worst: was?.worst ? worse(was.worst, severity) : severity,
      });
    }
    // An alert counts as notified only when a message was queued for it; unrouted, it keeps its old state.
    states.push(t.notify && !route ? (t.unsent ?? t.next) : t.next);
    if (!t.notify || !route) {
      // A pending alert has not fired yet: not suppressed, just not due.
      if (t.reportState !== 'resolved' && t.reportState !== 'retired' && t.reportState !== 'pending')
        suppressed++;
      continue;
    }
    const items = byChannel.get(route.channel) ?? [];
    items.push(toItem(t));
    byChannel.set(route.channel, items);
  }
  const notifications = [...byChannel].map(([channel, items]) => ({
    id: randomUUID(),
    channel,
    checkId: result.id,
    checkKind: result.kind,
    createdAt: now.toISOString(),
    ...capItems(sortItems(items), firing.get(channel)),
  }));
  const decided = new Set(list.map((t) => t.key));
  const kept = previous
    .filter((s) => s.status === 'firing' && !decided.has(s.key) && s.finding?.lifecycle !== 'event')
    .map((s) => s.finding ?? { key: s.key, severity: s.severity, title: s.key });
  return {
    findings: list.filter((t) => !t.forgotten).map(reported),
    kept,
    states,
    notifications,
    suppressed,
  };
}

/** Several passes' results as one (each check is in one of them). */
export function mergePipelines(parts: readonly PipelineResult[]): PipelineResult {
  return {
    notifications: parts.flatMap((p) => p.notifications),
    findings: new Map(parts.flatMap((p) => [...p.findings])),
    suppressed: parts.reduce((sum, p) => sum + p.suppressed, 0),
    kept: new Map(parts.flatMap((p) => [...p.kept])),
  };
}

/** The states of a finding of the run that fires after it. */
const FIRING = new Set<Transition['reportState']>(['new', 'firing', 'silenced']);

/** Config silences (by `config`) and the store's, in one list. */
export function allSilences(config: Silence[], stored: StoredSilence[]): ActiveSilence[] {
  const fromStore = stored.map((s): ActiveSilence => ({
    match: {
      check: s.checkId,
      ...(s.key !== undefined ? { key: s.key } : {}),
      ...(s.labels ? { labels: s.labels } : {}),
    },
    until: s.until,
    reason: s.reason,
    by: s.createdBy,
  }));
  return [...config.map((s) => ({ ...s, by: 'config' })), ...fromStore];
}

/** The first active silence that mutes this finding of this check, as a note for the alert. */
export function silenceFor(
  silences: ActiveSilence[],
  check: { id: string; kind: string },
  finding: Finding,
  now: Date,
): SilenceNote | undefined {
  const hit = silences.find((s) => Date.parse(s.until) > now.getTime() && matches(s.match, check, finding));
  return hit ? { by: hit.by, reason: hit.reason, until: hit.until } : undefined;
}

function reported(t: Transition): ReportedFinding {
  const silence = t.reportState === 'silenced' ? t.next.silence : undefined;
  return {
    ...t.finding,
    state: t.reportState,
    ...(silence
      ? { silencedBy: silence.by, silenceReason: silence.reason, silencedUntil: silence.until }
      : {}),
  };
}

function toItem(t: Transition): NotificationItem {
  const f = t.finding;
  return {
    key: f.key,
    status: t.notify!,
    severity: f.severity,
    title: f.title,
    ...(f.summary !== undefined ? { summary: f.summary } : {}),
    ...(f.metrics ? { metrics: f.metrics } : {}),
    ...(f.labels ? { labels: f.labels } : {}),
    ...(f.resource ? { resource: f.resource } : {}),
    ...(f.links ? { links: f.links } : {}),
    firingSince: t.next.firstFiringAt,
    ...(t.next.resolvedAt ? { resolvedAt: t.next.resolvedAt } : {}),
    lifecycle: f.lifecycle ?? 'condition',
    ...(t.wasSilenced ? { silence: t.wasSilenced } : {}),
  };
}

const STATUS_ORDER = { new: 0, repeat: 1, resolved: 2, retired: 3 } as const;

/** New before repeat before resolved; within each, most severe first; then by key for stable output. */
function sortItems(items: NotificationItem[]): NotificationItem[] {
  return items.sort(
    (a, b) =>
      STATUS_ORDER[a.status] - STATUS_ORDER[b.status] ||
      mostSevereFirst(a.severity, b.severity) ||
      compareText(a.key, b.key),
  );
}

export function toOutbox(n: Notification, now: Date): OutboxRecord {
  return {
    id: n.id,
    channel: n.channel,
    checkId: n.checkId,
    createdAt: n.createdAt,
    payload: n,
    status: 'pending',
    attempts: 0,
    nextAttemptAt: now.toISOString(),
  };
}
