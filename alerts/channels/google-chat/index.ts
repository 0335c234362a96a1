import { createHash } from 'node:crypto';
import type { Channel, ChannelDefinition, Notification } from '../../types';
import { MIN_INTERVAL_MS } from './limits';
import { previewMessage } from './preview';
import { renderMessage, type RenderOptions } from './render';
import { DEFAULT_THREAD_KEY, DEFAULT_TIMEOUT_MS, GoogleChatChannelConfig, webhookWarnings } from './schema';
import { postMessage } from './send';

/** Posts cardsV2 messages to a Google Chat incoming webhook, one thread per check. */
export const googleChatChannel: ChannelDefinition<GoogleChatChannelConfig> = {
  type: 'google-chat',
  description: 'Posts alert cards to a Google Chat space through an incoming webhook, one thread per check.',
  configSchema: GoogleChatChannelConfig,
  warnings: webhookWarnings,
  create(name, config): Channel {
    const render = (n: Notification) => renderMessage(n, renderOptions(name, config, n));
    return {
      name,
      type: 'google-chat',
      // Chat's quota is per space, so webhooks of one space share a key; a hash, because the URL is the secret.
      pacingKey: `google-chat:${createHash('sha256').update(spaceOf(config.webhookUrl)).digest('hex').slice(0, 16)}`,
      minIntervalMs: MIN_INTERVAL_MS,
      preview: (n) => previewMessage(render(n)),
      send: (n, { signal }) =>
        postMessage(config.webhookUrl, render(n), n.id, {
          signal,
          timeoutMs: config.timeout ?? DEFAULT_TIMEOUT_MS,
        }),
    };
  },
};

function renderOptions(channel: string, config: GoogleChatChannelConfig, n: Notification): RenderOptions {
  const threads = config.threads ?? true;
  const template = config.threadKey ?? DEFAULT_THREAD_KEY;
  const values: Record<string, string> = { channel, check: n.checkId, kind: n.checkKind };
  return {
    ...(threads ? { threadKey: template.replace(/\{(\w+)\}/g, (all, k: string) => values[k] ?? all) } : {}),
    ...(config.grafanaUrl ? { grafanaUrl: config.grafanaUrl } : {}),
  };
}

function spaceOf(webhookUrl: string): string {
  const url = new URL(webhookUrl);
  return `${url.origin}${url.pathname}`;
}
