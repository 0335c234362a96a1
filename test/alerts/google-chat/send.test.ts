import pino from 'pino';
import { googleChatChannel } from '../../../alerts/channels/google-chat';
import { GoogleChatChannelConfig } from '../../../alerts/channels/google-chat/schema';
import { startChatReceiver, type ChatReceiver } from '../../servers/chat-receiver';
import { startFixedAnswer, type FixedAnswer } from '../../servers/fixed-answer';
import { item, notification } from './notifications';
import { statusError } from '../../../alerts/channels/google-chat/send';
import { ChannelError, rejectsOnlyMessage } from '../../../alerts/types';

describe('google-chat send', () => {
  let receiver: ChatReceiver;
  beforeEach(async () => (receiver = await startChatReceiver()));
  afterEach(() => receiver.close());
  const channel = (config: Record<string, unknown> = {}) =>
    googleChatChannel.create(
      'team',
      GoogleChatChannelConfig.parse({ webhookUrl: receiver.webhookUrl(), ...config }),
      { log: pino({ level: 'silent' }), out: () => undefined },
    );
  const signal = () => AbortSignal.timeout(5000);

  it('posts with requestId = notification id, the reply option, and one thread per check', async () => {
    const team = channel();

    await team.send(notification([item()], { id: 'n1' }), { signal: signal() });
    await team.send(notification([item()], { id: 'n2' }), { signal: signal() });
    await team.send(notification([item()], { id: 'n3', checkId: 'other' }), { signal: signal() });

    expect(
      receiver.messages.map((m) => [m.query.requestId, m.query.messageReplyOption, m.threadName]),
    ).toEqual([
      ['n1', 'REPLY_MESSAGE_FALLBACK_TO_NEW_THREAD', 'spaces/AAAAtest/threads/t1'],
      ['n2', 'REPLY_MESSAGE_FALLBACK_TO_NEW_THREAD', 'spaces/AAAAtest/threads/t1'],
      ['n3', 'REPLY_MESSAGE_FALLBACK_TO_NEW_THREAD', 'spaces/AAAAtest/threads/t3'],
    ]);
    expect(receiver.messages[0]!.body.thread).toEqual({ threadKey: 'guardrail-team-orders-drift' });
  });

  it('uses a threadKey template, or no thread at all when threads is false', async () => {
    await channel({ threadKey: '{kind}/{check}' }).send(notification([item()], { id: 'a' }), {
      signal: signal(),
    });
    await channel({ threads: false }).send(notification([item()], { id: 'b' }), { signal: signal() });

    expect(receiver.messages[0]!.body.thread).toEqual({ threadKey: 'row-count-consistency/orders-drift' });
    expect(receiver.messages[1]!.body.thread).toBeUndefined();
    expect(receiver.messages[1]!.query.messageReplyOption).toBeUndefined();
  });

  it('gets the existing message back when a requestId repeats, instead of a second message', async () => {
    const team = channel();

    await team.send(notification([item()], { id: 'same' }), { signal: signal() });
    await team.send(notification([item()], { id: 'same' }), { signal: signal() });

    expect(receiver.messages).toHaveLength(1);
    expect(receiver.duplicates()).toBe(1);
  });

  it('times out a hanging request with its configured timeout', async () => {
    receiver.schedule(['hang']);
    const started = Date.now();

    await expect(
      channel({ timeout: '1s' }).send(notification([item()]), { signal: signal() }),
    ).rejects.toMatchObject({
      retryable: true,
    });
    expect(Date.now() - started).toBeLessThan(3000);
  });
});

describe('google-chat: which 400s condemn the channel', () => {
  const response = (message: string) =>
    ({
      status: 400,
      data: { error: { code: 400, message, status: 'INVALID_ARGUMENT' } },
      headers: {},
    }) as never;

  it.each([
    [
      'a payload Chat rejects: drop that one message',
      'Invalid JSON payload received. Unknown name "foo"',
      true,
    ],
    [
      'a wrong API key: the webhook is misconfigured',
      'API key not valid. Please pass a valid API key.',
      false,
    ],
  ])('%s', (_case, message, onlyMessage) => {
    const error = statusError(response(message), [], Date.now);

    expect(rejectsOnlyMessage(error)).toBe(onlyMessage);
    expect(error.retryable).toBe(false);
  });
});

describe('google-chat: what counts as delivered', () => {
  let server: FixedAnswer;
  afterEach(() => server.close());
  const send = (webhookUrl: string) =>
    googleChatChannel
      .create('team', GoogleChatChannelConfig.parse({ webhookUrl }), {
        log: pino({ level: 'silent' }),
        out: () => undefined,
      })
      .send(notification([item()]), { signal: AbortSignal.timeout(5000) });

  it.each([
    ['an HTML login page', 'text/html', '<html><body>Sign in to continue</body></html>', 'an HTML page'],
    ['an empty body', 'application/json', '', 'an empty body'],
    ['plain text', 'text/plain', 'OK', 'a body that is not JSON'],
    ['JSON without a message name', 'application/json', '{"ok":true}', 'JSON without the message name'],
    [
      'a name that is not a message',
      'application/json',
      '{"name":"spaces/AAA"}',
      'JSON without the message name',
    ],
  ])(
    'a 200 with %s is a failed attempt that condemns the channel, not a delivery',
    async (_case, type, body, what) => {
      server = await startFixedAnswer(200, type, body);

      const sending = send(server.webhookUrl);

      const error = await sending.catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ChannelError);
      expect(error).toMatchObject({
        message: `Google Chat answered HTTP 200 with ${what}, not the created message (a proxy or login page in the way?): not delivered`,
        retryable: false,
        scope: 'channel',
      });
    },
  );

  it('takes a 200 with the created message as delivered, whatever other fields it has', async () => {
    const message = {
      name: 'spaces/AAAAproxy/messages/BBBB.CCCC',
      thread: { name: 'spaces/AAAAproxy/threads/DDDD' },
      createTime: '2026-11-20T12:00:00.000000Z',
      somethingNew: { added: 'later' },
    };
    server = await startFixedAnswer(200, 'application/json; charset=UTF-8', JSON.stringify(message));

    const sending = send(server.webhookUrl);

    await expect(sending).resolves.toBeUndefined();
  });
});
