import { Client } from 'pg';
import { postgresDialect } from '../../src/connectors/postgres';
import { freshPgDatabase } from '../harness/databases';
import { describeSqlConnector } from './sql-connector-suite';

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
