import { openStateStore } from '../../src/state/open-store';
import {
  PG_CLOSE_TIMEOUT_MS,
  PG_CONNECT_TIMEOUT_MS,
  PG_QUERY_TIMEOUT_MS,
} from '../../src/state/postgres-store';
import { STORE_CLOCK, type StateStore } from '../../src/state/types';
import { freshPgDatabase } from '../harness/databases';
import { startBlackHole, type BlackHole } from '../servers/black-hole';
import { newJob } from './announce-run';
import { startHangProxy, type HangProxy } from './hang-proxy';

/** Timers fire late on a busy test machine: this much on top of a bound is still "within" it. */
const SLACK_MS = 3_000;

/** Resolves how long `promise` took to settle, and how it settled. */
async function timed(promise: Promise<unknown>): Promise<{ ms: number; error?: Error }> {
  const start = Date.now();
  try {
    await promise;
    return { ms: Date.now() - start };
  } catch (error) {
    return { ms: Date.now() - start, error: error as Error };
  }
}

describe('a PostgreSQL state store that does not answer', () => {
  let hole: BlackHole;
  afterEach(() => hole?.close());

  it('fails to open within the connect timeout, naming the store without its password', async () => {
    hole = await startBlackHole();
    const url = `postgres://u:secret@127.0.0.1:${hole.port}/db`;

    const { ms, error } = await timed(openStateStore(url, '/'));

    expect(error?.message).toMatch(
      new RegExp(`^Cannot open the state store postgres://u:\\*\\*\\*@127\\.0\\.0\\.1:${hole.port}/db: `),
    );
    expect(error?.message).not.toContain('secret');
    expect(hole.accepted).toBeGreaterThan(0);
    expect(ms).toBeLessThan(PG_CONNECT_TIMEOUT_MS + PG_CLOSE_TIMEOUT_MS + SLACK_MS);
  });
});

describe('a PostgreSQL state store whose server stops answering after it opened', () => {
  let proxy: HangProxy;
  let store: StateStore;
  afterEach(async () => {
    await proxy.close();
  });

  it('rejects reads, claims and commits within the query timeout, and closes within its bound', async () => {
    const real = new URL(await freshPgDatabase('black_hole'));
    proxy = await startHangProxy({ host: real.hostname, port: Number(real.port) });
    real.hostname = '127.0.0.1';
    real.port = String(proxy.port);
    store = await openStateStore(real.toString(), '/');
    await store.ping();

    proxy.hang();
    const settled = await Promise.all([
      timed(store.ping()),
      timed(store.claimOutbox(STORE_CLOCK, 1, 30_000)),
      timed(store.updateAlerts('bq-cost', ['job-1'], () => ({ states: [], outbox: [] }))),
      timed(store.alertStates(newJob('job-1').id, ['job-1'])),
    ]);
    const closed = await timed(store.close());

    for (const { ms, error } of settled) {
      expect(error).toBeInstanceOf(Error);
      expect(ms).toBeLessThan(PG_QUERY_TIMEOUT_MS + SLACK_MS);
    }
    expect(closed.error).toBeUndefined();
    expect(closed.ms).toBeLessThan(PG_CLOSE_TIMEOUT_MS + SLACK_MS);
  });
});
