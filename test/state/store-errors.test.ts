// A state store that goes away mid-run failed the run with a bare "connect ECONNREFUSED 127.0.0.1:25433": on a host
// whose monitored database is PostgreSQL too, on-call could not tell which one failed (a trial's finding). Every
// error of the store now names it, password hidden, and keeps its cause, so serve still knows an outage by it.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStateStore, stateStoreUnreachable } from '../../src/state/open-store';
import { freshPgDatabase } from '../harness/databases';
import { startFreezableProxy } from '../servers/freezable-proxy';

describe('errors of a state store that went away after it opened', () => {
  it('PostgreSQL: name the store, hide its password, and still read as unreachable', async () => {
    const url = new URL(await freshPgDatabase('store_errors'));
    const proxy = await startFreezableProxy({ host: url.hostname, port: Number(url.port) });
    const viaProxy = new URL(url);
    viaProxy.host = `127.0.0.1:${proxy.port}`;
    viaProxy.password = 'S3cret-pw';
    // The harness's servers trust loopback: any password is taken, so the one in the message is this one.
    const store = await openStateStore(viaProxy.toString(), '/');
    await proxy.close(); // the server is gone: open connections drop, new ones are refused

    const error = await store.countPending().then(
      () => undefined,
      (e: unknown) => e as Error,
    );
    await store.close();

    expect(error?.message).toMatch(
      new RegExp(`^state store postgres://${url.username}:\\*\\*\\*@127\\.0\\.0\\.1:${proxy.port}/\\w+: `),
    );
    expect(error?.message).not.toContain('S3cret-pw');
    expect(stateStoreUnreachable(error)).toBe(true);
  });

  it('SQLite: name the file', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'store-errors-')), 'state.db');
    const store = await openStateStore(`sqlite://${file}`, '/');
    await store.close();

    // toMatchObject, not toThrow: better-sqlite3's errors may come from another test file's realm in this worker.
    await expect(store.countPending()).rejects.toMatchObject({
      message: expect.stringContaining(`state store sqlite://${file}: `),
    });
  });

  // A review found a bug thrown by the alert pipeline's decide (run by the store inside its transaction) renamed
  // "state store …": on-call would have been sent to look at a healthy store.
  it.each([['sqlite://:memory:'], ['postgres']])(
    "%s: leaves the caller's own error as it is, class and message",
    async (kind) => {
      const url = kind === 'postgres' ? await freshPgDatabase('store_callers') : kind;
      const store = await openStateStore(url, '/');
      try {
        const error = await store
          .updateAlerts('c', ['k'], () => {
            throw new TypeError('bug in decide');
          })
          .then(
            () => undefined,
            (e: unknown) => e as Error,
          );

        expect(error).toBeInstanceOf(TypeError);
        expect(error?.message).toBe('bug in decide');
      } finally {
        await store.close();
      }
    },
  );

  it('hands out the same method each time it is read', async () => {
    const store = await openStateStore('sqlite://:memory:', '/');

    expect(store.countPending).toBe(store.countPending);
    await store.close();
  });
});
