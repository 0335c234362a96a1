import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ConnectionProvider } from '../../src/connectors/types';
import { provider } from '../kit/check-context';
import { request } from './sql-connector-suite';

/** `where` strings that reach for files, sent straight to the connector: DuckDB's own settings stop them. */
const SECRET = 'TOPSECRET-4711';
const CSV_VALUE = 'landed-value-0815';
const signal = AbortSignal.timeout(30_000);
const breakout = (payload: string) => `1=1)) AS n, NULL AS ts; ${payload}; SELECT (SELECT 1 WHERE (1=1`;

describe('duckdb refuses a where that reads or writes files', () => {
  let dir: string;
  let connections: ConnectionProvider;
  const file = (name: string) => join(dir, name);

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'guardrail-hostile-'));
    await writeFile(file('landed.csv'), `id,note\n1,${CSV_VALUE}\n2,${CSV_VALUE}\n`);
    await writeFile(file('secret.txt'), `${SECRET}\n`);
    connections = provider({
      db: { type: 'duckdb', path: ':memory:', views: { 'hostile.t': file('landed.csv') } },
    });
  });
  afterAll(async () => {
    await connections.closeAll();
    await rm(dir, { recursive: true, force: true });
  });

  const countWhere = async (where: string) => {
    const connector = await connections.get('db');
    const [result] = await connector.count([request('1', 'hostile.t', { where })], { signal });
    return result;
  };

  it('still counts its own views once files are locked away', async () => {
    expect(await countWhere('id > 1')).toEqual({ id: '1', rows: 1 });
  });

  it.each([
    [
      'COPY ... TO as a second statement',
      breakout(`COPY (SELECT 1) TO '${join(tmpdir(), 'x')}'`),
      /multiple statements/,
    ],
    ['CREATE TABLE as a second statement', breakout('CREATE TABLE pwned AS SELECT 1'), /multiple statements/],
    [
      'read_text() of another file',
      `(SELECT count(*) FROM read_text('${'SECRET_PATH'}')) > 0`,
      /Permission Error/,
    ],
    [
      'read_csv() of another file',
      `(SELECT count(*) FROM read_csv('${'SECRET_PATH'}')) > 0`,
      /Permission Error/,
    ],
    ['read_text() as a scalar', `length(read_text('${'SECRET_PATH'}')) > 0`, /table function/],
    [
      'a file cast to a number, which would quote it',
      `CAST((SELECT content FROM read_text('${'SECRET_PATH'}')) AS INT) > 0`,
      /Permission Error/,
    ],
    [
      'a view file cast to a number, whose content DuckDB quotes',
      `CAST((SELECT content FROM read_text('${'CSV_PATH'}')) AS INT) > 0`,
      /^(Error: )?Conversion Error: Could not convert string '…'$/,
    ],
  ])('refuses %s: the count fails and no file content is in the error', async (_what, template, message) => {
    const where = template.replace('SECRET_PATH', file('secret.txt')).replace('CSV_PATH', file('landed.csv'));

    const result = await countWhere(where);

    expect(result?.error?.code).toBe('query-failed');
    expect(result?.error?.message).toMatch(message);
    expect(result?.error?.message).not.toContain(SECRET);
    expect(result?.error?.message).not.toContain(CSV_VALUE);
  });

  it.each([
    ['COPY ... TO', (out: string) => `COPY (SELECT 1) TO '${out}'`, /Permission Error: Cannot access file/],
    ['SET', () => 'SET enable_external_access = true', /read-only connection: refusing a SET/],
    ['CREATE', () => 'CREATE TABLE pwned (x INT)', /read-only connection: refusing a CREATE/],
  ])('refuses %s sent as a query, and writes no file', async (_what, sql, message) => {
    const out = file('out.csv');
    const connector = await connections.get('db');

    await expect(connector.query!(sql(out), [], { signal })).rejects.toThrow(message);
    expect(existsSync(out)).toBe(false);
  });

  it('cannot write a file from a where, even inside one SELECT', async () => {
    const out = file('copied.csv');

    const result = await countWhere(`(SELECT count(*) FROM read_csv('${out}')) >= 0`);

    expect(result?.error?.message).toMatch(/Permission Error/);
    expect(existsSync(out)).toBe(false);
  });
});
