import { randomBytes } from 'node:crypto';
import { createConnection } from 'mysql2/promise';
import { Client } from 'pg';

function requiredEnv(name: string): string {
  const url = process.env[name];
  if (!url) {
    throw new Error(
      `${name} is not set: run the tests through jest so test/harness/global-setup.ts starts the servers`,
    );
  }
  return url;
}

/** URL of the run's shared PostgreSQL test database. */
export function testPgUrl(): string {
  return requiredEnv('GUARDRAIL_TEST_PG_URL');
}

/** URL of the run's shared MariaDB test database. */
export function testMysqlUrl(): string {
  return requiredEnv('GUARDRAIL_TEST_MYSQL_URL');
}

function uniqueName(prefix: string): string {
  const safe = prefix
    .toLowerCase()
    .replace(/[^a-z0-9_]/g, '_')
    .slice(0, 30);
  return `${safe}_${process.pid}_${randomBytes(4).toString('hex')}`;
}

function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

/** Creates a new, empty database on the shared PostgreSQL and returns its URL. */
export async function freshPgDatabase(prefix: string): Promise<string> {
  const name = uniqueName(prefix);
  const client = new Client({ connectionString: testPgUrl() });
  await client.connect();
  try {
    await client.query(`CREATE DATABASE "${name}"`);
  } finally {
    await client.end();
  }
  return withDatabase(testPgUrl(), name);
}

/** Creates a new, empty database on the shared MariaDB and returns its URL. */
export async function freshMysqlDatabase(prefix: string): Promise<string> {
  const name = uniqueName(prefix);
  const connection = await createConnection(testMysqlUrl());
  try {
    await connection.query(`CREATE DATABASE \`${name}\``);
  } finally {
    await connection.end();
  }
  return withDatabase(testMysqlUrl(), name);
}
