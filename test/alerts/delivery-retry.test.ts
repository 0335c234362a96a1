import { backoffMs, FAILING_ATTEMPTS } from '../../alerts/delivery';
import { ChannelError } from '../../alerts/types';
import { capturedLog, deliveryWorld, enqueue, fakeChannel, MINUTE } from './delivery-world';

type World = Awaited<ReturnType<typeof deliveryWorld>>;

describe('retries', () => {
  let world: World;
  afterEach(() => world.close());

  it('backs off even when Retry-After says 0 or a past date', async () => {
    world = await deliveryWorld();
    const chat = fakeChannel('chat', {
      now: world.now,
      behave: (_id, attempt) => {
        if (attempt === 1) throw new ChannelError('HTTP 429', true, 429, 0);
      },
    });
    await enqueue(world.store, 'chat', ['m1'], world.now());

    const summary = await world.deliver(new Map([['chat', chat]]));

    expect(summary).toMatchObject({ sent: 1, failed: 1 });
    const [first, retry] = chat.attempts.map((attempt) => attempt.at);
    expect(retry! - first!).toBeGreaterThanOrEqual(500); // attempt 0: jittered within [500, 1000] ms
  });

  it('never moves the pacing of a destination earlier on a Retry-After of 0', async () => {
    world = await deliveryWorld();
    const chat = fakeChannel('chat', {
      now: world.now,
      minIntervalMs: 1000,
      behave: (id, attempt) => {
        if (id === 'm1' && attempt === 1) throw new ChannelError('HTTP 429', true, 429, 0);
      },
    });
    await enqueue(world.store, 'chat', ['m1', 'm2', 'm3'], world.now());

    const summary = await world.deliver(new Map([['chat', chat]]));

    expect(summary).toMatchObject({ sent: 3, failed: 1 });
    const times = chat.attempts.map((attempt) => attempt.at);
    const gaps = times.slice(1).map((time, i) => time - times[i]!);
    expect(gaps.every((gap) => gap >= 1000)).toBe(true);
  });

  it('takes the longer of Retry-After and the jittered backoff', () => {
    const half = () => 0.5;
    expect(backoffMs(0, 0, half)).toBe(750);
    expect(backoffMs(3, undefined, half)).toBe(6000);
    expect(backoffMs(3, 1000, half)).toBe(6000);
    expect(backoffMs(0, 30_000, half)).toBe(30_000);
    expect(backoffMs(0, 10 * 60 * MINUTE, half)).toBe(5 * MINUTE);
  });
});

describe('a channel that keeps failing with retryable errors', () => {
  let world: World;
  afterEach(() => world.close());

  it(`is reported as failing once its oldest pending message failed ${FAILING_ATTEMPTS} times, until it delivers`, async () => {
    world = await deliveryWorld();
    let down = true;
    const dns = fakeChannel('dns', {
      behave: () => {
        if (down) throw new ChannelError('request failed (ENOTFOUND); will retry', true);
      },
    });
    const broken = fakeChannel('broken', {
      behave: () => {
        throw new ChannelError('HTTP 403', false, 403);
      },
    });
    const fine = fakeChannel('fine');
    const created = world.now();
    await enqueue(world.store, 'dns', ['d1'], created);
    await enqueue(world.store, 'broken', ['b1'], created);
    world.advance(1000);
    await enqueue(world.store, 'dns', ['d2'], world.now());
    const channels = new Map([
      ['dns', dns],
      ['broken', broken],
      ['fine', fine],
    ]);
    const log = capturedLog().log;

    const runs = [];
    for (let run = 0; run < FAILING_ATTEMPTS; run++) {
      await enqueue(world.store, 'fine', [`f${run}`], world.now());
      runs.push(await world.deliver(channels, { log, budgetMs: 1 }));
      world.advance(10 * MINUTE);
    }
    down = false;
    const recovered = await world.deliver(channels, { log });

    expect(runs.map((summary) => summary.failing.size)).toEqual([0, 0, 0, 0, 1]);
    expect(runs.at(-1)!.failing).toEqual(
      new Map([
        [
          'dns',
          {
            attempts: FAILING_ATTEMPTS,
            since: new Date(created).toISOString(),
            error: 'request failed (ENOTFOUND); will retry',
          },
        ],
      ]),
    );
    expect([...runs.at(-1)!.broken.keys()]).toEqual(['broken']); // reported as broken, not also as failing
    expect(recovered.failing.size).toBe(0);
    expect(recovered).toMatchObject({ sent: 2, pending: 1 });
  });
});
