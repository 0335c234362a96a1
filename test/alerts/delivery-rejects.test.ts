import { BROKEN_WATERMARK } from '../../alerts/broken-channels';
import { ChannelError } from '../../alerts/types';
import { capturedLog, deliveryWorld, enqueue, fakeChannel, MINUTE } from './delivery-world';

type World = Awaited<ReturnType<typeof deliveryWorld>>;

const HOUR = 60 * MINUTE;
const WEBHOOK = 'https://chat.googleapis.com/v1/spaces/AAA/messages?key=KEY-SECRET&token=TOKEN-SECRET';

describe('delivery of messages a channel cannot take', () => {
  let world: World;
  afterEach(() => world.close());

  it('drops only the message Chat rejects with 400, delivers the others in the same run, and breaks nothing', async () => {
    world = await deliveryWorld();
    const { log, errors } = capturedLog();
    const chat = fakeChannel('chat', {
      now: world.now,
      behave: (id) => {
        if (id === 'm2') throw new ChannelError(`HTTP 400 INVALID_ARGUMENT from ${WEBHOOK}`, false, 400);
      },
    });
    await enqueue(world.store, 'chat', ['m1', 'm2', 'm3', 'm4'], world.now());
    const outcomes: string[] = [];

    const summary = await world.deliver(new Map([['chat', chat]]), {
      log,
      onOutcome: (channel, outcome) => outcomes.push(`${channel} ${outcome}`),
    });
    world.advance(HOUR);
    const next = await world.deliver(new Map([['chat', chat]]), { log });

    // The rejected attempt counts, and the rejection is kept for the agent's own finding.
    expect(summary).toMatchObject({ sent: 3, failed: 1, dropped: 1, pending: 0, recovered: [] });
    expect(summary.broken.size).toBe(0);
    expect(summary.rejected.get('chat')).toMatchObject({ status: 400, count: 1, firstId: 'm2' });
    expect(chat.delivered).toEqual(['m1', 'm3', 'm4']);
    expect(outcomes).toEqual(['chat sent', 'chat failed', 'chat dropped', 'chat sent', 'chat sent']);
    expect(errors()).toEqual([
      expect.objectContaining({
        msg: 'dropped undeliverable alert: the channel rejected this message (HTTP 400)',
        channel: 'chat',
        message: 'm2',
        check: 'check-m2',
        err: 'HTTP 400 INVALID_ARGUMENT from https://chat.googleapis.com/v1/spaces/AAA/messages?***',
      }),
    ]);
    expect(next).toMatchObject({ sent: 0, dropped: 0, pending: 0 });
    expect(chat.attempts.map((a) => a.id)).toEqual(['m1', 'm2', 'm3', 'm4']);
    expect(await world.store.getWatermark(BROKEN_WATERMARK.checkId, BROKEN_WATERMARK.name('chat'))).toBe(
      undefined,
    );
  });

  it.each([401, 403, 404])(
    'still treats %s as a broken channel: its messages stay pending',
    async (status) => {
      world = await deliveryWorld();
      const chat = fakeChannel('chat', {
        behave: () => {
          throw new ChannelError(`HTTP ${status}`, false, status);
        },
      });
      await enqueue(world.store, 'chat', ['m1', 'm2'], world.now());

      const summary = await world.deliver(new Map([['chat', chat]]), { log: capturedLog().log });

      expect(summary).toMatchObject({ sent: 0, failed: 1, dropped: 0, pending: 2 });
      expect(summary.broken.get('chat')).toMatchObject({ status, firstReported: true });
      expect(chat.attempts).toHaveLength(1);
    },
  );

  it('leaves messages of a channel it does not have pending and unclaimed until maxDeliveryAge, then drops them', async () => {
    world = await deliveryWorld();
    const { log, errors } = capturedLog();
    const chat = fakeChannel('chat');
    const created = world.now();
    await enqueue(world.store, 'renamed', ['r1'], created);
    await enqueue(world.store, 'chat', ['c1'], created);
    const channels = new Map([['chat', chat]]);

    const first = await world.deliver(channels, { log });
    const untouched = await world.store.pendingOutbox(new Date(world.now()), 10);
    world.advance(23 * HOUR);
    const within = await world.deliver(channels, { log });
    world.advance(2 * HOUR);
    const expired = await world.deliver(channels, { log });

    expect(first).toMatchObject({ sent: 1, dropped: 0, pending: 1 });
    // Not claimed either: another shard that has the channel sees it due at once.
    expect(untouched).toEqual([
      expect.objectContaining({ id: 'r1', attempts: 0, nextAttemptAt: new Date(created).toISOString() }),
    ]);
    expect(within).toMatchObject({ sent: 0, dropped: 0, pending: 1 });
    expect(expired).toMatchObject({ sent: 0, dropped: 1, pending: 0 });
    expect(errors()).toEqual([
      expect.objectContaining({
        msg: "dropped undeliverable alert: channel 'renamed' is not configured here; older than alerts.maxDeliveryAge",
        channel: 'renamed',
        message: 'r1',
        check: 'check-r1',
      }),
    ]);
    expect(chat.delivered).toEqual(['c1']);
  });
});
