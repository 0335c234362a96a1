import { createConnection } from 'mysql2/promise';
import { Client } from 'pg';
import {
  catalogSql,
  closestTables,
  describeFromRows,
  distanceWithin,
  probeSql,
} from '../../src/connectors/describe';
import { postgresDialect } from '../../src/connectors/postgres';
import type { Connector, DescribeRequest } from '../../src/connectors/types';
import { whereColumns } from '../../src/connectors/where';
import { freshMysqlDatabase, freshPgDatabase } from '../harness/databases';
import { loopbackAws, provider } from '../kit/check-context';
import { startRedshiftData, type RedshiftDataServer } from '../servers/redshift-data/server';

const table = (name: string) => ({ parts: name.split('.') });

/** Levenshtein distance in full, the reference distanceWithin is held to. */
function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      current.push(Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + cost));
    }
    previous = current;
  }
  return previous[b.length]!;
}
const signal = () => AbortSignal.timeout(20_000);

describe('describe: suggestions and SQL', () => {
  it.each([
    ['orders', 'orderz', 1],
    ['orders', 'orders', 0],
    ['order_items', 'orders', 5],
    ['', 'abc', 3],
  ])('edit distance of %s and %s is %d', (a, b, distance) => {
    expect(editDistance(a, b)).toBe(distance);
  });

  it('gives the edit distance when it is within the bound, else Infinity, as the full comparison would', () => {
    // Every pair of short words over a small alphabet, so that each way a comparison can stop early is met.
    const words = [
      '',
      'a',
      'b',
      'ab',
      'ba',
      'abc',
      'acb',
      'bca',
      'abab',
      'baba',
      'aabb',
      'abcab',
      'cabca',
      'aaaaaa',
    ];
    words.push('abcdefg', 'abdcefg', 'bacdegf', 'abcdfeg', 'xabcdefg', 'abcdefgxy', 'gfedcba');
    for (const a of words)
      for (const b of words)
        for (const max of [0, 1, 2, 3]) {
          const full = editDistance(a, b);
          expect([a, b, max, distanceWithin(a, b, max)]).toEqual([a, b, max, full <= max ? full : Infinity]);
        }
  });

  it('suggests names within 2 edits in the same schema, then the same name in another schema', () => {
    const known = [
      { schema: 'shop_raw', table: 'orders' },
      { schema: 'shop_raw', table: 'order_items' },
      { schema: 'archive', table: 'orderz' },
      { schema: 'other', table: 'customers' },
    ];

    expect(closestTables(table('shop_raw.orderz'), known)).toEqual(['shop_raw.orders', 'archive.orderz']);
    expect(closestTables(table('shop_raw.customers'), known)).toEqual(['other.customers']);
    expect(closestTables(table('shop_raw.payments'), known)).toEqual([]);
  });

  it('asks the catalog for the schemas named and for tables of the names wanted, nothing else', () => {
    const sql = catalogSql([{ table: table('shop_raw.Orderz') }, { table: table("x.bad'name") }]);

    expect(sql).toBe(
      'SELECT table_schema AS s, table_name AS t, column_name AS c FROM information_schema.columns' +
        " WHERE table_schema IN ('shop_raw', 'x') OR lower(table_name) IN ('orderz')",
    );
  });

  it('describes found and missing tables from catalog rows', () => {
    const rows = [
      { schema: 'raw', table: 'orders', column: 'id' },
      { schema: 'raw', table: 'orders', column: 'updated_at' },
    ];

    const described = describeFromRows([{ table: table('raw.orders') }, { table: table('raw.order') }], rows);

    expect(Object.fromEntries(described)).toEqual({
      'raw.orders': { columns: ['id', 'updated_at'] },
      'raw.order': { missing: true, suggestions: ['raw.orders'] },
    });
  });

  it('probes with a statement that reads no row', () => {
    const req: DescribeRequest = {
      table: table('raw.orders'),
      columns: ['updated_at'],
      where: 'deleted_at IS NULL',
    };

    expect(probeSql(postgresDialect, req)).toBe(
      'SELECT "updated_at" FROM "raw"."orders" WHERE (deleted_at IS NULL) AND 1 = 0',
    );
  });

  it("lists a where's columns (the last part of qualified names), not functions, literals or types", () => {
    expect(
      whereColumns(
        "t.status <> 'void' AND lower(\"Kind\") LIKE 'a%' AND CAST(amount AS DECIMAL(10, 2)) > 0 AND created_at > DATE '2026-01-01' AND status IS NOT NULL",
      ),
    ).toEqual(['status', 'Kind', 'amount', 'created_at']);
  });
});

/** The same story on every SQL engine: a found table, a misspelt one, a missing column, an unreadable table. */
async function story(connector: Connector, schema: string, opts: { unreadable?: string } = {}) {
  const described = await connector.describe!(
    [
      { table: table(`${schema}.orders`), columns: ['updated_at', 'status'], where: "status <> 'void'" },
      { table: table(`${schema}.orderz`) },
      ...(opts.unreadable ? [{ table: table(`${schema}.${opts.unreadable}`), columns: ['id'] }] : []),
    ],
    { signal: signal() },
  );
  return Object.fromEntries(
    [...described].map(([k, v]) => [k, 'columns' in v ? { ...v, columns: [...v.columns].sort() } : v]),
  );
}

