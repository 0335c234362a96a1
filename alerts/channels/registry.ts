import type { ChannelDefinition } from '../types';
import { consoleChannel } from './console';

/** Every alert channel type, sorted by type. */
export const CHANNELS: readonly ChannelDefinition[] = [consoleChannel];

export function findChannel(type: string): ChannelDefinition | undefined {
  return CHANNELS.find((c) => c.type === type);
}
