import { consoleChannel } from '../../alerts/channels/console';
import { googleChatChannel } from '../../alerts/channels/google-chat';
import type { ChannelDefinition } from '../../alerts/types';
import { testChannel } from '../kit/channel-kit';

testChannel(googleChatChannel as ChannelDefinition, (webhookUrl) => ({ webhookUrl, timeout: '2s' }), { remote: true });
testChannel(consoleChannel, () => ({}), { remote: false });
