import pino from 'pino';
import { deliverOutbox } from '../../alerts/delivery';
import { startChatReceiver, type ChatReceiver } from '../servers/chat-receiver';
import { FAILURES } from '../servers/chat/outcomes';
import { chatChannel, checkResult, deliveryWorld, findings, MINUTE } from './delivery-world';

type World = Awaited<ReturnType<typeof deliveryWorld>>;

describe('delivery through the outbox', () => {
  let world: World;
  let receiver: ChatReceiver;
  afterEach(async () => {
    await receiver?.close();
    await world?.close();
  });

  it('delivers every message of 1,000 findings over 10 runs exactly once while 30% of requests fail', async () => {
    receiver = await startChatReceiver({ random: { seed: 1, failureRate: 0.3, failures: FAILURES } });
    world = await deliveryWorld();
    const channels = new Map([['chat', chatChannel('chat', receiver.webhookUrl())]]);
    const enqueued: string[] = [];

    for (let run = 0; run < 10; run++) {
      const results = Array.from({ length: 20 }, (_, c) =>
        checkResult(`check-${run}-${c}`, findings(`r${run}c${c}`, 5)),
      );
      enqueued.push(...(await world.run(results)).notifications.map((n) => n.id));
      await world.deliver(channels, { budgetMs: MINUTE });
      world.advance(5 * MINUTE);
    }
    let pending = Infinity;
    for (let extra = 0; extra < 30 && pending > 0; extra++) {
      pending = (await world.deliver(channels)).pending;
      world.advance(5 * MINUTE);
    }

    const received = receiver.messages.map((m) => m.requestId);
    expect(enqueued).toHaveLength(200);
    expect(pending).toBe(0);
    expect(new Set(received).size).toBe(received.length);
    expect([...received].sort()).toEqual([...enqueued].sort());
    // The run exercised every failure, including the ones where Chat created the message but the answer was lost.
    const outcomes = new Set(receiver.requests.map((r) => r.outcome));
    expect([...FAILURES, 'duplicate'].filter((o) => !outcomes.has(o as never))).toEqual([]);
  });

  it('honours Retry-After for the whole webhook before the next attempt', async () => {
    receiver = await startChatReceiver({ schedule: ['429-retry-after'], retryAfterSeconds: 30 });
    world = await deliveryWorld();
    const channels = new Map([['chat', chatChannel('chat', receiver.webhookUrl())]]);
    const start = world.now();
    await world.run([checkResult('a', findings('a', 1)), checkResult('b', findings('b', 1))]);

    const summary = await world.deliver(channels);

    expect(summary).toMatchObject({ sent: 2, failed: 1, pending: 0 });
    expect(world.now() - start).toBeGreaterThanOrEqual(30_000);
  });

  it('ends within the delivery budget when the destination hangs, whatever the send timeout', async () => {
    receiver = await startChatReceiver({ schedule: ['hang', 'hang', 'hang'] });
    world = await deliveryWorld();
    await world.run([checkResult('a', findings('a', 1))]);
    const started = Date.now();

    // The real clock: the budget (0.5 s) is shorter than the send timeout (15 s) and the channel's own (20 s).
    const summary = await deliverOutbox({
      store: world.store,
      channels: new Map([['chat', chatChannel('chat', receiver.webhookUrl(), 20_000)]]),
      log: pino({ level: 'silent' }),
      budgetMs: 500,
      maxAgeMs: 365 * 24 * 60 * MINUTE,
      sendTimeoutMs: 15_000,
    });

    expect(Date.now() - started).toBeLessThan(5_000);
    expect(summary).toMatchObject({ sent: 0, failed: 1, pending: 1 });
  });

  it('drops a message older than maxDeliveryAge, with a count', async () => {
    receiver = await startChatReceiver({ schedule: ['503'] });
    world = await deliveryWorld();
    const channels = new Map([['chat', chatChannel('chat', receiver.webhookUrl())]]);
    await world.run([checkResult('a', findings('a', 1))]);
    await world.deliver(channels, { budgetMs: 1 });
    world.advance(25 * 60 * MINUTE);

    const summary = await world.deliver(channels);

    expect(summary).toMatchObject({ sent: 0, dropped: 1, pending: 0 });
    expect(receiver.messages).toHaveLength(0);
  });
});
