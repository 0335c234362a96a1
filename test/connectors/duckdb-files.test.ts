import { execFile, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { DuckDBInstance } from '@duckdb/node-api';
import type { CountResult } from '../../src/connectors/types';
import { provider } from '../kit/check-context';
import type { DuckDbTzScenario } from './duckdb-tz-child';
import { request } from './sql-connector-suite';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'guardrail-duckdb-files-'));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

async function seedFile(path: string, sql: string): Promise<void> {
  const instance = await DuckDBInstance.create(path);
  const conn = await instance.connect();
  await conn.run(sql);
  conn.closeSync();
  instance.closeSync();
}

async function sha256(path: string): Promise<string> {
  return createHash('sha256')
    .update(await readFile(path))
    .digest('hex');
}

describe('duckdb connector and the host time zone', () => {
  it('compares windows on TIMESTAMPTZ columns in UTC, even when the host runs in Asia/Seoul', async () => {
    const path = join(dir, 'events.duckdb');
    // Window [10:00, 11:00) UTC holds two rows; read as Seoul time (01:00–02:00 UTC) it would hold the third.
    await seedFile(
      path,
      `CREATE TABLE ev (ts TIMESTAMPTZ);
       INSERT INTO ev VALUES ('2026-11-20 10:15:00+00'), ('2026-11-20 10:45:00+00'), ('2026-11-20 01:30:00+00')`,
    );
    const window = {
      column: 'ts',
      from: new Date('2026-11-20T10:00:00Z'),
      to: new Date('2026-11-20T11:00:00Z'),
    };
    const scenario: DuckDbTzScenario = {
      path,
      requests: [request('w', 'main.ev', { window, maxTimestampColumn: 'ts' })],
    };
    const { stdout } = await promisify(execFile)(
      process.execPath,
      [
        '-r',
        join(__dirname, '../../bench/register.js'),
        join(__dirname, 'duckdb-tz-child.ts'),
        JSON.stringify(scenario),
      ],
      { timeout: 30_000, env: { ...process.env, TZ: 'Asia/Seoul' } },
    );
    const { results, hostZone } = JSON.parse(stdout) as { results: CountResult[]; hostZone: string };

    expect(hostZone).toBe('Asia/Seoul');
    expect(results).toEqual([{ id: 'w', rows: 2, maxTimestamp: '2026-11-20T10:45:00.000Z' }]);
  });
});

describe('duckdb connector with a database file and views', () => {
  it('leaves the file untouched: views live in memory, tables of the file resolve as configured', async () => {
    const path = join(dir, 'warehouse.duckdb');
    await seedFile(
      path,
      `CREATE SCHEMA shop; CREATE TABLE shop.orders (id INT); INSERT INTO shop.orders VALUES (1), (2);
       CREATE TABLE users (id INT); INSERT INTO users VALUES (1), (2), (3);
       CREATE SCHEMA sales; CREATE TABLE sales.refunds (id INT); INSERT INTO sales.refunds VALUES (1)`,
    );
    await writeFile(join(dir, 'landed.csv'), 'id\n1\n2\n3\n4\n');
    const before = await sha256(path);
    const connections = provider(
      {
        db: {
          type: 'duckdb',
          path: 'warehouse.duckdb',
          // `shop.landed` shares a schema with the file's `shop.orders`; `raw` exists only in memory.
          views: { 'shop.landed': 'landed.csv', 'raw.landed': 'landed.csv', landed: 'landed.csv' },
        },
      },
      dir,
    );
    const connector = await connections.get('db');

    const results = await connector.count(
      [
        request('orders', 'shop.orders'),
        request('users', 'users'),
        request('main-users', 'main.users'),
        request('catalog', 'warehouse.sales.refunds'),
        request('refunds', 'sales.refunds'),
        request('shop-view', 'shop.landed'),
        request('raw-view', 'raw.landed'),
        request('view', 'landed'),
      ],
      { signal: new AbortController().signal },
    );
    await connections.closeAll();

    expect(results.map((r) => [r.id, r.rows ?? r.error?.message])).toEqual([
      ['orders', 2],
      ['users', 3],
      ['main-users', 3],
      ['catalog', 1],
      ['refunds', 1],
      ['shop-view', 4],
      ['raw-view', 4],
      ['view', 4],
    ]);
    expect(await sha256(path)).toBe(before);
    const instance = await DuckDBInstance.create(path, { access_mode: 'READ_ONLY' });
    const conn = await instance.connect();
    const views = await conn.runAndReadAll('SELECT view_name FROM duckdb_views() WHERE NOT internal');
    const schemas = await conn.runAndReadAll(
      "SELECT schema_name FROM duckdb_schemas() WHERE database_name = 'warehouse' ORDER BY 1",
    );
    conn.closeSync();
    instance.closeSync();
    expect(views.getRowObjectsJS()).toEqual([]);
    expect(schemas.getRowObjectsJS().map((r) => r.schema_name)).toEqual(['main', 'sales', 'shop']);
  });
});

