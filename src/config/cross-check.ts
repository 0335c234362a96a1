import { findCheck } from '../../checks/registry';
import { findChannel } from '../../alerts/channels/registry';
import { indexOfCheck } from './checks';
import { wrappingRange } from '../core/fields';
import type { Report } from './issue-report';
import type { ChannelConfig, CheckConfig, TopLevelConfig } from './types';

/** References between parts of the config (connections, channels, checks): reports broken ones, returns warnings. */
export function crossCheck(
  data: TopLevelConfig,
  checks: CheckConfig[],
  channels: ChannelConfig[],
  report: Report,
  /** Values dropped for their own errors (see parseTopLevel): a reference to one is not unknown, just broken. */
  dropped: ReadonlySet<string> = new Set(),
) {
  const warnings: string[] = [];
  checks.forEach((check) => {
    const def = findCheck(check.kind);
    const index = indexOfCheck(data, check.id);
    for (const ref of def?.connectionsOf?.(check) ?? []) {
      if (dropped.has('connections') || dropped.has(`connections.${ref.name}`)) continue;
      if (!(ref.name in data.connections)) {
        const known = Object.keys(data.connections).join(', ') || 'none defined';
        report(
          ['checks', index, ...ref.path],
          `unknown connection '${ref.name}' (connections: ${known})`,
          check.id,
        );
      }
    }
  });
  warnings.push(...overlaps(checks));
  for (const check of checks) {
    const wraps = check.schedule ? wrappingRange(check.schedule) : undefined;
    if (wraps) warnings.push(`checks.${check.id}.${wraps}`);
  }
  const channelNames = new Set(Object.keys(data.alerts.channels));
  data.alerts.routes.forEach((route, i) => {
    if (!channelNames.has(route.channel)) {
      report(['alerts', 'routes', i, 'channel'], `unknown channel '${route.channel}'`);
    }
    if (!route.match && i < data.alerts.routes.length - 1) {
      report(
        ['alerts', 'routes', i],
        'a route without match catches everything: only the last route may omit it',
      );
    }
  });
  if (checks.length && !data.alerts.routes.length)
    warnings.push('alerts.routes is empty: findings notify nobody');
  const checkIds = new Set(checks.map((c) => c.id));
  data.alerts.silences.forEach((silence, i) => {
    if (silence.match.check && !checkIds.has(silence.match.check)) {
      warnings.push(`alerts.silences[${i}] matches check '${silence.match.check}', which is not configured`);
    }
  });
  const [only, ...others] = channels;
  if (only && !others.length && only.type !== 'console')
    warnings.push(
      `alerts.channels: '${only.name}' is the only channel: when it breaks, Guardrail's own alert about it has ` +
        'nowhere to go (add a second channel, or rely on GuardrailChannelFailing in Prometheus)',
    );
  for (const channel of channels) {
    for (const w of findChannel(channel.type)?.warnings?.(channel.config) ?? []) {
      warnings.push(`alerts.channels.${channel.name}: ${w}`);
    }
  }
  return warnings;
}

/**
 * Enabled checks of one kind that watch the same thing (a tables glob given to two checks): legal (a whole-table
 * count beside a windowed one), but one drift then fires an alert in each, so it is said once per pair of checks.
 */
function overlaps(checks: CheckConfig[]): string[] {
  const owner = new Map<string, string>();
  const shared = new Map<string, string[]>(); // JSON of [first, second] → keys both watch
  for (const check of checks) {
    if (!check.enabled) continue;
    for (const key of findCheck(check.kind)?.covers?.(check) ?? []) {
      const scoped = `${check.kind}\u0000${key}`;
      const first = owner.get(scoped);
      if (first === undefined) owner.set(scoped, check.id);
      else if (first !== check.id) {
        const pair = JSON.stringify([first, check.id]);
        const keys = shared.get(pair) ?? [];
        keys.push(key);
        shared.set(pair, keys);
      }
    }
  }
  return [...shared].map(([pair, keys]) => {
    const [first, second] = JSON.parse(pair) as [string, string];
    const shown = keys.slice(0, 3).join('; ') + (keys.length > 3 ? `; and ${keys.length - 3} more` : '');
    return `checks '${first}' and '${second}' both watch ${keys.length === 1 ? 'one thing' : `${keys.length} things`} (${shown}): one fault fires an alert in each`;
  });
}
