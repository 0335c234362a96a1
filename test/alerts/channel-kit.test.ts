import { consoleChannel } from '../../alerts/channels/console';
import { googleChatChannel } from '../../alerts/channels/google-chat';
import { testChannel } from '../kit/channel-kit';

testChannel(googleChatChannel, (webhookUrl) => ({ webhookUrl, timeout: '2s' }), {
  remote: true,
});
testChannel(consoleChannel, () => ({}), { remote: false });
