import { findChannel, CHANNELS } from '../../alerts/channels/registry';
import { parseCoerced } from './coerce';
import type { Report, ZodReport } from './issue-report';
import type { ChannelConfig, TopLevelConfig } from './types';

export function parseChannels(data: TopLevelConfig, report: Report, zodIssues: ZodReport): ChannelConfig[] {
  const channels: ChannelConfig[] = [];
  for (const [name, raw] of Object.entries(data.alerts.channels)) {
    const path = ['alerts', 'channels', name];
    const type = raw && typeof raw === 'object' ? (raw as Record<string, unknown>).type : undefined;
    const def = typeof type === 'string' ? findChannel(type) : undefined;
    if (!def) {
      const known = CHANNELS.map((c) => c.type).join(', ');
      report([...path, 'type'], `unknown channel type '${String(type)}'; known types: ${known}`);
      continue;
    }
    const { type: _type, ...rest } = raw as Record<string, unknown>;
    const parsed = parseCoerced(def.configSchema, rest);
    if (!parsed.success) zodIssues(parsed.error, path);
    else channels.push({ name, type: def.type, config: parsed.data as Record<string, unknown> });
  }
  return channels;
}
