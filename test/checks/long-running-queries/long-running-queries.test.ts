import { checkPermissions } from '../../../src/engine/permissions';
import { Client } from 'pg';
import { longRunningQueries } from '../../../checks/long-running-queries';
import { runningQueryFinding } from '../../../checks/long-running-queries/format';
import { LongRunningQueriesConfig } from '../../../checks/long-running-queries/schema';
import type { CheckCommon } from '../../../src/core/types';
import { freshPgDatabase } from '../../harness/databases';
import { startRedshiftData, type RedshiftDataServer } from '../../servers/redshift-data/server';
import { checkContext, engineFields, loopbackAws, provider } from '../../kit/check-context';

type Config = LongRunningQueriesConfig & CheckCommon;

/** run() receives parsed config: built directly, so tests can use thresholds under the schema's 1m minimum. */
function config(overrides: Partial<LongRunningQueriesConfig> = {}): Config {
  return {
    connection: 'dw',
    threshold: 3_600_000,
    severity: 'warning',
    ...engineFields('dw-long-queries', 'long-running-queries'),
    ...overrides,
  };
}

const context = (connections: ReturnType<typeof provider>, now?: Date) =>
  checkContext(connections, { now, checkId: 'dw-long-queries', kind: 'long-running-queries' });

const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('long-running-queries config', () => {
  it.each([
    [{ connection: 'dw' }, { connection: 'dw', threshold: 3_600_000, severity: 'warning' }],
    [
      { connection: 'dw', threshold: '90m', exclude: { users: ['etl'] }, severity: 'critical' },
      { connection: 'dw', threshold: 5_400_000, exclude: { users: ['etl'] }, severity: 'critical' },
    ],
  ])('parses %j with its defaults', (raw, parsed) => {
    expect(LongRunningQueriesConfig.parse(raw)).toEqual(parsed);
  });

  it('rejects a threshold under 1m', () => {
    const result = LongRunningQueriesConfig.safeParse({ connection: 'dw', threshold: '30s' });

    expect(result.error?.issues.map((i) => i.message)).toEqual([
      "'30s' is out of range: must be at least 1m",
    ]);
  });

  it('asks for the Data API only on a redshift connection', () => {
    const parsed = LongRunningQueriesConfig.parse({ connection: 'dw' });

    expect(checkPermissions(longRunningQueries, parsed, { dw: { type: 'redshift' } })).toContain(
      'redshift-data:BatchExecuteStatement',
    );
    expect(checkPermissions(longRunningQueries, parsed, { dw: { type: 'postgres' } })).toEqual([]);
    expect(longRunningQueries.connectionsOf?.(parsed)).toEqual([{ name: 'dw', path: ['connection'] }]);
  });
});

describe('long-running-queries findings', () => {
  it('cuts the SQL in the summary to about 300 characters', () => {
    const query = {
      id: 7,
      pid: 7,
      user: 'ana',
      database: 'dev',
      startedAt: new Date('2026-11-22T00:00:00Z'),
      runningMs: 4_320_000,
      sql: `SELECT ${'col, '.repeat(200)}1 FROM t`,
      waitingForLock: false,
    };

    const finding = runningQueryFinding(query, 'critical');

    expect(finding.title).toBe('Query by ana running for 1h 12m on dev');
    expect(finding.summary?.split('\n')[1]).toHaveLength(300);
    expect(finding.summary?.endsWith('…')).toBe(true);
  });
});

