import * as z from 'zod';
import { googleChatChannel } from '../../../alerts/channels/google-chat';
import { GoogleChatChannelConfig } from '../../../alerts/channels/google-chat/schema';
import { parseRetryAfter } from '../../../alerts/channels/google-chat/send';

const URL_ = 'https://chat.googleapis.com/v1/spaces/AAAA/messages?key=SECRETKEY&token=SECRETTOKEN';

describe('google-chat config', () => {
  it('accepts a webhook URL with defaults: threads on, no warnings for Chat over https', () => {
    const config = GoogleChatChannelConfig.parse({ webhookUrl: URL_ });

    expect(config).toEqual({ webhookUrl: URL_, threads: true });
    expect(googleChatChannel.warnings!(config)).toEqual([]);
  });

  it.each([
    [
      'http://chat.googleapis.com/v1/spaces/A/messages?key=k',
      ['webhookUrl does not use https: the key and token travel in clear text'],
    ],
    ['https://127.0.0.1:9/v1/spaces/A/messages?key=k', ['webhookUrl host is not chat.googleapis.com']],
  ])('warns about %s', (webhookUrl, warnings) => {
    expect(googleChatChannel.warnings!(GoogleChatChannelConfig.parse({ webhookUrl }))).toEqual(warnings);
  });

  it.each([
    [{ webhookUrl: 'ftp://x/y?key=SECRETKEY&token=SECRETTOKEN' }],
    [{ webhookUrl: 'SECRETKEY SECRETTOKEN' }],
    [{ webhookUrl: URL_, extra: 1 }],
    [{ webhookUrl: URL_, threadKey: '{nope}' }],
    [{ webhookUrl: URL_, timeout: 'soon' }],
  ])('rejects %j without echoing the URL in any message', (input) => {
    const result = GoogleChatChannelConfig.safeParse(input, { reportInput: true });

    expect(result.success).toBe(false);
    const messages = result.error!.issues.map((i) => i.message).join('\n');
    expect(messages).not.toMatch(/SECRETKEY|SECRETTOKEN/);
  });

  it('can be extended with its type, as the config loader composes channel schemas', () => {
    const composed = GoogleChatChannelConfig.extend({ type: z.literal('google-chat') });

    expect(composed.parse({ type: 'google-chat', webhookUrl: URL_, timeout: '5s' }).timeout).toBe(5000);
  });

  it('paces per space with a hash, never the URL', () => {
    const a = googleChatChannel.create('a', GoogleChatChannelConfig.parse({ webhookUrl: URL_ }), {} as never);
    const other = URL_.replace('SECRETKEY', 'OTHERKEY');
    const b = googleChatChannel.create(
      'b',
      GoogleChatChannelConfig.parse({ webhookUrl: other }),
      {} as never,
    );

    expect(a.pacingKey).toBe(b.pacingKey);
    expect(a.pacingKey).not.toMatch(/SECRET|chat\.googleapis/);
    expect(a.minIntervalMs).toBe(1000);
  });

  it.each([
    ['120', 120_000],
    ['Fri, 20 Nov 2026 12:00:30 GMT', 30_000],
    ['Fri, 20 Nov 2026 11:00:00 GMT', 0],
    ['soon', undefined],
    [undefined, undefined],
  ])('reads Retry-After %s as %s ms', (value, ms) => {
    expect(parseRetryAfter(value, Date.parse('2026-11-20T12:00:00Z'))).toBe(ms);
  });
});
