import type { Database } from 'better-sqlite3';
import type { Pool } from 'pg';

/** One schema step. `sql` is used by both engines unless a dialect-specific text is given. */
export interface Migration {
  version: number;
  description: string;
  sql: string | { sqlite: string; postgres: string };
}

const table = (ts: string, json: string) => `
  CREATE TABLE guardrail_alert_state (
    check_id TEXT NOT NULL,
    key TEXT NOT NULL,
    status TEXT NOT NULL,
    severity TEXT NOT NULL,
    first_firing_at ${ts} NOT NULL,
    last_seen_at ${ts} NOT NULL,
    last_notified_at ${ts},
    resolved_at ${ts},
    finding ${json} NOT NULL,
    PRIMARY KEY (check_id, key)
  );
  CREATE TABLE guardrail_outbox (
    id TEXT PRIMARY KEY,
    channel TEXT NOT NULL,
    check_id TEXT NOT NULL,
    created_at ${ts} NOT NULL,
    payload ${json} NOT NULL,
    status TEXT NOT NULL,
    attempts INTEGER NOT NULL,
    next_attempt_at ${ts} NOT NULL,
    last_error TEXT,
    sent_at ${ts}
  );
  CREATE INDEX guardrail_outbox_pending ON guardrail_outbox (status, next_attempt_at);
  CREATE TABLE guardrail_watermark (
    check_id TEXT NOT NULL,
    name TEXT NOT NULL,
    value TEXT NOT NULL,
    PRIMARY KEY (check_id, name)
  );
  CREATE TABLE guardrail_first_seen (
    check_id TEXT NOT NULL,
    scope TEXT NOT NULL,
    key TEXT NOT NULL,
    first_seen_at ${ts} NOT NULL,
    PRIMARY KEY (check_id, scope, key)
  );`;

const lease = (ts: string) => `
  CREATE TABLE guardrail_lease (
    name TEXT PRIMARY KEY,
    holder TEXT NOT NULL,
    expires_at ${ts} NOT NULL
  );`;

/** Events stay firing for good: the column lets a run skip them and `prune` find the old ones by index. */
const lifecycle = (isEvent: string) => `
  ALTER TABLE guardrail_alert_state ADD COLUMN lifecycle TEXT NOT NULL DEFAULT 'condition';
  UPDATE guardrail_alert_state SET lifecycle = 'event' WHERE ${isEvent};
  CREATE INDEX guardrail_alert_state_open ON guardrail_alert_state (check_id, lifecycle, status);
  CREATE INDEX guardrail_alert_state_seen ON guardrail_alert_state (lifecycle, last_seen_at);
  CREATE INDEX guardrail_alert_state_resolved ON guardrail_alert_state (status, resolved_at);`;

/** A pending alert is a status (TEXT, no change); the column counts its consecutive runs for `for: N runs`. */
const PENDING = `
  ALTER TABLE guardrail_alert_state ADD COLUMN pending_runs INTEGER NOT NULL DEFAULT 0;`;

/** Silences added from the CLI, and on each alert state the silence muting it (for the note when it ends). */
const silences = (ts: string, json: string) => `
  CREATE TABLE guardrail_silence (
    id TEXT PRIMARY KEY,
    check_id TEXT NOT NULL,
    key_glob TEXT,
    labels ${json},
    ends_at ${ts} NOT NULL,
    reason TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_at ${ts} NOT NULL,
    expired_at ${ts}
  );
  CREATE INDEX guardrail_silence_ends ON guardrail_silence (ends_at);
  ALTER TABLE guardrail_alert_state ADD COLUMN silence ${json};`;

/** What `guardrail cleanup apply` did to each resource of a plan (issue 14): a second apply skips what is done. */
const cleanupResults = (ts: string, real: string) => `
  CREATE TABLE guardrail_cleanup_result (
    plan_id TEXT NOT NULL,
    check_id TEXT NOT NULL,
    resource_id TEXT NOT NULL,
    action TEXT NOT NULL,
    outcome TEXT NOT NULL,
    detail TEXT NOT NULL,
    monthly_saving_usd ${real} NOT NULL,
    applied_at ${ts} NOT NULL,
    PRIMARY KEY (plan_id, resource_id)
  );`;

/** Each plan `guardrail cleanup plan` wrote, by digest: apply acts only on a plan recorded here, unchanged. */
const cleanupPlans = (ts: string) => `
  CREATE TABLE guardrail_cleanup_plan (
    plan_id TEXT PRIMARY KEY,
    check_id TEXT NOT NULL,
    digest TEXT NOT NULL,
    created_at ${ts} NOT NULL,
    expires_at ${ts} NOT NULL
  );`;

