import { mkdtempSync, openSync, renameSync, rmSync, writeSync, closeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteStateStore } from '../../src/state/sqlite-store';

// A review: `serve` stayed ready (/readyz 200, guardrail_state_store_up 1) while its disk was full, its file
// deleted or its header overwritten, because the ping asked only the connection, whose cached pages answered.
describe('the SQLite store ping asks the file, not only the connection', () => {
  const opened: SqliteStateStore[] = [];
  const open = async (file: string, minFree?: number) => {
    const store = new SqliteStateStore(file, minFree);
    opened.push(store);
    await store.migrate();
    return store;
  };
  const fresh = () => join(mkdtempSync(join(tmpdir(), 'guardrail-ping-')), 'state.db');
  afterEach(async () => {
    for (const store of opened.splice(0)) await store.close().catch(() => undefined);
  });

  it('answers for a file that is whole and has room, and in memory', async () => {
    await expect((await open(fresh())).ping()).resolves.toBeUndefined();
    await expect((await open(':memory:')).ping()).resolves.toBeUndefined();
  });

  it('fails once the file was deleted (this process would go on writing a file nothing reads)', async () => {
    const file = fresh();
    const store = await open(file);
    for (const f of [file, `${file}-wal`, `${file}-shm`]) rmSync(f, { force: true });

    await expect(store.ping()).rejects.toThrow(/state\.db was deleted: this process still writes to it/);
  });

  it('fails once another file stands at its path', async () => {
    const file = fresh();
    const store = await open(file);
    const other = fresh();
    await (await open(other)).close();
    renameSync(other, file);

    await expect(store.ping()).rejects.toThrow(/state\.db was replaced by another file/);
  });

  it('fails once its header is overwritten', async () => {
    const file = fresh();
    const store = await open(file);
    const fd = openSync(file, 'r+');
    writeSync(fd, Buffer.alloc(4096, 0x5a), 0, 4096, 0);
    closeSync(fd);

    await expect(store.ping()).rejects.toThrow(/is not a SQLite database any more/);
  });

  it('fails when its file system has less room than a write needs', async () => {
    const store = await open(fresh(), Number.MAX_SAFE_INTEGER);

    await expect(store.ping()).rejects.toThrow(/has \d+ KB free: writes fail/);
  });
});