describe('long-running-queries on PostgreSQL', () => {
  let url: string;
  let database: string;
  let user: string;

  beforeAll(async () => {
    url = await freshPgDatabase('lrq');
    database = new URL(url).pathname.slice(1);
    user = decodeURIComponent(new URL(url).username);
  });

  it('reports a query really running past the threshold, with its user, database and SQL', async () => {
    const sleeper = new Client({ connectionString: url });
    await sleeper.connect();
    const pid = (await sleeper.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]?.pid;
    const sleeping = sleeper.query('SELECT pg_sleep(3) /* nightly rollup */');
    await delay(1500);
    const connections = provider({ dw: { type: 'postgres', url } });

    const result = await longRunningQueries.run(context(connections), config({ threshold: 1000 }));
    await connections.closeAll();
    await sleeping;
    await sleeper.end();

    const ours = result.findings.filter((f) => f.labels?.database === database);
    expect(ours).toEqual([
      {
        key: expect.stringMatching(new RegExp(`^${pid}@\\d{4}-\\d\\d-\\d\\dT`)),
        severity: 'warning',
        title: expect.stringMatching(new RegExp(`^Query by ${user} running for [12]s on ${database}$`)),
        summary: expect.stringContaining('SELECT pg_sleep(3) /* nightly rollup */'),
        labels: { user, database },
        metrics: { runningSeconds: expect.any(Number) },
        resource: { pid, queryId: pid, startedAt: expect.any(String) },
      },
    ]);
    expect(ours[0]?.metrics?.runningSeconds).toBeGreaterThanOrEqual(1);
    expect(result.measurements.map((m) => m.name)).toEqual([
      'long_running_queries',
      'longest_query_seconds',
      'long_running_lock_waiters',
    ]);
    expect(result.measurements[0]?.value).toBeGreaterThanOrEqual(1);
  });

  it.each([
    ['the threshold is not reached', (): Partial<Config> => ({ threshold: 60_000 })],
    ['its user is excluded', (): Partial<Config> => ({ threshold: 1000, exclude: { users: ['etl', user] } })],
  ])('reports nothing when %s', async (_, overrides) => {
    const sleeper = new Client({ connectionString: url });
    await sleeper.connect();
    const sleeping = sleeper.query('SELECT pg_sleep(2.5)');
    await delay(1500);
    const connections = provider({ dw: { type: 'postgres', url } });

    const result = await longRunningQueries.run(context(connections), config(overrides()));
    await connections.closeAll();
    await sleeping;
    await sleeper.end();

    expect(result.findings.filter((f) => f.labels?.database === database)).toEqual([]);
  });

  it('refuses a connection type without these views, naming it', async () => {
    const connections = provider({ dw: { type: 'duckdb', path: ':memory:' } });

    const run = longRunningQueries.run(context(connections), config());

    await expect(run).rejects.toThrow(
      "long-running-queries supports postgres and redshift connections; 'dw' is duckdb",
    );
    await connections.closeAll();
  });
});

