import { randomBytes } from 'node:crypto';
import { Silence } from '../../alerts/config';
import { utcMinute } from '../../alerts/render-text';
import { parseDuration } from '../core/duration';
import { UsageError } from '../core/errors';
import type { StoredSilence } from '../state/types';
import { knownCheck, loadStoreConfig, openCliStore, table } from './alerts';
import { stateUrlFlag } from './flags';
import type { GlobalOptions } from './options';
import { unmatchedWarning } from './silence-unmatched';

interface AddFlags extends GlobalOptions {
  check: string;
  key?: string;
  label?: string[];
  until?: string;
  for?: string;
  reason: string;
  by?: string;
}

/**
 * `guardrail silence add`: stores a silence beside the config's; the next run applies it. Warns (on stderr) when
 * it matches none of the check's firing or pending alerts.
 */
export async function silenceAddCommand(flags: AddFlags): Promise<void> {
  const now = new Date();
  const until = endOf(flags, now);
  const labels = parseLabels(flags.label ?? []);
  const state = stateUrlFlag(flags);
  const config = loadStoreConfig(flags.config, state);
  knownCheck(config, flags.check);
  const silence: StoredSilence = {
    // Short enough to type during an incident; 32 random bits do not collide among a store's silences.
    id: randomBytes(4).toString('hex'),
    checkId: flags.check,
    ...(flags.key !== undefined ? { key: flags.key } : {}),
    ...(Object.keys(labels).length ? { labels } : {}),
    until,
    reason: flags.reason,
    createdBy: flags.by ?? (process.env.USER || 'unknown'),
    createdAt: now.toISOString(),
  };
  const store = await openCliStore(config, state);
  let warning: string | undefined;
  try {
    await store.addSilence(silence);
    warning = unmatchedWarning(silence, await store.listAlertStates(silence.checkId));
  } finally {
    await store.close();
  }
  process.stdout.write(`silence ${silence.id} added: ${describe(silence)}\n`);
  if (warning) process.stderr.write(`${warning}\n`);
}

/** `guardrail silence list`: the config's silences and the store's, active ones unless `--all`. */
export async function silenceListCommand(
  flags: GlobalOptions & { all?: boolean; format: 'text' | 'json' },
): Promise<void> {
  const state = stateUrlFlag(flags);
  const config = loadStoreConfig(flags.config, state);
  const now = new Date();
  const store = await openCliStore(config, state, { existing: true });
  let stored: StoredSilence[];
  try {
    stored = flags.all ? await store.allSilences() : await store.activeSilences(now);
  } finally {
    await store.close();
  }
  const fromConfig = config.alerts.silences
    .filter((s) => flags.all || Date.parse(s.until) > now.getTime())
    .map((s) => ({ id: 'config', match: s.match, until: s.until, reason: s.reason, by: 'config' }));
  const listed = [
    ...fromConfig,
    ...stored.map((s) => ({
      id: s.id,
      match: {
        check: s.checkId,
        ...(s.key ? { key: s.key } : {}),
        ...(s.labels ? { labels: s.labels } : {}),
      },
      until: s.until,
      reason: s.reason,
      by: s.createdBy,
      createdAt: s.createdAt,
      ...(s.expiredAt ? { expiredAt: s.expiredAt } : {}),
    })),
  ].map((s) => ({ ...s, active: Date.parse(s.until) > now.getTime() }));
  if (flags.format === 'json') {
    process.stdout.write(`${JSON.stringify(listed, null, 2)}\n`);
    return;
  }
  if (!listed.length) {
    process.stdout.write(flags.all ? 'No silences.\n' : 'No active silences.\n');
    return;
  }
  const header = ['ID', 'MATCH', 'UNTIL', 'STATE', 'BY', 'REASON'];
  const rows = listed.map((s) => ({
    cells: [
      s.id,
      matchText(s.match),
      utcMinute(s.until),
      s.active ? 'active' : 'expiredAt' in s ? 'expired by hand' : 'expired',
      s.by,
      s.reason,
    ],
  }));
  process.stdout.write(`${table(header, rows)}\n`);
}

/** `guardrail silence expire ID`: ends a stored silence now. */
export async function silenceExpireCommand(id: string, flags: GlobalOptions): Promise<void> {
  const state = stateUrlFlag(flags);
  const config = loadStoreConfig(flags.config, state);
  const store = await openCliStore(config, state, { existing: true });
  try {
    const silence = (await store.allSilences()).find((s) => s.id === id);
    if (!silence) throw new UsageError(`no silence with id ${id} (guardrail silence list --all shows them)`);
    if (!(await store.expireSilence(id, new Date()))) {
      process.stdout.write(`silence ${id} already ended at ${utcMinute(silence.until)}\n`);
      return;
    }
  } finally {
    await store.close();
  }
  process.stdout.write(`silence ${id} expired: the next run announces its alerts again if they still fire\n`);
}

/** `--until` (parsed as a config silence's `until`) or `--for` (a duration from now): exactly one. */
function endOf(flags: Pick<AddFlags, 'until' | 'for'>, now: Date): string {
  if ((flags.until === undefined) === (flags.for === undefined))
    throw new UsageError('silence add needs exactly one of --until TIME or --for DURATION');
  let until: string;
  if (flags.for !== undefined) {
    const ms = parseDuration(flags.for);
    if (ms === undefined || ms <= 0)
      throw new UsageError(`--for '${flags.for}' is not a duration (e.g. 4h, 30m, 2d)`);
    until = new Date(now.getTime() + ms).toISOString();
  } else {
    const parsed = Silence.shape.until.safeParse(flags.until);
    if (!parsed.success) throw new UsageError(`--until: ${parsed.error.issues[0]?.message ?? 'not a date'}`);
    until = parsed.data;
  }
  if (Date.parse(until) <= now.getTime()) throw new UsageError(`--until ${flags.until} is in the past`);
  return until;
}

function parseLabels(pairs: string[]): Record<string, string> {
  const labels: Record<string, string> = {};
  for (const pair of pairs) {
    const at = pair.indexOf('=');
    if (at <= 0) throw new UsageError(`--label '${pair}' must be name=value`);
    labels[pair.slice(0, at)] = pair.slice(at + 1);
  }
  return labels;
}

function describe(s: StoredSilence): string {
  const match = matchText({
    check: s.checkId,
    ...(s.key ? { key: s.key } : {}),
    ...(s.labels ? { labels: s.labels } : {}),
  });
  return `${match} until ${utcMinute(s.until)}, by ${s.createdBy}: ${s.reason}`;
}

function matchText(match: Silence['match']): string {
  const parts = Object.entries(match).map(([name, value]) =>
    name === 'labels'
      ? Object.entries(value as Record<string, string>)
          .map(([k, v]) => `${k}=${v}`)
          .join(',')
      : `${name}=${String(value)}`,
  );
  return parts.join(' ');
}
