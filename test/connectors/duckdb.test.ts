import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { duckDbDialect } from '../../src/connectors/duckdb-dialect';
import { describeSqlConnector } from './sql-connector-suite';

describeSqlConnector(
  'duckdb',
  async () => {
    const dir = await mkdtemp(join(tmpdir(), 'guardrail-duckdb-'));
    const path = join(dir, 'warehouse.duckdb');
    const instance = await DuckDBInstance.create(path);
    const conn = await instance.connect();
    return {
      connection: { type: 'duckdb', path },
      exec: async (sql) => {
        await conn.run(sql);
      },
      quote: duckDbDialect.quote,
      timestamp: duckDbDialect.timestamp,
      timestampType: 'TIMESTAMP',
      schema: 'shop',
      oddSchema: 'Shop-Raw',
      afterSeed: async () => {
        conn.closeSync();
        instance.closeSync();
      },
      close: async () => {
        await rm(dir, { recursive: true, force: true });
      },
    };
  },
  { slowSql: 'SELECT sum(i) FROM range(50000000000) t(i)' },
);