describe('long-running-queries on Redshift (Data API)', () => {
  const NOW = new Date('2026-11-22T03:00:00Z');
  let server: RedshiftDataServer;
  let user: string;
  let url: string;

  beforeAll(async () => {
    url = await freshPgDatabase('lrq_redshift');
    const pg = new Client({ connectionString: url });
    await pg.connect();
    user = (await pg.query<{ u: string }>('SELECT current_user AS u')).rows[0]?.u ?? '';
    // SYS_QUERY_HISTORY's columns as documented; Redshift pads character(n) columns.
    await pg.query(`
      CREATE TABLE sys_query_history (user_id int, query_id bigint, session_id int, database_name char(128),
        status char(10), start_time timestamp, query_text char(4000));
      INSERT INTO sys_query_history
      SELECT (SELECT usesysid FROM pg_user WHERE usename = current_user), q.* FROM (VALUES
        (101, 1073741901, 'dev', 'running', TIMESTAMP '2026-11-22 01:48:00.123456', 'SELECT * FROM big JOIN bigger ON true'),
        (102, 1073741902, 'dev', 'running', TIMESTAMP '2026-11-22 02:50:00', 'SELECT 1'),
        (103, 1073741903, 'dev', 'success', TIMESTAMP '2026-11-21 00:00:00', 'VACUUM'),
        (104, 1073741904, 'analytics', 'running', TIMESTAMP '2026-11-22 00:30:00', 'UNLOAD (''select 1'')'),
        (105, 1073741905, 'dev', 'running', TIMESTAMP '2026-11-22 00:00:00', 'INSERT INTO sales SELECT 1'),
        (106, 1073741906, 'dev', 'running', TIMESTAMP '2026-11-22 02:59:00', 'DELETE FROM sales')
      ) AS q(query_id, session_id, database_name, status, start_time, query_text);
      -- 1073741905 has waited 3h for a lock 1073741901 holds; 1073741906 waits too, but only for a minute.
      CREATE TABLE svv_transactions (txn_owner text, txn_db text, xid bigint, pid int, txn_start timestamp,
        lock_mode text, lockable_object_type text, relation int, granted boolean);
      INSERT INTO svv_transactions VALUES
        ('etl', 'dev', 9001, 1073741901, '2026-11-21 23:00:00', 'AccessExclusiveLock', 'relation', 100, true),
        ('etl', 'dev', 9002, 1073741905, '2026-11-22 00:00:00', 'ShareRowExclusiveLock', 'relation', 100, false),
        ('etl', 'dev', 9003, 1073741906, '2026-11-22 02:59:00', 'ShareRowExclusiveLock', 'relation', 100, false)`);
    await pg.end();
    server = await startRedshiftData(url, { pollsUntilDone: 1, now: NOW });
  });
  afterAll(() => server.close());

  const open = () =>
    provider(
      { dw: { type: 'redshift', workgroup: 'elt', database: 'dev', region: 'us-east-1' } },
      process.cwd(),
      { aws: loopbackAws(server.endpoint) },
    );

  it('reports running queries from SYS_QUERY_HISTORY past the threshold, longest first, not those waiting for a lock', async () => {
    const connections = open();

    const result = await longRunningQueries.run(context(connections, NOW), config());
    await connections.closeAll();

    expect(result.findings.map((f) => [f.key, f.title, f.metrics, f.labels])).toEqual([
      [
        '104@2026-11-22T00:30:00.000Z',
        `Query by ${user} running for 2h 30m on analytics`,
        { runningSeconds: 9000 },
        { user, database: 'analytics' },
      ],
      [
        '101@2026-11-22T01:48:00.123Z',
        `Query by ${user} running for 1h 12m on dev`,
        { runningSeconds: 4320 },
        { user, database: 'dev' },
      ],
    ]);
    expect(result.findings[1]?.summary).toBe(
      'Started 2026-11-22T01:48:00.123Z (pid 1073741901):\nSELECT * FROM big JOIN bigger ON true',
    );
    expect(result.measurements).toEqual([
      { name: 'long_running_queries', value: 2, labels: { connection: 'dw' } },
      { name: 'longest_query_seconds', value: 9000, labels: { connection: 'dw' } },
      { name: 'long_running_lock_waiters', value: 1, labels: { connection: 'dw' } },
    ]);
    expect(server.statements.size).toBe(1);
  });

  // A review: GETDATE() is in the session's time zone, which a user default shifts; every query then read 9 h
  // older in Seoul, and all were paged at once.
  it('reads the same durations when the agent user has a time zone of its own', async () => {
    const seoul = await startRedshiftData(url, { pollsUntilDone: 1, now: NOW, userTimeZone: 'Asia/Seoul' });
    const connections = provider(
      { dw: { type: 'redshift', workgroup: 'elt', database: 'dev', region: 'us-east-1' } },
      process.cwd(),
      { aws: loopbackAws(seoul.endpoint) },
    );

    const result = await longRunningQueries.run(context(connections, NOW), config());
    await connections.closeAll();
    await seoul.close();

    expect(result.findings.map((f) => f.metrics)).toEqual([
      { runningSeconds: 9000 },
      { runningSeconds: 4320 },
    ]);
  });

  it('leaves out queries of excluded users', async () => {
    const connections = open();

    const result = await longRunningQueries.run(
      context(connections, NOW),
      config({ exclude: { users: [user] } }),
    );
    await connections.closeAll();

    expect(result.findings).toEqual([]);
    expect(result.measurements.map((m) => m.value)).toEqual([0, 0, 0]);
  });
});
