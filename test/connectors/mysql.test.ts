import { createConnection } from 'mysql2/promise';
import { mysqlDialect } from '../../src/connectors/mysql';
import { freshMysqlDatabase } from '../harness/databases';
import { provider } from '../kit/check-context';
import { describeSqlConnector, request } from './sql-connector-suite';

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

// A review: MySQL compares an epoch-seconds column with the window's TIMESTAMP as the number 2026...: every row
// fell outside the window, both sides counted 0, and nothing said so.
describe('mysql connector: a window or freshness column that is no date or time', () => {
  it('fails those tables with a message, counts the others, and looks each column up once', async () => {
    const url = await freshMysqlDatabase('epoch');
    const conn = await createConnection({ uri: url, timezone: 'Z' });
    const now = Math.floor(Date.now() / 1000);
    await conn.query('CREATE TABLE ev (id INT, updated_at BIGINT)');
    await conn.query(`INSERT INTO ev VALUES (1, ${now - 1800}), (2, ${now - 1700})`);
    await conn.query('CREATE TABLE ok (id INT, updated_at DATETIME(3))');
    await conn.query(`INSERT INTO ok VALUES (1, UTC_TIMESTAMP(3) - INTERVAL 30 MINUTE)`);
    await conn.end();
    const database = new URL(url).pathname.slice(1);
    const connections = provider({ db: { type: 'mysql', url } }, process.cwd(), {});
    const connector = await connections.get('db');
    const window = { column: 'updated_at', from: new Date(Date.now() - 3_600_000), to: new Date() };
    const signal = new AbortController().signal;
    const ask = () =>
      connector.count(
        [
          request('ev', `${database}.ev`, { window, maxTimestampColumn: 'updated_at' }),
          request('ok', `${database}.ok`, { window }),
        ],
        { signal },
      );

    const results = await ask();
    const before = connector.stats?.().roundTrips ?? 0;
    await ask();
    const again = (connector.stats?.().roundTrips ?? 0) - before;
    await connections.closeAll();

    expect(results).toEqual([
      {
        id: 'ev',
        error: {
          code: 'query-failed',
          message:
            "column updated_at is bigint, not a date or time: mysql would compare it with the window's timestamps as a number and count no row (use a DATETIME or TIMESTAMP column)",
        },
      },
      { id: 'ok', rows: 1 },
    ]);
    expect(again).toBe(1); // the count alone: the column's type is known
  });
});
