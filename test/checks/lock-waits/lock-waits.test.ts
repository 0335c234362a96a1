import { checkPermissions } from '../../../src/engine/permissions';
import { Client } from 'pg';
import { lockWaits } from '../../../checks/lock-waits';
import { LockWaitsConfig } from '../../../checks/lock-waits/schema';
import type { CheckCommon } from '../../../src/core/types';
import { freshPgDatabase } from '../../harness/databases';
import { startRedshiftData, type RedshiftDataServer } from '../../servers/redshift-data/server';
import { checkContext, engineFields, loopbackAws, provider } from '../../kit/check-context';

type Config = LockWaitsConfig & CheckCommon;

/** run() receives parsed config: built directly, so tests can wait less than the schema's 10s minimum. */
function config(overrides: Partial<LockWaitsConfig> = {}): Config {
  return {
    connection: 'dw',
    minWait: 300_000,
    severity: 'warning',
    ...engineFields('dw-locks', 'lock-waits'),
    ...overrides,
  };
}

const context = (connections: ReturnType<typeof provider>, now?: Date) =>
  checkContext(connections, { now, checkId: 'dw-locks', kind: 'lock-waits' });

const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('lock-waits config', () => {
  it('defaults minWait to 5m and rejects one under 10s', () => {
    const parsed = LockWaitsConfig.parse({ connection: 'dw' });
    const tooShort = LockWaitsConfig.safeParse({ connection: 'dw', minWait: '5s' });

    expect(parsed).toEqual({ connection: 'dw', minWait: 300_000, severity: 'warning' });
    expect(tooShort.error?.issues.map((i) => i.message)).toEqual([
      "'5s' is out of range: must be at least 10s",
    ]);
  });

  it('asks for the Data API only on a redshift connection', () => {
    const parsed = LockWaitsConfig.parse({ connection: 'dw' });

    expect(checkPermissions(lockWaits, parsed, { dw: { type: 'redshift' } })).toContain(
      'redshift-data:GetStatementResult',
    );
    expect(checkPermissions(lockWaits, parsed, { dw: { type: 'postgres' } })).toEqual([]);
  });
});

describe('lock-waits on PostgreSQL, with a row lock really held', () => {
  let url: string;
  let database: string;
  let user: string;

  beforeAll(async () => {
    url = await freshPgDatabase('locks');
    database = new URL(url).pathname.slice(1);
    const setup = new Client({ connectionString: url });
    await setup.connect();
    user = (await setup.query<{ u: string }>('SELECT current_user AS u')).rows[0]?.u ?? '';
    await setup.query(
      'CREATE TABLE accounts (id int PRIMARY KEY, balance int); INSERT INTO accounts VALUES (1, 10)',
    );
    await setup.end();
  });

  it('names the session holding the lock and the one waiting on it; nothing once it lets go', async () => {
    const holder = new Client({ connectionString: url });
    const waiter = new Client({ connectionString: url });
    await Promise.all([holder.connect(), waiter.connect()]);
    await holder.query('BEGIN');
    const { pid, started } = (
      await holder.query<{ pid: number; started: Date }>('SELECT pg_backend_pid() AS pid, now() AS started')
    ).rows[0] as { pid: number; started: Date };
    await holder.query('UPDATE accounts SET balance = 20 WHERE id = 1');
    const waiting = waiter.query('UPDATE accounts SET balance = 30 WHERE id = 1');
    await delay(1500);
    const connections = provider({ dw: { type: 'postgres', url } });

    const blocked = await lockWaits.run(context(connections), config({ minWait: 1000 }));
    const notYet = await lockWaits.run(context(connections), config({ minWait: 60_000 }));
    await holder.query('ROLLBACK');
    await waiting;
    const released = await lockWaits.run(context(connections), config({ minWait: 1000 }));
    await connections.closeAll();
    await Promise.all([holder.end(), waiter.end()]);

    const ours = (findings: typeof blocked.findings) =>
      findings.filter((f) => f.labels?.database === database);
    expect(ours(blocked.findings)).toEqual([
      {
        key: `${pid}@${started.toISOString()}`,
        severity: 'warning',
        title: expect.stringMatching(
          new RegExp(`^Session ${pid} \\(${user}\\) blocks 1 session for up to [12]s$`),
        ),
        summary: expect.stringContaining('Blocking query: UPDATE accounts SET balance = 20 WHERE id = 1'),
        labels: { user, database },
        metrics: { waitingSessions: 1, longestWaitSeconds: expect.any(Number) },
        resource: { pid, transactionStart: started.toISOString() },
      },
    ]);
    expect(
      blocked.measurements.find((m) => m.name === 'lock_waiting_sessions')?.value,
    ).toBeGreaterThanOrEqual(1);
    expect(ours(notYet.findings)).toEqual([]);
    expect(ours(released.findings)).toEqual([]);
  });
});