describe('duckdb connector and files that block', () => {
  it('makes no view over a FIFO, where DuckDB would wait on it for ever: its table fails, naming the file', async () => {
    // A quote in its name is kept: the message is Guardrail's, not DuckDB's (whose quotes may hold file content).
    const fifo = join(dir, "o'rders.csv");
    await promisify(execFile)('mkfifo', [fifo]);
    const here = join(dir, 'customers.csv');
    await writeFile(here, 'id\n1\n');
    const connections = provider({
      db: { type: 'duckdb', path: ':memory:', views: { 'shop.orders': fifo, 'shop.customers': here } },
    });
    try {
      const connector = await connections.get('db');
      const counted = await connector.count([request('o', 'shop.orders'), request('c', 'shop.customers')], {
        signal: new AbortController().signal,
      });
      expect(counted.map((c) => [c.id, c.rows, c.error?.message])).toEqual([
        [
          'o',
          undefined,
          `view shop.orders: ${fifo} is a FIFO (named pipe), not a file: DuckDB would wait on it for ever`,
        ],
        ['c', 1, undefined],
      ]);
    } finally {
      await connections.closeAll();
    }
  });

  /** The child's exit: its status, signal and output, or 'hung' when it did not end within `ms`. */
  function childExit(args: string[], ms: number) {
    const child = spawn(process.execPath, ['-r', join(__dirname, '../../bench/register.js'), ...args]);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    return new Promise<
      { code: number | null; signal: string | null; stdout: string; stderr: string } | 'hung'
    >((resolve) => {
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        resolve('hung');
      }, ms);
      child.once('exit', (code, signal) => {
        clearTimeout(timer);
        resolve({ code, signal, stdout, stderr });
      });
    });
  }

  it('ends a process that a blocked DuckDB call would keep from exiting, with SIGKILL and one line saying why, after waiting for it', async () => {
    const fifo = join(dir, 'landed.csv');
    await promisify(execFile)('mkfifo', [fifo, join(dir, 'slow.csv')]);
    const child = join(__dirname, 'blocked-exit-child.ts');

    // Uncounted, the exit waits on the blocked thread for ever (the bug `run` had).
    expect(await childExit([child, fifo, 'uncounted'], 8_000)).toBe('hung');
    const ended = await childExit([child, fifo, 'counted'], 8_000);
    expect(ended).toEqual({
      code: null,
      signal: 'SIGKILL',
      stdout: 'report\n',
      stderr: expect.stringContaining(
        'guardrail: 1 call(s) into the operating system had not returned at exit (a DuckDB view over a hung ' +
          'mount?); Node cannot exit past them, so the process ends with SIGKILL (exit status 137 in place of 3)',
      ),
    });
    // A call that returns within the wait (a slow mount answering at last) keeps the process's own exit code.
    const slow = await childExit([child, join(dir, 'slow.csv'), 'slow'], 8_000);
    expect(slow).toEqual({ code: 3, signal: null, stdout: 'report\n', stderr: '' });
  }, 30_000);
});

