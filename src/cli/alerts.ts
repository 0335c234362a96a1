import { existsSync } from 'node:fs';
import { matches } from '../../alerts/match';
import { allSilences, silenceFor } from '../../alerts/pipeline';
import { utcMinute } from '../../alerts/render-text';
import { loadConfig, type GuardrailConfig } from '../config/load';
import { UsageError } from '../core/errors';
import { mostSevereFirst } from '../core/severity';
import { AGENT_CHECK_ID } from '../core/types';
import { openStateStore, sqliteFile } from '../state/open-store';
import { isClosed, isOpenCondition, type AlertState, type StateStore } from '../state/types';
import { undeliveredNote, undeliveredNotices, type UndeliveredNotice } from './alert-notices';
import { stateUrlFlag } from './flags';
import { compareText, oneLine } from '../core/text';

const FILTERS = ['firing', 'pending', 'silenced', 'resolved', 'retired', 'event', 'all'] as const;
type Filter = (typeof FILTERS)[number];
type Status = 'firing' | 'silenced' | 'pending' | 'resolved' | 'retired' | 'event';

interface AlertsFlags {
  config: string;
  /** Each value is a filter (see FILTERS) or a state store URL. */
  state?: string[];
  check?: string;
  format: 'text' | 'json';
}

/** One alert as `guardrail alerts` shows it. */
export interface ListedAlert {
  check: string;
  key: string;
  severity: AlertState['severity'];
  status: Status;
  title: string;
  since: string;
  lastSeenAt: string;
  /** When its last notice was queued; `undelivered` is set while that notice has not reached its channel. */
  lastNotifiedAt?: string;
  undelivered?: UndeliveredNotice;
  silencedBy?: string;
  silenceReason?: string;
  silencedUntil?: string;
  /** When it resolved or was retired. */
  resolvedAt?: string;
  /**
   * Its check does not run with this config: taken out of it (renamed, deleted) or `enabled: false`. Such an alert
   * keeps its state: nothing runs to resolve it.
   */
  checkNotRun?: 'not-in-config' | 'disabled';
}

export async function alertsCommand(flags: AlertsFlags): Promise<void> {
  const { filter, state } = stateFlags(flags.state);
  const config = loadStoreConfig(flags.config, state);
  // A check no longer in the config (renamed, deleted) is still named by its alerts in the store: those are listed.
  const unknown = flags.check !== undefined && !checkIds(config).includes(flags.check);
  const store = await openCliStore(config, state, { existing: true });
  const now = new Date();
  let alerts: ListedAlert[];
  try {
    const silences = allSilences(config.alerts.silences, await store.activeSilences(now));
    const kinds = kindsOf(config);
    const checkOf = (state: AlertState) => ({ id: state.checkId, kind: kinds.get(state.checkId) ?? '' });
    const undeliveredOf = undeliveredNotices(
      await store.undeliveredOutbox(flags.check),
      (state) => config.alerts.routes.find((r) => matches(r.match, checkOf(state), state.finding))?.channel,
    );
    const states = await store.listAlertStates(flags.check);
    if (unknown && !states.length) knownCheck(config, flags.check!);
    const notRun = checksNotRun(config);
    alerts = states.map((state) => {
      const check = checkOf(state);
      const checkNotRun = notRun(state.checkId);
      const silence = state.status === 'firing' ? silenceFor(silences, check, state.finding, now) : undefined;
      const undelivered = undeliveredOf(state);
      return {
        check: state.checkId,
        key: state.key,
        severity: state.severity,
        status: statusOf(state, !!silence),
        title: state.finding.title,
        since: state.firstFiringAt,
        lastSeenAt: state.lastSeenAt,
        ...(state.lastNotifiedAt ? { lastNotifiedAt: state.lastNotifiedAt } : {}),
        // When it closed (a trial found no trace of it): resolved, or retired.
        ...(state.resolvedAt && isClosed(state.status) ? { resolvedAt: state.resolvedAt } : {}),
        ...(undelivered ? { undelivered } : {}),
        ...(silence
          ? { silencedBy: silence.by, silenceReason: silence.reason, silencedUntil: silence.until }
          : {}),
        ...(checkNotRun && isOpenCondition(state) ? { checkNotRun } : {}),
      };
    });
  } finally {
    await store.close();
  }
  const shown = alerts.filter((a) => selected(a.status, filter)).sort(byUrgency);
  if (flags.format === 'json') process.stdout.write(`${JSON.stringify(shown, null, 2)}\n`);
  else process.stdout.write(`${formatAlerts(shown, filter)}\n`);
}

