import BetterSqlite3 from 'better-sqlite3';
import { Client } from 'pg';

export interface RawOutboxRow {
  id: string;
  status: string;
  attempts: number;
  next_attempt_at: string;
  last_error: string | null;
  sent_at: string | null;
}

const iso = (value: unknown) => (value === null ? null : new Date(value as string | Date).toISOString());

/** Every outbox row, whatever its status, read behind the store's back (ordered by id). */
export async function outboxRows(url: string): Promise<RawOutboxRow[]> {
  const sql = `SELECT id, status, attempts, next_attempt_at, last_error, sent_at FROM guardrail_outbox
    ORDER BY id`;
  let rows: RawOutboxRow[];
  if (url.startsWith('sqlite://')) {
    const db = new BetterSqlite3(url.slice('sqlite://'.length), { readonly: true });
    rows = db.prepare(sql).all() as RawOutboxRow[];
    db.close();
  } else {
    const client = new Client({ connectionString: url });
    await client.connect();
    rows = (await client.query<RawOutboxRow>(sql)).rows;
    await client.end();
  }
  return rows.map((row) => ({
    ...row,
    attempts: Number(row.attempts),
    next_attempt_at: iso(row.next_attempt_at)!,
    sent_at: iso(row.sent_at),
  }));
}