// A trial renamed a CSV under `serve`: DuckDB looked for a folder of that name, the locked-down file system refused,
// and the finding read "Permission Error: ... file system operations are disabled by configuration".
describe('duckdb connector when a view file goes away', () => {
  it('counts the other views when one file is gone before the connection opens, naming that view and file', async () => {
    const here = join(dir, 'customers.csv');
    const gone = join(dir, 'gone', 'orders.csv');
    const alone = join(dir, 'gone', 'payments.csv');
    await writeFile(here, 'id\n1\n');
    // `raw.payments` is the only view of its schema; `shop.orders` shares its schema with a view that is there.
    const views = { 'shop.customers': here, 'shop.orders': gone, 'raw.payments': alone };
    const connections = provider({ db: { type: 'duckdb', views } }, dir);
    const connector = await connections.get('db');

    const counted = await connector.count(
      [request('c', 'shop.customers'), request('o', 'shop.orders'), request('p', 'raw.payments')],
      { signal: new AbortController().signal },
    );
    await connections.closeAll();

    expect(counted.map((c) => [c.id, c.rows, c.error?.message])).toEqual([
      ['c', 1, undefined],
      [
        'o',
        undefined,
        `view shop.orders: file ${gone} does not exist: the view over it cannot be read (moved or removed?)`,
      ],
      [
        'p',
        undefined,
        `view raw.payments: file ${alone} does not exist: the view over it cannot be read (moved or removed?)`,
      ],
    ]);
  });

  // A review: the gone view's schema stayed on an attached file's search path, and every session failed.
  it('with a database file attached, counts its tables and the other views, and keeps a missing table its own error', async () => {
    const path = join(dir, 'gone-warehouse.duckdb');
    await seedFile(
      path,
      'CREATE SCHEMA sales; CREATE TABLE sales.refunds (id INT); INSERT INTO sales.refunds VALUES (1)',
    );
    const here = join(dir, 'landed.csv');
    await writeFile(here, 'id\n1\n2\n');
    const gone = join(dir, 'gone', 'orders.csv');
    // `raw.orders` is the only view of its schema; `sales.orders` is in neither the file nor the views.
    const views = { landed: here, 'raw.orders': gone };
    const connections = provider({ db: { type: 'duckdb', path: 'gone-warehouse.duckdb', views } }, dir);
    const connector = await connections.get('db');

    const counted = await connector.count(
      [
        request('r', 'sales.refunds'),
        request('l', 'landed'),
        request('o', 'raw.orders'),
        request('m', 'sales.orders'),
      ],
      { signal: new AbortController().signal },
    );
    await connections.closeAll();

    expect(counted.map((c) => [c.id, c.rows, c.error?.code])).toEqual([
      ['r', 1, undefined],
      ['l', 2, undefined],
      ['o', undefined, 'query-failed'],
      ['m', undefined, 'missing-table'],
    ]);
    expect(counted[2]?.error?.message).toBe(
      `view raw.orders: file ${gone} does not exist: the view over it cannot be read (moved or removed?)`,
    );
    expect(counted[3]?.error?.message).toMatch(/Catalog Error: Table with name orders does not exist/);
  });

  // A review: the unmade view's name resolved to the attached file's table of that name, counted in its place.
  it('never counts a table of the attached file in place of a view of the same name that could not be made', async () => {
    const path = join(dir, 'shadow-warehouse.duckdb');
    await seedFile(
      path,
      'CREATE SCHEMA staging; CREATE TABLE staging.orders (id INT); INSERT INTO staging.orders VALUES (1), (2), (3)',
    );
    const bad = join(dir, 'shadow.parquet');
    await writeFile(bad, 'not parquet\n');
    const connections = provider(
      { db: { type: 'duckdb', path: 'shadow-warehouse.duckdb', views: { 'staging.orders': bad } } },
      dir,
    );
    const connector = await connections.get('db');

    const [counted] = await connector.count([request('o', 'staging.orders')], {
      signal: new AbortController().signal,
    });
    await connections.closeAll();

    expect(counted?.rows).toBeUndefined();
    expect(counted?.error?.message).toBe(
      `view staging.orders: Error: Invalid Input Error: No magic bytes found at end of file ${bad}`,
    );
  });

  it('makes no view DuckDB refuses (a Parquet file that is not one): its table fails on one line, the others count', async () => {
    // A quote in its name cuts nothing: the path is the config's, not the file's content.
    const bad = join(dir, "b'ad.parquet");
    await writeFile(bad, 'not a parquet file\n');
    const here = join(dir, 'customers.csv');
    await writeFile(here, 'id\n1\n');
    const views = { 'shop.bad': bad, 'shop.customers': here };
    const connections = provider({ db: { type: 'duckdb', views } }, dir);
    const connector = await connections.get('db');

    const counted = await connector.count([request('b', 'shop.bad'), request('c', 'shop.customers')], {
      signal: new AbortController().signal,
    });
    await connections.closeAll();

    // One line, naming the file the config names (DuckDB quotes it, and a quote is cut as possible content).
    expect(counted[0]?.error?.message).toBe(
      `view shop.bad: Error: Invalid Input Error: No magic bytes found at end of file ${bad}`,
    );
    expect(counted[1]).toEqual({ id: 'c', rows: 1 });
  });

  // A trial: one bad timestamp in a CSV made the count fail with "No function matches ... 'epoch(VARCHAR)'".
  it('says which time column a file holds as text, when a value in it is not a timestamp', async () => {
    const csv = join(dir, 'events.csv');
    await writeFile(csv, 'id,updated_at\n1,2026-12-01 10:00:00\n2,yesterday\n');
    const connections = provider({ db: { type: 'duckdb', views: { 'shop.events': csv } } }, dir);
    const connector = await connections.get('db');

    const [counted] = await connector.count(
      [{ ...request('e', 'shop.events'), maxTimestampColumn: 'updated_at' }],
      {
        signal: new AbortController().signal,
      },
    );
    await connections.closeAll();

    // Its rows are counted all the same (a trial: a replica cut to its header line, every row lost, was reported
    // as a warning about the column); its latest time is unknown.
    expect(counted).toEqual({
      id: 'e',
      rows: 2,
      maxTimestampError: {
        code: 'not-a-timestamp',
        message:
          'column "updated_at" is read as text, not as a timestamp: DuckDB reads a file\'s column as text when a ' +
          'value in it is not a timestamp (a bad, empty or cut row?)',
      },
    });
  });

  it('counts a file cut to its header line, whose time column DuckDB then reads as text, as empty', async () => {
    const csv = join(dir, 'cut.csv');
    await writeFile(csv, 'id,updated_at\n');
    const connections = provider({ db: { type: 'duckdb', views: { 'shop.cut': csv } } }, dir);
    const connector = await connections.get('db');

    const [counted] = await connector.count(
      [{ ...request('c', 'shop.cut'), maxTimestampColumn: 'updated_at' }],
      { signal: new AbortController().signal },
    );
    await connections.closeAll();

    expect(counted?.rows).toBe(0);
    expect(counted?.maxTimestampError?.code).toBe('not-a-timestamp');
  });

  it('does not count without the time column read as text when a window or the where compares it', async () => {
    const csv = join(dir, 'events.csv');
    await writeFile(csv, 'id,updated_at\n1,2026-12-01 10:00:00\n2,yesterday\n');
    const connections = provider({ db: { type: 'duckdb', views: { 'shop.events': csv } } }, dir);
    const connector = await connections.get('db');
    const window = { column: 'updated_at', from: new Date('2026-11-01'), to: new Date('2026-12-02') };

    const counted = await connector.count(
      [
        { ...request('w', 'shop.events'), maxTimestampColumn: 'updated_at', window },
        { ...request('f', 'shop.events'), maxTimestampColumn: 'updated_at', where: "updated_at > '2026'" },
      ],
      { signal: new AbortController().signal },
    );
    await connections.closeAll();

    // The window's bound is refused by DuckDB's binder; a `where` on the column would compare text (a review), so its
    // error stands, naming the column.
    expect(counted.map((c) => [c.rows, c.error?.code, c.error?.message.slice(0, 60)])).toEqual([
      [
        undefined,
        'query-failed',
        expect.stringContaining('Binder Error: Cannot compare values of type VARCHAR'),
      ],
      [undefined, 'query-failed', 'column "updated_at" is read as text, not as a timestamp: Duc'],
    ]);
  });

  it('says a file is empty, where DuckDB would read it as one column and call the time column missing', async () => {
    const empty = join(dir, 'empty.csv');
    await writeFile(empty, '');
    const connections = provider({ db: { type: 'duckdb', views: { 'shop.empty': empty } } }, dir);
    const connector = await connections.get('db');

    const [counted] = await connector.count(
      [{ ...request('e', 'shop.empty'), maxTimestampColumn: 'updated_at' }],
      {
        signal: new AbortController().signal,
      },
    );
    await connections.closeAll();

    expect([counted?.error?.code, counted?.error?.message]).toEqual([
      'query-failed',
      `view shop.empty: file ${empty} is empty (0 bytes, not even a header line)`,
    ]);
  });

  it('says the file does not exist', async () => {
    const csv = join(dir, 'orders.csv');
    await writeFile(csv, 'id\n1\n2\n');
    const connections = provider({ db: { type: 'duckdb', views: { 'shop.orders': csv } } }, dir);
    const connector = await connections.get('db');
    const before = await connector.count([request('a', 'shop.orders')], {
      signal: new AbortController().signal,
    });
    await rm(csv);

    const after = await connector.count([request('a', 'shop.orders')], {
      signal: new AbortController().signal,
    });
    await connections.closeAll();

    expect(before).toEqual([{ id: 'a', rows: 2 }]);
    expect(after[0]?.error?.message).toBe(
      `file ${csv} does not exist: the view over it cannot be read (moved or removed?)`,
    );
  });
});
