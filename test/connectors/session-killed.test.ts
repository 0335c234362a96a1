import { createConnection } from 'mysql2/promise';
import { Client } from 'pg';
import { freshMysqlDatabase, freshPgDatabase } from '../harness/databases';
import { provider } from '../kit/check-context';
import { request } from './sql-connector-suite';

interface Admin {
  url: string;
  schema: string;
  exec(sql: string): Promise<void>;
  /** Kills every session of the connector's user on this database except the admin's own. */
  killOthers(): Promise<void>;
  close(): Promise<void>;
}

async function postgres(): Promise<Admin> {
  const url = await freshPgDatabase('killed');
  const client = new Client({ connectionString: url });
  await client.connect();
  const exec = async (sql: string) => void (await client.query(sql));
  return {
    url,
    schema: 'public',
    exec,
    killOthers: () =>
      exec(
        `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()`,
      ),
    close: () => client.end(),
  };
}

async function mariadb(): Promise<Admin> {
  const url = await freshMysqlDatabase('killed');
  const conn = await createConnection(url);
  const exec = async (sql: string) => void (await conn.query(sql));
  return {
    url,
    schema: new URL(url).pathname.slice(1),
    exec,
    killOthers: async () => {
      const [rows] = await conn.query(
        'SELECT ID FROM information_schema.PROCESSLIST WHERE DB = DATABASE() AND ID <> CONNECTION_ID()',
      );
      for (const { ID } of rows as Array<{ ID: number }>) await exec(`KILL ${Number(ID)}`);
    },
    close: () => conn.end(),
  };
}

describe.each([
  ['postgres', postgres],
  ['mysql', mariadb],
] as const)('%s connector when the server kills its sessions', (type, makeAdmin) => {
  let admin: Admin;

  beforeAll(async () => {
    admin = await makeAdmin();
    await admin.exec('CREATE TABLE t (id INT)');
    await admin.exec('INSERT INTO t VALUES (1), (2), (3)');
  });
  afterAll(() => admin.close());

  it('replaces the killed sessions and counts on the next sweep', async () => {
    const connections = provider({ db: { type, url: admin.url, maxConnections: 2 } });
    const connector = await connections.get('db');
    const requests = [request('a', `${admin.schema}.t`), request('b', `${admin.schema}.t`)];
    const signal = new AbortController().signal;
    await connector.count(requests, { signal });

    await admin.killOthers();
    const results = await connector.count(requests, { signal });
    await connections.closeAll();

    expect(results).toEqual([
      { id: 'a', rows: 3 },
      { id: 'b', rows: 3 },
    ]);
  });
});
