import BetterSqlite3 from 'better-sqlite3';
import { Client } from 'pg';

/** The versions recorded in `guardrail_schema_version`, read behind the store's back. */
export async function schemaVersions(url: string): Promise<number[]> {
  const sql = 'SELECT version FROM guardrail_schema_version ORDER BY version';
  if (url.startsWith('sqlite://')) {
    const db = new BetterSqlite3(url.slice('sqlite://'.length), { readonly: true });
    const rows = db.prepare(sql).all() as { version: number }[];
    db.close();
    return rows.map((row) => row.version);
  }
  const client = new Client({ connectionString: url });
  await client.connect();
  const { rows } = await client.query<{ version: number }>(sql);
  await client.end();
  return rows.map((row) => row.version);
}

/** Records `version` as applied, as a newer Guardrail's migration would. */
export async function recordVersion(url: string, version: number): Promise<void> {
  const sql = 'INSERT INTO guardrail_schema_version (version, description, applied_at) VALUES ';
  if (url.startsWith('sqlite://')) {
    const db = new BetterSqlite3(url.slice('sqlite://'.length));
    db.prepare(`${sql}(?, 'from a newer build', ?)`).run(version, new Date().toISOString());
    db.close();
    return;
  }
  const client = new Client({ connectionString: url });
  await client.connect();
  await client.query(`${sql}($1, 'from a newer build', now())`, [version]);
  await client.end();
}
