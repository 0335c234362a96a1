import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { keepRunLease, type RunLease } from '../../src/cli/run-lease';
import { openStateStore } from '../../src/state/open-store';
import type { StateStore } from '../../src/state/types';

const TTL_MS = 300;
const NAME = 'check:shop:running';
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A real SQLite store, and a view of it whose lease calls can be made to hang, as a frozen server's do. */
async function stores(): Promise<{
  store: StateStore;
  hanging: Pick<StateStore, 'acquireLease'>;
  hang(on: boolean): void;
}> {
  const dir = mkdtempSync(join(tmpdir(), 'guardrail-run-lease-'));
  const store = await openStateStore(`sqlite://${join(dir, 'state.db')}`, dir);
  let hangs = false;
  let release = (): void => undefined;
  const gate = () => new Promise<void>((resolve) => (release = resolve));
  let waiting = Promise.resolve();
  return {
    store,
    hanging: {
      acquireLease: async (...args) => {
        if (hangs) await waiting;
        return store.acquireLease(...args);
      },
    },
    hang: (on) => {
      if (on && !hangs) waiting = gate();
      if (!on) release();
      hangs = on;
    },
  };
}

function lease(store: RunLease['store'], lost: string[], renewing = () => true): RunLease {
  return {
    store,
    name: NAME,
    holder: 'a',
    ttlMs: TTL_MS,
    renewing,
    lost: (reason) => lost.push(reason),
    log: pino({ level: 'silent' }),
    checkId: 'shop',
  };
}

describe('the run lease of a serve replica', () => {
  it('is renewed while the run lives: another holder cannot take it past its ttl', async () => {
    const { store } = await stores();
    const lost: string[] = [];
    expect(await store.acquireLease(NAME, 'a', TTL_MS)).toBe(true);
    const keeper = keepRunLease(lease(store, lost));
    await sleep(TTL_MS * 3);
    expect(await store.acquireLease(NAME, 'b', TTL_MS)).toBe(false);
    await keeper.end();
    expect(lost).toEqual([]);
  });

  it('does not stop the run while the store does not answer (a failover), and renews once it does', async () => {
    const { store, hanging, hang } = await stores();
    const lost: string[] = [];
    let unanswered = 0;
    expect(await store.acquireLease(NAME, 'a', TTL_MS)).toBe(true);
    const keeper = keepRunLease({ ...lease(hanging, lost), unanswered: () => unanswered++ });
    hang(true);
    await sleep(TTL_MS * 4);
    expect(lost).toEqual([]);
    expect(unanswered).toBeGreaterThan(0); // serve's probe is asked at once
    hang(false);
    await sleep(TTL_MS);
    expect(await store.acquireLease(NAME, 'b', TTL_MS)).toBe(false);
    await keeper.end();
    expect(lost).toEqual([]);
  });

  it('stops the run when, the store answering again, another replica has taken the lapsed lease', async () => {
    const { store, hanging, hang } = await stores();
    const lost: string[] = [];
    expect(await store.acquireLease(NAME, 'a', TTL_MS)).toBe(true);
    const keeper = keepRunLease(lease(hanging, lost));
    hang(true);
    await sleep(TTL_MS * 2);
    expect(await store.acquireLease(NAME, 'b', TTL_MS * 10)).toBe(true);
    hang(false);
    await sleep(TTL_MS * 2);
    expect(lost).toEqual(['another replica took the run lease']);
    await keeper.end();
  });

  it('lets the lease lapse once the run has outlived its limit, so that another replica may run the check', async () => {
    const { store } = await stores();
    const lost: string[] = [];
    expect(await store.acquireLease(NAME, 'a', TTL_MS)).toBe(true);
    const keeper = keepRunLease(lease(store, lost, () => false));
    await sleep(TTL_MS * 2);
    expect(await store.acquireLease(NAME, 'b', TTL_MS)).toBe(true);
    await keeper.end();
    expect(lost).toEqual([]);
  });
});
