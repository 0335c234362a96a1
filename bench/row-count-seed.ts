import { createConnection } from 'mysql2/promise';
import { Client } from 'pg';

/** Statements sent per multi-statement query while seeding. */
const SEED_BATCH = 500;

export const tableName = (i: number): string => `t${String(i).padStart(5, '0')}`;

/** Rows in table `i` on the source; every 100th target table is one row short (drift to report). */
export const rowsIn = (i: number): number => i % 7;

async function inBatches(statements: string[], run: (sql: string) => Promise<unknown>): Promise<void> {
  for (let i = 0; i < statements.length; i += SEED_BATCH) {
    await run(statements.slice(i, i + SEED_BATCH).join(';\n'));
  }
}

function tableStatements(count: number, qualified: (t: string) => string, short: boolean): string[] {
  const out: string[] = [];
  for (let i = 0; i < count; i++) {
    const t = qualified(tableName(i));
    out.push(`CREATE TABLE ${t} (id INT PRIMARY KEY, updated_at TIMESTAMP NULL)`);
    const n = rowsIn(i) - (short && i % 100 === 0 && rowsIn(i) > 0 ? 1 : 0);
    if (n > 0) {
      const values = Array.from({ length: n }, (_, r) => `(${r + 1}, CURRENT_TIMESTAMP)`).join(', ');
      out.push(`INSERT INTO ${t} VALUES ${values}`);
    }
  }
  return out;
}

/** Creates database `bench` with `count` tables on MariaDB (the source). */
export async function seedMariaDb(adminUrl: string, count: number): Promise<string> {
  const conn = await createConnection({ uri: adminUrl, multipleStatements: true });
  await conn.query('DROP DATABASE IF EXISTS bench; CREATE DATABASE bench');
  await inBatches(
    tableStatements(count, (t) => `bench.${t}`, false),
    (sql) => conn.query(sql),
  );
  await conn.end();
  const url = new URL(adminUrl);
  url.pathname = '/bench';
  return url.toString();
}

/** Creates schema `bench` with `count` tables on PostgreSQL (the target). */
export async function seedPostgres(url: string, count: number): Promise<string> {
  const client = new Client({ connectionString: url });
  await client.connect();
  await client.query('DROP SCHEMA IF EXISTS bench CASCADE; CREATE SCHEMA bench');
  await inBatches(
    tableStatements(count, (t) => `bench.${t}`, true),
    (sql) => client.query(`BEGIN; ${sql}; COMMIT`),
  );
  await client.end();
  return url;
}
