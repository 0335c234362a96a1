// Child process for the crash test: delivers the outbox of a sqlite store to a webhook, on a fake clock.
import { dirname } from 'node:path';
import pino from 'pino';
import { googleChatChannel } from '../../../alerts/channels/google-chat';
import { GoogleChatChannelConfig } from '../../../alerts/channels/google-chat/schema';
import { deliverOutbox } from '../../../alerts/delivery';
import { openStateStore } from '../../../src/state/open-store';

async function main(): Promise<void> {
  const [dbPath, webhookUrl, start] = process.argv.slice(2) as [string, string, string];
  const store = await openStateStore(`sqlite://${dbPath}`, dirname(dbPath));
  const log = pino({ level: 'silent' });
  const config = { ...GoogleChatChannelConfig.parse({ webhookUrl }), timeout: 250 };
  let clock = Number(start);
  const summary = await deliverOutbox({
    store,
    channels: new Map([['chat', googleChatChannel.create('chat', config, { log, out: () => undefined })]]),
    log,
    budgetMs: 6 * 3_600_000,
    maxAgeMs: 24 * 3_600_000,
    sendTimeoutMs: 250,
    now: () => clock,
    sleep: async (ms) => void (clock += ms),
  });
  await store.close();
  process.stdout.write(
    JSON.stringify({ sent: summary.sent, pending: summary.pending, failed: summary.failed }),
  );
}

void main();
