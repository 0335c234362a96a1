import { createConnection } from 'mysql2/promise';
import { Client } from 'pg';
import { startTcpProxy, type TcpProxy } from '../../bench/row-count-proxy';
import { freshMysqlDatabase, freshPgDatabase } from '../harness/databases';
import { provider } from '../kit/check-context';
import { request } from './sql-connector-suite';

const TABLES = 6;

interface Server {
  url: string;
  exec(sql: string): Promise<void>;
  close(): Promise<void>;
}

async function postgres(): Promise<Server> {
  const url = await freshPgDatabase('gone');
  const client = new Client({ connectionString: url });
  await client.connect();
  return { url, exec: async (sql) => void (await client.query(sql)), close: () => client.end() };
}

async function mariadb(): Promise<Server> {
  const url = await freshMysqlDatabase('gone');
  const conn = await createConnection(url);
  return { url, exec: async (sql) => void (await conn.query(sql)), close: () => conn.end() };
}

describe.each([
  ['postgres', postgres, 'public'],
  ['mysql', mariadb, ''],
] as const)('%s connector when the server goes away mid-sweep', (type, makeServer, schemaName) => {
  let server: Server;
  let proxy: TcpProxy;

  beforeAll(async () => {
    server = await makeServer();
    for (let i = 0; i < TABLES; i++) {
      await server.exec(`CREATE TABLE t${i} (id INT)`);
      await server.exec(`INSERT INTO t${i} VALUES (1), (2)`);
    }
    const { hostname, port } = new URL(server.url);
    proxy = await startTcpProxy({ host: hostname, port: Number(port) });
  });
  afterAll(async () => {
    await proxy.close();
    await server.close();
  });

  it('keeps the counts it got, reports the rest as failed, and does not hang', async () => {
    const schema = schemaName || new URL(server.url).pathname.slice(1);
    const connections = provider({
      db: { type, url: proxy.wrap(server.url), maxConnections: 1, batchSize: 2 },
    });
    const connector = await connections.get('db');
    const requests = Array.from({ length: TABLES }, (_, i) => request(String(i), `${schema}.t${i}`));

    // The first batch arrives, then the server is gone for good.
    const results = await connector.count(requests, {
      signal: AbortSignal.timeout(20_000),
      onProgress: (done) => void (done === 2 ? proxy.close() : undefined),
    });
    await connections.closeAll();

    expect(results.slice(0, 2)).toEqual([
      { id: '0', rows: 2 },
      { id: '1', rows: 2 },
    ]);
    // The batch that met the closed server is tried once more; then the server counts as gone for this run.
    expect(results.slice(2).map((r) => r.error?.code)).toEqual([
      'unreachable',
      'unreachable',
      'unreachable',
      'unreachable',
    ]);
    expect(results[2]?.error?.message).toMatch(/ECONNREFUSED|connect|closed|terminated|lost/i);
  });
});
