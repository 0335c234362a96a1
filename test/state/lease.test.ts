import { setTimeout as sleep } from 'node:timers/promises';
import { openStateStore } from '../../src/state/open-store';
import type { StateStore } from '../../src/state/types';
import { engines, removeTempDirs } from './engines';

afterAll(removeTempDirs);

describe.each(engines)('%s state store leases', (_engine, newUrl) => {
  let url: string;
  let store: StateStore;
  let other: StateStore;

  beforeEach(async () => {
    url = await newUrl();
    store = await openStateStore(url, '/');
    other = await openStateStore(url, '/');
  });
  afterEach(() => Promise.all([store.close(), other.close()]));

  it('answers a ping', async () => {
    await expect(store.ping()).resolves.toBeUndefined();
  });

  it('gives a lease to one holder at a time; its holder renews it and gives it up', async () => {
    expect(await store.acquireLease('check:idle', 'a', 60_000)).toBe(true);
    expect(await other.acquireLease('check:idle', 'b', 60_000)).toBe(false);
    expect(await store.acquireLease('check:idle', 'a', 60_000)).toBe(true);
    expect(await other.acquireLease('check:other', 'b', 60_000)).toBe(true);

    await other.releaseLease('check:idle', 'b'); // not b's: nothing happens
    expect(await other.acquireLease('check:idle', 'b', 60_000)).toBe(false);
    await store.releaseLease('check:idle', 'a');

    expect(await other.acquireLease('check:idle', 'b', 60_000)).toBe(true);
  });

  it('lets another holder take a lease once it expired', async () => {
    expect(await store.acquireLease('check:idle', 'a', 50)).toBe(true);

    await sleep(150);

    expect(await other.acquireLease('check:idle', 'b', 60_000)).toBe(true);
    expect(await store.acquireLease('check:idle', 'a', 60_000)).toBe(false);
  });

  it('prunes expired leases only (a tick lease is never released; it must not pile up)', async () => {
    await store.acquireLease('check:idle:2026-12-03T08:00:00.000Z', 'a', 50);
    await store.acquireLease('check:idle:2026-12-03T08:01:00.000Z', 'a', 60_000);
    await sleep(150);

    const deleted = await store.prune(new Date(0));

    expect(deleted).toBe(1);
    expect(await other.acquireLease('check:idle:2026-12-03T08:01:00.000Z', 'b', 60_000)).toBe(false);
  });

  it('gives a free lease to exactly one of two holders asking at once, from two connections', async () => {
    const winners: number[] = [];

    for (let round = 0; round < 20; round++) {
      const name = `check:${round}`;
      const taken = await Promise.all([
        store.acquireLease(name, 'a', 60_000),
        other.acquireLease(name, 'b', 60_000),
      ]);
      winners.push(taken.filter(Boolean).length);
    }

    expect(winners).toEqual(Array.from({ length: 20 }, () => 1));
  });
});
