import { join } from 'node:path';
import pino from 'pino';
import { deliverOutbox } from '../../alerts/delivery';
import { openStateStore } from '../../src/state/open-store';
import type { StateStore } from '../../src/state/types';
import { deliveryWorld, enqueue, fakeChannel, MINUTE } from './delivery-world';

const wait = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

describe('two deliverers on one sqlite state', () => {
  it.each([
    ['one store handle', false],
    ['two handles on the same file, as two processes would', true],
  ])('send each message exactly once (%s)', async (_how, twoHandles) => {
    const world = await deliveryWorld(Date.now());
    const second = twoHandles
      ? await openStateStore(`sqlite://${join(world.dir, 'state.db')}`, world.dir)
      : world.store;
    const ids = Array.from({ length: 16 }, (_, i) => `m${String(i).padStart(2, '0')}`);
    await enqueue(world.store, 'chat', ids, Date.now());
    // One destination both reach; each send takes 50 ms, real time.
    const chat = fakeChannel('chat', { behave: () => wait(50) });
    const deliver = (store: StateStore) =>
      deliverOutbox({
        store,
        channels: new Map([['chat', chat]]),
        log: pino({ level: 'silent' }),
        budgetMs: MINUTE,
        maxAgeMs: 60 * MINUTE,
      });

    const [a, b] = await Promise.all([deliver(world.store), deliver(second)]);

    expect(chat.attempts.map((attempt) => attempt.id).sort()).toEqual(ids);
    expect(a.sent + b.sent).toBe(ids.length);
    expect(a.sent).toBeGreaterThan(0);
    expect(b.sent).toBeGreaterThan(0);
    expect(await world.store.countPending()).toBe(0);
    if (twoHandles) await second.close();
    await world.close();
  });
});