export interface RetireFlags {
  config: string;
  state?: string;
  check: string;
}

/**
 * `guardrail retire --check ID`: closes the open (firing or pending) alerts of a check that no longer runs with the
 * config (renamed, deleted, `enabled: false`) as retired, without a notice: nothing else would ever close them (a
 * review). A check that runs is refused: its next run resolves or retires its alerts itself.
 */
export async function retireCommand(flags: RetireFlags): Promise<void> {
  const state = stateUrlFlag(flags);
  const config = loadStoreConfig(flags.config, state);
  if (!checksNotRun(config)(flags.check))
    throw new UsageError(
      `check ${flags.check} runs with this config: its next run closes the alerts it no longer sees`,
    );
  const store = await openCliStore(config, state, { existing: true });
  try {
    const states = await store.listAlertStates(flags.check);
    // An id neither the config nor the store knows is a typo.
    if (!states.length) knownCheck(config, flags.check);
    const open = states.filter(isOpenCondition);
    if (!open.length) {
      process.stdout.write(`No open alerts of check ${flags.check}.\n`);
      return;
    }
    const at = new Date().toISOString();
    await store.commitAlerts(
      open.map(({ pendingRuns: _pending, silence: _silenced, ...s }) => ({
        ...s,
        status: 'retired',
        resolvedAt: at,
      })),
      [],
    );
    const keys = open.map((s) => s.key).join(', ');
    process.stdout.write(
      `Retired ${open.length} alert(s) of check ${flags.check}, no notice sent: ${keys}\n`,
    );
  } finally {
    await store.close();
  }
}

/**
 * Splits the `--state` values into the filter and the store URL (a URL always has `://`); with the state folder
 * `run` uses (GUARDRAIL_STATE_DIR), so that both read the same store.
 */
function stateFlags(values: string[] = []): { filter: Filter; state: StateLocation } {
  let filter: Filter = 'firing';
  let url = process.env.GUARDRAIL_STATE_URL;
  for (const value of values) {
    if ((FILTERS as readonly string[]).includes(value)) filter = value as Filter;
    else if (value.includes('://')) url = value;
    else throw new UsageError(`--state must be one of ${FILTERS.join(', ')} (or a state store URL)`);
  }
  return { filter, state: stateUrlFlag(url === undefined ? {} : { state: url }) };
}

function kindsOf(config: GuardrailConfig): Map<string, string> {
  const kinds = new Map(config.checks.map((c) => [c.id, c.kind]));
  return kinds.set(AGENT_CHECK_ID, 'agent-health');
}

function statusOf(state: AlertState, silenced: boolean): Status {
  if (state.status !== 'firing') return state.status;
  // An event (an expensive query) is told once and never resolves: it is history, not something firing now.
  if (state.finding.lifecycle === 'event') return 'event';
  return silenced ? 'silenced' : 'firing';
}

function selected(status: Status, filter: Filter): boolean {
  if (filter === 'all') return true;
  if (filter === 'firing') return status === 'firing' || status === 'silenced';
  return status === filter;
}

const STATUS_ORDER: Record<Status, number> = {
  firing: 0,
  silenced: 1,
  pending: 2,
  event: 3,
  resolved: 4,
  retired: 5,
};

function byUrgency(a: ListedAlert, b: ListedAlert): number {
  return (
    STATUS_ORDER[a.status] - STATUS_ORDER[b.status] ||
    mostSevereFirst(a.severity, b.severity) ||
    compareText(a.check, b.check) ||
    compareText(a.key, b.key)
  );
}

/**
 * An aligned table; a silenced alert gets a line saying by whom, why and until when, and one whose last notice did
 * not arrive a line saying where it was going and why.
 */