/** Append only: a released migration is never edited, a change is a new version. */
export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: 'alert states, outbox, watermarks, first-seen keys',
    sql: { sqlite: table('TEXT', 'TEXT'), postgres: table('TIMESTAMPTZ', 'JSONB') },
  },
  {
    version: 2,
    description: 'leases (one holder per name until it expires)',
    sql: { sqlite: lease('TEXT'), postgres: lease('TIMESTAMPTZ') },
  },
  {
    version: 3,
    description: 'alert state lifecycle column, indexes for partial reads and pruning',
    sql: {
      sqlite: lifecycle(`json_extract(finding, '$.lifecycle') = 'event'`),
      postgres: lifecycle(`finding->>'lifecycle' = 'event'`),
    },
  },
  {
    version: 4,
    description: "alert state 'pending' (a check's for:), its consecutive-runs counter",
    sql: PENDING,
  },
  {
    version: 5,
    description: 'silences kept in the store (guardrail silence), the silence on an alert state',
    sql: { sqlite: silences('TEXT', 'TEXT'), postgres: silences('TIMESTAMPTZ', 'JSONB') },
  },
  {
    version: 6,
    description: 'cleanup results: what each cleanup-plan apply did per resource',
    sql: {
      sqlite: cleanupResults('TEXT', 'REAL'),
      postgres: cleanupResults('TIMESTAMPTZ', 'DOUBLE PRECISION'),
    },
  },
  {
    version: 7,
    description:
      "outbox thread index: a claim's check for an older pending message of the thread is a lookup",
    // Without it each candidate of a claim scanned the whole pending backlog (NO_OLDER_PENDING in rows.ts).
    sql: `CREATE INDEX guardrail_outbox_thread ON guardrail_outbox (channel, check_id, created_at, id)
      WHERE status = 'pending';`,
  },
  {
    version: 8,
    description: 'cleanup plans: the digest of each plan written, which apply checks a plan file against',
    sql: { sqlite: cleanupPlans('TEXT'), postgres: cleanupPlans('TIMESTAMPTZ') },
  },
  {
    version: 9,
    description: "outbox claims: until when a deliverer holds a message, apart from its retry's backoff",
    // Without it a retried message another run had claimed read as backoff: "not delivered", exit 4.
    sql: {
      sqlite: 'ALTER TABLE guardrail_outbox ADD COLUMN claimed_until TEXT;',
      postgres: 'ALTER TABLE guardrail_outbox ADD COLUMN claimed_until TIMESTAMPTZ;',
    },
  },
];

export const LATEST_SCHEMA_VERSION = Math.max(...MIGRATIONS.map((m) => m.version));

const VERSION_TABLE = `CREATE TABLE IF NOT EXISTS guardrail_schema_version (
  version INTEGER PRIMARY KEY,
  description TEXT NOT NULL,
  applied_at TEXT NOT NULL
)`;

/** Arbitrary but fixed: every Guardrail process takes the same PostgreSQL advisory lock to migrate. */
const MIGRATION_LOCK_KEY = 0x67726431;

function sqlFor(migration: Migration, dialect: 'sqlite' | 'postgres'): string {
  return typeof migration.sql === 'string' ? migration.sql : migration.sql[dialect];
}

/**
 * The migrations a store lacks. A store a newer Guardrail migrated is refused: this version would neither know
 * its tables nor keep its rules (an older build went on applying a cleanup plan the newer one had refused, and
 * re-announced alerts the newer one had resolved).
 */
function pending(applied: Set<number>): Migration[] {
  const newest = Math.max(0, ...applied);
  if (newest > LATEST_SCHEMA_VERSION)
    throw new Error(
      `it was migrated by a newer Guardrail (schema version ${newest}; this one knows up to ` +
        `${LATEST_SCHEMA_VERSION}): run that version or a later one, or point this one at another store`,
    );
  return [...MIGRATIONS].sort((a, b) => a.version - b.version).filter((m) => !applied.has(m.version));
}

export function migrateSqlite(db: Database): void {
  // IMMEDIATE takes the write lock up front, so two processes cannot both decide a version is missing.
  db.transaction(() => {
    db.exec(VERSION_TABLE);
    const rows = db.prepare('SELECT version FROM guardrail_schema_version').all() as { version: number }[];
    const record = db.prepare(
      'INSERT INTO guardrail_schema_version (version, description, applied_at) VALUES (?, ?, ?)',
    );
    for (const migration of pending(new Set(rows.map((row) => row.version)))) {
      db.exec(sqlFor(migration, 'sqlite'));
      record.run(migration.version, migration.description, new Date().toISOString());
    }
  }).immediate();
}

export async function migratePostgres(pool: Pool): Promise<void> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await client.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK_KEY]);
    await client.query(VERSION_TABLE);
    const { rows } = await client.query<{ version: number }>('SELECT version FROM guardrail_schema_version');
    for (const migration of pending(new Set(rows.map((row) => row.version)))) {
      await client.query(sqlFor(migration, 'postgres'));
      await client.query(
        'INSERT INTO guardrail_schema_version (version, description, applied_at) VALUES ($1, $2, $3)',
        [migration.version, migration.description, new Date().toISOString()],
      );
    }
    await client.query('COMMIT');
  } catch (error) {
    // Dropping the connection rolls back, and does not wait on a server that stopped answering.
    client.release(error instanceof Error ? error : true);
    throw error;
  }
  client.release();
}