describe('lock-waits on Redshift (Data API)', () => {
  const NOW = new Date('2026-11-22T03:00:00Z');
  let server: RedshiftDataServer;

  beforeAll(async () => {
    const url = await freshPgDatabase('locks_redshift');
    const pg = new Client({ connectionString: url });
    await pg.connect();
    // SVV_TRANSACTIONS and SYS_QUERY_HISTORY with the documented columns (those the check reads).
    await pg.query(`
      CREATE TABLE svv_transactions (txn_owner text, txn_db text, xid bigint, pid int, txn_start timestamp,
        lock_mode text, lockable_object_type text, relation int, granted boolean);
      INSERT INTO svv_transactions VALUES
        ('etl', 'dev', 9001, 501, '2026-11-22 02:50:00', 'AccessExclusiveLock', 'relation', 100, true),
        ('etl', 'dev', 9001, 501, '2026-11-22 02:50:00', 'ExclusiveLock', 'transactionid', NULL, true),
        ('report', 'dev', 9002, 502, '2026-11-22 02:40:00', 'AccessShareLock', 'relation', 100, true),
        ('ana', 'dev', 9003, 601, '2026-11-22 02:53:00', 'AccessShareLock', 'relation', 100, false),
        ('bob', 'dev', 9004, 602, '2026-11-22 02:58:00', 'ShareRowExclusiveLock', 'relation', 100, false),
        ('etl', 'dev', 9005, 503, '2026-11-22 01:00:00', 'ShareRowExclusiveLock', 'relation', 200, true),
        ('load', 'dev', 9006, 504, '2026-11-22 02:59:00', 'ShareRowExclusiveLock', 'relation', 300, true),
        ('cdc', 'dev', 9007, 603, '2026-11-22 02:59:50', 'ShareRowExclusiveLock', 'relation', 300, false);
      CREATE TABLE sys_query_history (session_id int, start_time timestamp, query_text char(4000));
      INSERT INTO sys_query_history VALUES
        (501, '2026-11-21 10:00:00', 'SELECT yesterday'),
        (501, '2026-11-22 02:50:01', 'DELETE FROM sales WHERE day = 1'),
        (501, '2026-11-22 02:51:00', 'ALTER TABLE sales ADD COLUMN note varchar(10)');`);
    await pg.end();
    server = await startRedshiftData(url, { pollsUntilDone: 1, now: NOW });
  });
  afterAll(() => server.close());

  it('pairs waiting locks with conflicting granted ones and reports blockers waited on past minWait', async () => {
    const connections = provider(
      {
        dw: {
          type: 'redshift',
          clusterIdentifier: 'dw',
          database: 'dev',
          dbUser: 'guardrail',
          region: 'us-east-1',
        },
      },
      process.cwd(),
      { aws: loopbackAws(server.endpoint) },
    );

    const result = await lockWaits.run(context(connections, NOW), config());
    await connections.closeAll();

    // 502's shared read lock conflicts with neither waiter; 504 is waited on for 10s only.
    expect(result.findings).toEqual([
      {
        key: '501@2026-11-22T02:50:00.000Z',
        severity: 'warning',
        title: 'Session 501 (etl) blocks 2 sessions for up to 7m',
        summary: [
          'Transaction started 2026-11-22T02:50:00.000Z on dev.',
          'Blocking query: ALTER TABLE sales ADD COLUMN note varchar(10)',
          'Waiting sessions: 601 (7m), 602 (2m)',
        ].join('\n'),
        labels: { user: 'etl', database: 'dev' },
        metrics: { waitingSessions: 2, longestWaitSeconds: 420 },
        resource: { pid: 501, transactionStart: '2026-11-22T02:50:00.000Z' },
      },
    ]);
    expect(result.measurements).toEqual([
      { name: 'lock_waiting_sessions', value: 3, labels: { connection: 'dw' } },
      { name: 'lock_longest_wait_seconds', value: 420, labels: { connection: 'dw' } },
    ]);
  });
});