export function formatAlerts(alerts: ListedAlert[], filter: Filter): string {
  if (!alerts.length) return filter === 'all' ? 'No alerts.' : `No ${filter} alerts.`;
  const header = ['CHECK', 'KEY', 'SEVERITY', 'STATUS', 'SINCE', 'LAST NOTIFIED', 'TITLE'];
  const rows = alerts.map((a) => ({
    cells: [
      a.check,
      a.key,
      a.severity,
      a.status,
      utcMinute(a.since),
      a.undelivered ? 'not delivered' : a.lastNotifiedAt ? utcMinute(a.lastNotifiedAt) : 'never',
      a.title,
    ],
    notes: [
      ...(a.silencedBy
        ? [`silenced by ${a.silencedBy} until ${utcMinute(a.silencedUntil!)}: ${a.silenceReason}`]
        : []),
      ...(a.undelivered ? [undeliveredNote(a.undelivered)] : []),
      ...(a.checkNotRun ? [notRunNote(a.check, a.checkNotRun)] : []),
      ...(a.resolvedAt ? [`${a.status} ${utcMinute(a.resolvedAt)}`] : []),
    ],
  }));
  return table(header, rows);
}

/** Where a command's state store is: `--state` or the config's URL; a relative path under GUARDRAIL_STATE_DIR. */
export type StateLocation = ReturnType<typeof stateUrlFlag>;

/**
 * The config of a command that only reads and writes the state store: it never connects to a monitored database
 * nor sends, so an unset secret there (a webhook URL) stands in instead of failing it (a review found `alerts` and
 * `silence list` refusing to run on a laptop without the webhook's variable); the state URL it opens must be set.
 */
export function loadStoreConfig(file: string, state: StateLocation): GuardrailConfig {
  return loadConfig(file, process.env, {
    secrets: 'placeholder',
    needsStateUrl: state.stateUrl === undefined,
  });
}

/**
 * The store the config (or `--state`) names, found as `run` and `serve` find it: a relative SQLite path resolves
 * against GUARDRAIL_STATE_DIR when set (the image's state volume), else against the config's folder.
 */
export async function openCliStore(
  config: GuardrailConfig,
  state: StateLocation,
  { existing = false } = {},
): Promise<StateStore> {
  const url = state.stateUrl ?? config.state.url;
  const baseDir = state.stateDir ?? config.dir;
  // A command that only reads made an empty SQLite store at a mistyped --state and said "No firing alerts." (a
  // trial). The config's own store may not exist yet: nothing has run, and nothing fires.
  const file = existing && state.stateUrl !== undefined ? sqliteFile(url, baseDir) : undefined;
  if (file !== undefined && file !== ':memory:' && !existsSync(file)) {
    throw new UsageError(
      `no state store at ${file} (--state or GUARDRAIL_STATE_URL): \`guardrail run\` and \`serve\` make it there`,
    );
  }
  return openStateStore(url, baseDir);
}

/** A check id of the config (or the agent's own); otherwise a usage error listing the ids. */
export function knownCheck(config: GuardrailConfig, id: string): void {
  const ids = checkIds(config);
  if (!ids.includes(id))
    throw new UsageError(`unknown check id: ${id}; the config's checks: ${ids.join(', ')}`);
}

function checkIds(config: GuardrailConfig): string[] {
  return [...config.checks.map((c) => c.id), AGENT_CHECK_ID];
}

/** Why a check id of the store does not run with `config`, if it does not. */
function checksNotRun(config: GuardrailConfig): (id: string) => ListedAlert['checkNotRun'] {
  const enabled = new Map(config.checks.map((c) => [c.id, c.enabled]));
  return (id) =>
    id === AGENT_CHECK_ID
      ? undefined
      : !enabled.has(id)
        ? 'not-in-config'
        : enabled.get(id)
          ? undefined
          : 'disabled';
}

/** The line under an alert whose check does not run: why it keeps its state. */
function notRunNote(check: string, why: NonNullable<ListedAlert['checkNotRun']>): string {
  const what = why === 'disabled' ? `check ${check} is disabled` : `check ${check} is not in the config`;
  return (
    `${what}: nothing runs to resolve this alert; it stays as it was until the check runs again, or ` +
    `\`guardrail retire --check ${check}\` closes it`
  );
}

/**
 * Columns padded to their widest cell; a row's `notes` go on the next lines, indented. Each row stays one line: a
 * cell's line breaks (a driver's error in a check-error title) become spaces.
 */
export function table(header: string[], rows: { cells: string[]; notes?: string[] }[]): string {
  const flat = rows.map((r) => ({ cells: r.cells.map(oneLine), notes: (r.notes ?? []).map(oneLine) }));
  const widths = header.map((h, i) => Math.max(h.length, ...flat.map((r) => (r.cells[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  return [
    line(header),
    ...flat.flatMap((r) => [line(r.cells), ...r.notes.map((note) => `  ↳ ${note}`)]),
  ].join('\n');
}
