import { Writable } from 'node:stream';
import pino from 'pino';
import { toOutbox } from '../../alerts/pipeline';
import { startChatReceiver, type ChatReceiver } from '../servers/chat-receiver';
import { startFixedAnswer } from '../servers/fixed-answer';
import { capturedLog, chatChannel, deliveryWorld, enqueue, note } from './delivery-world';

type World = Awaited<ReturnType<typeof deliveryWorld>>;

describe('a channel that rejects messages (401/403/404)', () => {
  let world: World;
  let good: ChatReceiver;
  let bad: ChatReceiver;
  const lines: string[] = [];
  const log = pino(
    { level: 'debug' },
    new Writable({ write: (c, _e, done) => (lines.push(String(c)), done()) }),
  );
  const errors = () =>
    lines.map((l) => JSON.parse(l) as { level: number; msg: string }).filter((l) => l.level >= 50);

  beforeEach(async () => {
    lines.length = 0;
    world = await deliveryWorld();
    good = await startChatReceiver();
    bad = await startChatReceiver({ schedule: ['404', '404'] });
    const old = Array.from({ length: 250 }, (_, i) =>
      toOutbox(note(`b${i}`, 'team', world.now()), new Date(world.now())),
    );
    world.advance(1000);
    const fresh = Array.from({ length: 5 }, (_, i) =>
      toOutbox(note(`g${i}`, 'ops', world.now()), new Date(world.now())),
    );
    await world.store.commitAlerts([], [...old, ...fresh]);
  });
  afterEach(async () => {
    await Promise.all([good.close(), bad.close()]);
    await world.close();
  });

  it('is reported once across runs, keeps its messages pending, never starves other channels, and recovers', async () => {
    const channels = new Map([
      ['team', chatChannel('team', bad.webhookUrl())],
      ['ops', chatChannel('ops', good.webhookUrl())],
    ]);

    const first = await world.deliver(channels, { log });
    world.advance(60_000);
    const second = await world.deliver(channels, { log });
    world.advance(60_000);
    const third = await world.deliver(channels, { log, budgetMs: 10 * 60_000 });

    expect(first).toMatchObject({ sent: 5, failed: 1, pending: 250, recovered: [] });
    expect(first.broken).toEqual(
      new Map([
        [
          'team',
          {
            error:
              'Google Chat answered HTTP 404 NOT_FOUND (Request failed (***)): the webhook or its space no longer exists',
            status: 404,
            since: '2026-11-20T00:00:01.000Z',
            firstReported: true,
          },
        ],
      ]),
    );
    expect(second).toMatchObject({ sent: 0, failed: 1, pending: 250 });
    expect(second.broken.get('team')).toMatchObject({
      firstReported: false,
      since: '2026-11-20T00:00:01.000Z',
    });
    expect(errors().map((e) => e.msg)).toEqual(['alert channel rejected the message; fix its configuration']);
    expect(third).toMatchObject({ sent: 250, failed: 0, pending: 0, recovered: ['team'] });
    expect(third.broken.size).toBe(0);
    expect(bad.requests.map((r) => r.outcome).slice(0, 3)).toEqual(['404', '404', 'ok']);
  });

  it('names what the channel does now when a later run finds it failing otherwise (404, then 500)', async () => {
    const flaky = await startChatReceiver({ schedule: ['404', '500', '500', '500', '500'] });
    const channels = new Map([['team', chatChannel('team', flaky.webhookUrl())]]);
    try {
      const first = await world.deliver(channels, { log });
      world.advance(60_000);

      const second = await world.deliver(channels, { log, budgetMs: 3_000 });

      expect(first.broken.get('team')).toMatchObject({ status: 404 });
      expect(second.broken.get('team')).toEqual({
        error: expect.stringMatching(/^Google Chat answered HTTP 500/),
        status: 500,
        since: first.broken.get('team')!.since,
        firstReported: false,
      });
      // The ops channel's 5 are not configured here: they wait too.
      expect(second).toMatchObject({ sent: 0, pending: 255 });
    } finally {
      await flaky.close();
    }
  });

  it('stays broken in runs that have nothing to send to it', async () => {
    const channels = new Map([
      ['team', chatChannel('team', bad.webhookUrl())],
      ['ops', chatChannel('ops', good.webhookUrl())],
    ]);
    await world.deliver(channels, { log });

    const later = await world.deliver(channels, {
      log,
      maxAgeMs: 500, // every message is now too old: dropped, so nothing probes the channel
    });

    expect(later).toMatchObject({ sent: 0, dropped: 250, pending: 0 });
    expect([...later.broken.keys()]).toEqual(['team']);
  });
});

describe('a webhook behind a proxy that answers 200 with its login page', () => {
  it('is a failed attempt, not a delivery: the message waits and the channel is reported broken, without its URL', async () => {
    const world = await deliveryWorld();
    // The page links back to where the user was going, as login pages do: the webhook's key and token.
    const page = '<html><a href="/v1/spaces/AAAAproxy/messages?key=KEY-SECRET-1234">Sign in</a></html>';
    const proxy = await startFixedAnswer(200, 'text/html; charset=utf-8', page);
    const { log, lines } = capturedLog();
    await enqueue(world.store, 'team', ['m1', 'm2'], world.now());

    const summary = await world.deliver(new Map([['team', chatChannel('team', proxy.webhookUrl)]]), { log });

    expect(proxy.requests).toBe(1);
    expect(summary).toMatchObject({ sent: 0, failed: 1, pending: 2, dropped: 0 });
    expect(summary.broken.get('team')).toEqual({
      error:
        'Google Chat answered HTTP 200 with an HTML page, not the created message (a proxy or login page in the way?): not delivered',
      since: '2026-11-20T00:00:00.000Z',
      firstReported: true,
    });
    expect(JSON.stringify([...summary.broken, lines])).not.toMatch(/SECRET|127\.0\.0\.1/);
    await proxy.close();
    await world.close();
  });
});
