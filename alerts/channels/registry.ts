import type { ChannelDefinition } from '../types';
import { consoleChannel } from './console';
import { googleChatChannel } from './google-chat';

/** Every alert channel type, sorted by type. */
export const CHANNELS: readonly ChannelDefinition[] = [
  consoleChannel,
  googleChatChannel as ChannelDefinition,
];

export function findChannel(type: string): ChannelDefinition | undefined {
  return CHANNELS.find((c) => c.type === type);
}
