import * as z from '../../../src/core/zod';
import { timeout } from '../../../src/core/fields';
import { MAX_THREAD_KEY_CHARS } from './limits';

/** Placeholders a `threadKey` template may use. */
export const THREAD_KEY_FIELDS = ['channel', 'check', 'kind'] as const;

export const DEFAULT_THREAD_KEY = 'guardrail-{channel}-{check}';
export const DEFAULT_TIMEOUT_MS = 10_000;

// Messages are fixed text: zod's defaults would quote the input, and the input here is a credential.
const webhookUrl = z
  .string({ error: 'webhookUrl must be a string, e.g. ${GOOGLE_CHAT_WEBHOOK_URL}' })
  .refine((text) => URL.canParse(text) && /^https?:$/.test(new URL(text).protocol), {
    error: 'webhookUrl is not an http(s) URL (value hidden: it is a credential)',
  });

const threadKey = z
  .string()
  .min(1)
  .max(MAX_THREAD_KEY_CHARS)
  .refine(
    (t) =>
      [...t.matchAll(/\{(\w+)\}/g)].every((m) => (THREAD_KEY_FIELDS as readonly string[]).includes(m[1]!)),
    {
      error: `threadKey may only use the placeholders ${THREAD_KEY_FIELDS.map((f) => `{${f}}`).join(', ')}`,
    },
  );

// No object-level refinements: the config loader `.extend()`s this schema, which zod forbids on refined objects.
export const GoogleChatChannelConfig = z.strictObject({
  /** Incoming-webhook URL, key and token included; a credential, so take it from `${ENV}`. */
  webhookUrl,
  /**
   * Post each check's messages in one thread.
   * @default true
   */
  threads: z.boolean().default(true),
  /**
   * Thread key template; `{channel}`, `{check}` and `{kind}` are replaced.
   * @default 'guardrail-{channel}-{check}'
   */
  threadKey: threadKey.optional(),
  /** A Grafana dashboard URL; cards get a button opening it with `var-check` set to the check id. */
  grafanaUrl: z.url({ protocol: /^https?$/, error: 'grafanaUrl must be an http(s) URL' }).optional(),
  /**
   * Per-request timeout.
   * @default '10s'
   */
  timeout: timeout().optional(),
});
export type GoogleChatChannelConfig = z.infer<typeof GoogleChatChannelConfig>;

/** Validate-time warnings: the URL is accepted as configured (tests point it at a local receiver). */
export function webhookWarnings(config: GoogleChatChannelConfig): string[] {
  if (!URL.canParse(config.webhookUrl)) return [];
  const url = new URL(config.webhookUrl);
  const warnings: string[] = [];
  if (url.protocol !== 'https:')
    warnings.push('webhookUrl does not use https: the key and token travel in clear text');
  if (url.hostname !== 'chat.googleapis.com') warnings.push('webhookUrl host is not chat.googleapis.com');
  if (config.threads === false && config.threadKey)
    warnings.push('threadKey is ignored because threads is false');
  return warnings;
}
