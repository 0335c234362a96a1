import { Client } from 'pg';
import { createConnection } from 'mysql2/promise';
import { postgresDialect } from '../../src/connectors/postgres';
import { mysqlDialect } from '../../src/connectors/mysql';
import { unionSql, type SqlDialect } from '../../src/connectors/sql-dialect';
import type { ConnectionProvider, CountResult } from '../../src/connectors/types';
import { freshMysqlDatabase, freshPgDatabase } from '../harness/databases';
import { loopbackAws, provider } from '../kit/check-context';
import { startRedshiftData, type RedshiftDataServer } from '../servers/redshift-data/server';
import { request } from './sql-connector-suite';

/**
 * `where` strings that try to write, sent straight to the connectors (the load-time grammar would refuse them
 * all): what stops them here is the database itself.
 */

/** Closes the count's `WHERE (` and its scalar subquery, runs `payload`, and reopens so the tail still parses. */
const breakout = (payload: string) => `1=1)) AS n, NULL AS ts; ${payload}; SELECT (SELECT 1 WHERE (1=1`;

const signal = AbortSignal.timeout(30_000);

async function countWhere(connections: ConnectionProvider, where: string): Promise<CountResult> {
  const connector = await connections.get('db');
  const [result] = await connector.count([request('1', 'hostile.t', { where })], { signal });
  return result as CountResult;
}

/** The statement the connector builds for one table with this `where`: what a simple-protocol driver would send. */
const countSql = (dialect: SqlDialect, where: string) =>
  unionSql(dialect, [{ req: request('1', 'hostile.t', { where }), index: 0 }]);

describe('postgres refuses a where that writes', () => {
  const PAYLOAD = 'COMMIT; BEGIN READ WRITE; CREATE TABLE hostile.pwned(x int); COMMIT';
  let url: string;
  let admin: Client;
  let connections: ConnectionProvider;

  beforeAll(async () => {
    url = await freshPgDatabase('hostile');
    admin = new Client({ connectionString: url });
    await admin.connect();
    await admin.query(
      'CREATE SCHEMA hostile; CREATE TABLE hostile.t (id INT); INSERT INTO hostile.t VALUES (1)',
    );
    connections = provider({ db: { type: 'postgres', url } });
  });
  afterAll(async () => {
    await connections.closeAll();
    await admin.end();
  });
  const pwned = async () =>
    (await admin.query("SELECT to_regclass('hostile.pwned') AS t")).rows[0].t as string | null;

  it('would be written through the simple protocol even by a read-only session (the attack is real)', async () => {
    const simple = new Client({ connectionString: url, options: '-c default_transaction_read_only=on' });
    await simple.connect();

    await simple.query(countSql(postgresDialect, breakout(PAYLOAD))).finally(() => simple.end());

    expect(await pwned()).toBe('hostile.pwned');
    await admin.query('DROP TABLE hostile.pwned');
  });

  it.each([
    ['a second statement after the count', breakout(PAYLOAD)],
    ['statements inside the parentheses', `1=1; ${PAYLOAD}; SELECT 1`],
    ['an INSERT after a closed parenthesis', '1=1) ; INSERT INTO hostile.t VALUES (1'],
    ['SELECT ... INTO in a subquery', 'id IN (SELECT id INTO hostile.pwned FROM hostile.t)'],
    ['SELECT ... INTO as a second statement', breakout('SELECT * INTO hostile.pwned FROM hostile.t')],
  ])('refuses %s: the count fails and nothing is written', async (_what, where) => {
    const result = await countWhere(connections, where);

    expect(result.rows).toBeUndefined();
    expect(result.error?.code).toBe('query-failed');
    expect(await pwned()).toBeNull();
    expect((await admin.query('SELECT count(*)::int AS n FROM hostile.t')).rows[0].n).toBe(1);
  });

  it('names the server refusing several statements', async () => {
    const result = await countWhere(connections, breakout(PAYLOAD));

    expect(result.error?.message).toMatch(/cannot insert multiple commands into a prepared statement/);
  });
});

