import { createConnection } from 'mysql2/promise';
import { mysqlDialect } from '../../src/connectors/mysql';
import { freshMysqlDatabase } from '../harness/databases';
import { describeSqlConnector } from './sql-connector-suite';

describeSqlConnector(
  'mysql',
  async () => {
    const url = await freshMysqlDatabase('rc');
    const database = new URL(url).pathname.slice(1);
    const conn = await createConnection({ uri: url, timezone: 'Z' });
    await conn.query(`SET time_zone = '+00:00'`);
    return {
      connection: { type: 'mysql', url },
      exec: async (sql) => {
        await conn.query(sql);
      },
      quote: mysqlDialect.quote,
      timestamp: mysqlDialect.timestamp,
      timestampType: 'DATETIME(3)',
      // In MySQL a schema is a database: both live beside the fresh one and go with it.
      schema: `${database}_s`,
      oddSchema: `${database}-Odd`,
      close: () => conn.end(),
    };
  },
  { slowSql: 'SELECT SLEEP(3)' },
);