describe('describe on PostgreSQL', () => {
  it('lists columns, suggests the misspelt table, and says which table cannot be read', async () => {
    const url = await freshPgDatabase('describe');
    const admin = new Client({ connectionString: url });
    await admin.connect();
    // A role of its own (roles are cluster-wide): it may read orders, and only insert into secret.
    const role = `guardrail_describe_${process.pid}_${Date.now()}`;
    await admin.query(`CREATE SCHEMA raw;
      CREATE TABLE raw.orders (id INT, status TEXT, updated_at TIMESTAMPTZ);
      CREATE TABLE raw.secret (id INT);
      CREATE ROLE ${role} LOGIN PASSWORD 'pw';
      GRANT USAGE ON SCHEMA raw TO ${role};
      GRANT SELECT ON raw.orders TO ${role};
      GRANT INSERT ON raw.secret TO ${role};
      CREATE TABLE raw.hidden (id INT);
      CREATE MATERIALIZED VIEW raw.daily AS SELECT 1 AS id;
      GRANT SELECT ON raw.daily TO ${role};`);
    await admin.end();
    const limited = new URL(url);
    limited.username = role;
    limited.password = 'pw';
    const connections = provider({ dw: { type: 'postgres', url: limited.toString() } });

    const described = await story(await connections.get('dw'), 'raw', { unreadable: 'secret' });
    // information_schema lists only what the role holds a privilege on, and never a materialized view: neither is
    // missing (a trial's validate --online said "table not found" of a table it could not read).
    const hidden = await (
      await connections.get('dw')
    ).describe!([{ table: table('raw.hidden') }, { table: table('raw.daily'), columns: ['id'] }], {
      signal: signal(),
    });
    await connections.closeAll();

    expect(Object.fromEntries(hidden)).toEqual({
      'raw.hidden': {
        columns: [],
        hidden: true,
        unreadable: expect.stringMatching(/permission denied for (table|relation) hidden/),
      },
      'raw.daily': { columns: ['id'], hidden: true },
    });

    expect(described).toEqual({
      'raw.orders': { columns: ['id', 'status', 'updated_at'] },
      'raw.orderz': { missing: true, suggestions: ['raw.orders'] },
      'raw.secret': {
        columns: ['id'],
        unreadable: expect.stringMatching(/permission denied for (table|relation) secret/),
      },
    });
  });
});

describe('describe on MariaDB', () => {
  it('lists columns and suggests the misspelt table', async () => {
    const url = await freshMysqlDatabase('describe');
    const database = new URL(url).pathname.slice(1);
    const admin = await createConnection(url);
    await admin.query('CREATE TABLE orders (id INT, status VARCHAR(10), updated_at DATETIME(3))');
    await admin.end();
    const connections = provider({ game1: { type: 'mysql', url } });

    const described = await story(await connections.get('game1'), database);
    await connections.closeAll();

    expect(described).toEqual({
      [`${database}.orders`]: { columns: ['id', 'status', 'updated_at'] },
      [`${database}.orderz`]: { missing: true, suggestions: [`${database}.orders`] },
    });
  });
});

describe('describe on Redshift (Data API)', () => {
  let server: RedshiftDataServer | undefined;
  afterAll(() => server?.close());

  it('lists columns and suggests the misspelt table through information_schema', async () => {
    const url = await freshPgDatabase('describe_rs');
    const admin = new Client({ connectionString: url });
    await admin.connect();
    await admin.query(
      'CREATE SCHEMA raw; CREATE TABLE raw.orders (id INT, status TEXT, updated_at TIMESTAMPTZ)',
    );
    await admin.end();
    server = await startRedshiftData(url, { pollsUntilDone: 1, pageSize: 10 });
    const connections = provider(
      { dw: { type: 'redshift', workgroup: 'analytics', database: 'dev', region: 'us-east-1' } },
      process.cwd(),
      { aws: loopbackAws(server.endpoint) },
    );

    const described = await story(await connections.get('dw'), 'raw');
    await connections.closeAll();

    expect(described).toEqual({
      'raw.orders': { columns: ['id', 'status', 'updated_at'] },
      'raw.orderz': { missing: true, suggestions: ['raw.orders'] },
    });
  });
});

describe('describe on DuckDB', () => {
  it('finds views in their schemas and suggests across schemas', async () => {
    const connections = provider(
      {
        lake: { type: 'duckdb', path: ':memory:', views: { 'shop_raw.orders': 'data/target/orders.csv' } },
      },
      `${__dirname}/../../examples/quickstart`,
    );
    const connector = await connections.get('lake');

    const described = await connector.describe!(
      [
        { table: table('shop_raw.orderz') },
        { table: table('shop.orders') },
        { table: table('shop_raw.orders') },
      ],
      { signal: signal() },
    );
    await connections.closeAll();

    expect(described.get('shop_raw.orderz')).toEqual({ missing: true, suggestions: ['shop_raw.orders'] });
    expect(described.get('shop.orders')).toEqual({ missing: true, suggestions: ['shop_raw.orders'] });
    expect(described.get('shop_raw.orders')).toEqual({
      columns: expect.arrayContaining(['id', 'updated_at']),
    });
  });
});