describe('mariadb refuses a where that writes', () => {
  // MariaDB's read-only session already refuses DDL (it commits implicitly, back into a read-only transaction),
  // not an INSERT inside an explicit READ WRITE transaction.
  const PAYLOAD = 'COMMIT; START TRANSACTION READ WRITE; INSERT INTO hostile.t VALUES (2); COMMIT';
  let url: string;
  let admin: Awaited<ReturnType<typeof createConnection>>;
  let connections: ConnectionProvider;

  beforeAll(async () => {
    url = await freshMysqlDatabase('hostile');
    admin = await createConnection({ uri: url, multipleStatements: true });
    await admin.query(
      'CREATE DATABASE hostile; CREATE TABLE hostile.t (id INT); INSERT INTO hostile.t VALUES (1)',
    );
    connections = provider({ db: { type: 'mysql', url } });
  });
  afterAll(async () => {
    await connections.closeAll();
    await admin.query('DROP DATABASE hostile');
    await admin.end();
  });
  const pwned = async () => {
    const [rows] = await admin.query(
      "SELECT count(*) AS n FROM information_schema.tables WHERE table_schema = 'hostile' AND table_name = 'pwned'",
    );
    return Number((rows as Array<{ n: number }>)[0]?.n);
  };

  it('would be written by a read-only session that allows several statements (the attack is real)', async () => {
    const loose = await createConnection({ uri: url, multipleStatements: true });
    await loose.query('SET SESSION TRANSACTION READ ONLY');

    await loose.query(countSql(mysqlDialect, breakout(PAYLOAD))).finally(() => loose.end());

    const [rows] = await admin.query('SELECT count(*) AS n FROM hostile.t');
    expect(Number((rows as Array<{ n: number }>)[0]?.n)).toBe(2);
    await admin.query('DELETE FROM hostile.t WHERE id = 2');
  });

  it.each([
    ['a second statement after the count', breakout(PAYLOAD)],
    ['statements inside the parentheses', `1=1; ${PAYLOAD}; SELECT 1`],
    ['an INSERT after a closed parenthesis', '1=1) ; INSERT INTO hostile.t VALUES (1'],
    ['SELECT ... INTO in a subquery', 'id IN (SELECT id INTO @x FROM hostile.t)'],
    [
      'SELECT ... INTO OUTFILE as a second statement',
      breakout("SELECT 1 INTO OUTFILE '/tmp/guardrail-pwned'"),
    ],
    ['a CREATE TABLE as a second statement', breakout('CREATE TABLE hostile.pwned(x int)')],
  ])('refuses %s: the count fails and nothing is written', async (_what, where) => {
    const result = await countWhere(connections, where);

    expect(result.rows).toBeUndefined();
    expect(result.error?.code).toBe('query-failed');
    expect(await pwned()).toBe(0);
    const [rows] = await admin.query('SELECT count(*) AS n FROM hostile.t');
    expect(Number((rows as Array<{ n: number }>)[0]?.n)).toBe(1);
  });
});

describe('redshift (Data API over PostgreSQL) refuses a where that writes', () => {
  let admin: Client;
  let server: RedshiftDataServer;
  let connections: ConnectionProvider;

  beforeAll(async () => {
    const url = await freshPgDatabase('hostile_rs');
    admin = new Client({ connectionString: url });
    await admin.connect();
    await admin.query(
      'CREATE SCHEMA hostile; CREATE TABLE hostile.t (id INT); INSERT INTO hostile.t VALUES (1)',
    );
    server = await startRedshiftData(url);
    connections = provider(
      { db: { type: 'redshift', workgroup: 'analytics', database: 'dev', region: 'us-east-1' } },
      process.cwd(),
      { aws: loopbackAws(server.endpoint) },
    );
  });
  afterAll(async () => {
    await connections.closeAll();
    await server.close();
    await admin.end();
  });
  const pwned = async () =>
    (await admin.query("SELECT to_regclass('hostile.pwned') AS t")).rows[0].t as string | null;

  it.each([
    ['a second statement after the count', breakout('CREATE TABLE hostile.pwned(x int)'), /a ";"/],
    ['a close of the wrapper', '1=1)) AS n FROM x) AS guardrail_q, (SELECT (1', /unbalanced/],
    ['a comment that hides the wrapper', '1=1 --', /a comment/],
    [
      'SELECT ... INTO in a subquery',
      'id IN (SELECT id INTO hostile.pwned FROM hostile.t)',
      /INTO is not allowed here/,
    ],
  ])('refuses %s: the count fails and nothing is written', async (_what, where, message) => {
    const result = await countWhere(connections, where);

    expect(result.error).toEqual({ code: 'query-failed', message: expect.stringMatching(message) });
    expect(await pwned()).toBeNull();
  });

  it.each([
    ['DDL', 'CREATE TABLE hostile.pwned(x int)', /syntax error.*read-only connection/],
    ['DML', 'INSERT INTO hostile.t VALUES (2)', /syntax error.*read-only connection/],
    ['SELECT ... INTO', 'SELECT * INTO hostile.pwned FROM hostile.t', /INTO is not allowed here/],
  ])('refuses %s sent as a query: the wrapper lets only a SELECT parse', async (_what, sql, message) => {
    const connector = await connections.get('db');

    await expect(connector.query!(sql, [], { signal })).rejects.toThrow(message);
    expect(await pwned()).toBeNull();
    expect((await admin.query('SELECT count(*)::int AS n FROM hostile.t')).rows[0].n).toBe(1);
  });
});
