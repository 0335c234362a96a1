import { Client } from 'pg';
import { postgresDialect } from '../../src/connectors/postgres';
import { freshPgDatabase } from '../harness/databases';
import { provider } from '../kit/check-context';
import { describeSqlConnector, request } from './sql-connector-suite';

describeSqlConnector(
  'postgres',
  async () => {
    const url = await freshPgDatabase('rowcount');
    const client = new Client({ connectionString: url });
    await client.connect();
    return {
      connection: { type: 'postgres', url },
      exec: async (sql) => {
        await client.query(sql);
      },
      quote: postgresDialect.quote,
      timestamp: postgresDialect.timestamp,
      timestampType: 'timestamptz',
      schema: 'game1',
      oddSchema: 'Game1-Raw',
      close: () => client.end(),
    };
  },
  { slowSql: 'SELECT pg_sleep(3)' },
);

describe('postgres connector cancelling a query', () => {
  it('cancels the server query on a session of its own when every pooled session is busy', async () => {
    const url = await freshPgDatabase('pgcancel');
    const admin = new Client({ connectionString: url });
    await admin.connect();
    try {
      await admin.query('CREATE TABLE t (id INT); INSERT INTO t VALUES (1)');
      const connections = provider({ db: { type: 'postgres', url, maxConnections: 1 } });
      const connector = await connections.get('db');
      const controller = new AbortController();
      const started = Date.now();
      setTimeout(() => controller.abort(new Error('check timed out')), 1_000);

      const results = await connector.count(
        [request('slow', 'public.t', { where: 'pg_sleep(15) IS NOT NULL' })],
        { signal: controller.signal },
      );
      const elapsed = Date.now() - started;
      const { rows } = await admin.query(
        "SELECT pid FROM pg_stat_activity WHERE query LIKE '%pg_sleep(15)%' AND pid <> pg_backend_pid() AND state = 'active'",
      );
      await connections.closeAll();

      expect(results).toEqual([{ id: 'slow', error: { code: 'aborted', message: expect.any(String) } }]);
      expect(elapsed).toBeLessThan(3_000);
      expect(rows).toEqual([]);
    } finally {
      await admin.end();
    }
  });
});
