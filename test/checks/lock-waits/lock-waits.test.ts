import { checkPermissions } from '../../../src/engine/permissions';
import { Client } from 'pg';
import { lockWaits } from '../../../checks/lock-waits';
import { longRunningQueries } from '../../../checks/long-running-queries';
import { LockWaitsConfig } from '../../../checks/lock-waits/schema';
import { blockerFinding, groupByBlocker } from '../../../checks/lock-waits/format';
import type { Blocker, LockWait } from '../../../checks/lock-waits/query';
import { renderMessage } from '../../../alerts/channels/google-chat/render';
import { previewMessage } from '../../../alerts/channels/google-chat/preview';
import type { CheckCommon } from '../../../src/core/types';
import { scrubSql } from '../../../src/core/redact';
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

describe('lock-waits findings', () => {
  const blocker = (pid: number, state = 'idle in transaction'): Blocker => ({
    pid,
    user: 'etl',
    database: 'dev',
    startedAt: new Date('2026-11-22T02:00:00Z'),
    sql: `UPDATE sales SET ${'amount = amount + 1, '.repeat(30)}note = 1`,
    state,
    stateSince: new Date('2026-11-22T02:01:00Z'),
    stateMs: 3_540_000,
    application: 'nightly-etl',
    client: '10.0.0.7:51234',
  });
  const wait = (waiterPid: number, on: Blocker, waitedMs = 600_000): LockWait => ({
    waiterPid,
    waiterUser: `user${waiterPid}`,
    waiterSql: `SELECT * FROM sales WHERE id = ${waiterPid} /* ${'x'.repeat(200)} */`,
    waitedMs,
    blocker: on,
  });

  it('hides the secrets of statements cut short, and keeps every line after them (scrubbed whole, then cut)', () => {
    // An on-call trial: the blocker's COPY cut inside its CREDENTIALS literal; the engine's scrub of the summary
    // then hid from that open quote to the next one, three lines on: the waiters and the command to end the
    // blocker vanished, and the start of a waiter's password showed.
    const head = {
      ...blocker(501, 'idle in transaction'),
      sql: `COPY sales FROM 's3://bucket/${'p/'.repeat(76)}ok' CREDENTIALS 'aws_access_key_id=AKIAEXAMPLE;aws_secret_access_key=wJalrXUtnFEMIK7MDENGbPxRfiCY'`,
    };
    const waits = [
      { ...wait(601, head, 700_000), waiterSql: 'SELECT * FROM sales' },
      {
        ...wait(602, head, 600_000),
        waiterSql: "ALTER USER some_long_user_name_here_abcdefghij PASSWORD 'Sup3rS3cretValue!xyz'",
      },
    ];

    const finding = blockerFinding(groupByBlocker(waits)[0]!, 'warning', 'redshift');
    const summary = scrubSql(finding.summary!); // as the engine scrubs every finding's text

    expect(summary).not.toMatch(/AKIAEXAMPLE|wJalr|Sup3|S3cret/);
    const lines = summary.split('\n');
    expect(lines[2]).toMatch(
      /^Last statement: COPY sales FROM 's3:\/\/bucket\/(p\/)+ok' CREDENTIALS '\*\*\*'…$/,
    ); // cut at its closing quote, closed again
    expect(lines.slice(3)).toEqual([
      'Waiting sessions (2):',
      '- 601 (user601) for 11m 40s: SELECT * FROM sales',
      // Cut inside the hidden literal (at its closing quote), which the excerpt closes.
      "- 602 (user602) for 10m: ALTER USER some_long_user_name_here_abcdefghij PASSWORD '***'…",
      'To end it: SELECT pg_terminate_backend(501);',
    ]);
  });

  it('lists at most 5 waiters and "+N more", keeping the summary within the Chat card summary', () => {
    const head = blocker(501);
    const waits = [601, 602, 603, 604, 605, 606, 607, 608].map((pid, i) =>
      wait(pid, head, 600_000 - i * 1000),
    );

    const [episode, ...others] = groupByBlocker(waits);
    const finding = blockerFinding(episode!, 'warning', 'postgres');

    expect(others).toEqual([]);
    expect(finding.title).toBe('Session 501 (etl) blocks 8 sessions for up to 10m');
    const waited = ['10m', '9m 59s', '9m 58s', '9m 57s', '9m 56s'];
    expect(finding.summary?.split('\n').slice(3)).toEqual([
      'Waiting sessions (8):',
      ...[601, 602, 603, 604, 605].map(
        (pid, i) =>
          `- ${pid} (user${pid}) for ${waited[i]}: SELECT * FROM sales WHERE id = ${pid} /* ${'x'.repeat(21)}…`,
      ),
      '+3 more',
      'To end it: SELECT pg_terminate_backend(501);',
    ]);
    // The Chat card shows the whole summary: nothing past its limit is cut.
    const card = previewMessage(
      renderMessage({
        id: 'n1',
        channel: 'chat',
        checkId: 'dw-locks',
        checkKind: 'lock-waits',
        createdAt: '2026-11-22T03:00:00Z',
        items: [{ ...finding, status: 'new', firingSince: '2026-11-22T02:55:00Z', lifecycle: 'condition' }],
      }),
    );
    expect(card).toContain(`│   ${finding.summary?.split('\n').slice(-3).join('\n│   ')}\n`);
  });

  it('pages once for the head of a lock queue, listing the sessions queued behind a waiter too', () => {
    const head = blocker(501);
    const first = blocker(601, 'active');
    const waits = [
      wait(601, head, 300_000),
      wait(602, first, 200_000),
      wait(603, blocker(602, 'active'), 100_000),
    ];

    const episodes = groupByBlocker(waits);

    expect(episodes.map((e) => [e.blocker.pid, [...e.waiters.keys()], e.longestWaitMs])).toEqual([
      [501, [601, 602, 603], 300_000],
    ]);
  });

  it.each([
    ['idle in transaction', 'postgres', 'Last statement', 'SELECT pg_terminate_backend(501);'],
    [
      'active',
      'postgres',
      'Running statement',
      'SELECT pg_cancel_backend(501); (its statement) or SELECT pg_terminate_backend(501); (its session)',
    ],
    ['active', 'redshift', 'Running statement', 'SELECT pg_terminate_backend(501);'],
  ] as const)('a blocker %s on %s: "%s", ended with %s', (state, dialect, label, end) => {
    const [episode] = groupByBlocker([wait(601, blocker(501, state))]);

    const finding = blockerFinding(episode!, 'warning', dialect);

    expect(finding.summary?.split('\n')[2]).toMatch(new RegExp(`^${label}: UPDATE sales SET`));
    expect(finding.summary?.split('\n').at(-1)).toBe(`To end it: ${end}`);
    expect(finding.resource?.endCommand).toBe(end);
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
      'CREATE TABLE accounts (id int PRIMARY KEY, balance int); INSERT INTO accounts VALUES (1, 10), (2, 10)',
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
    const waiterPid = (await waiter.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]?.pid;
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
        summary: expect.stringContaining('Last statement: UPDATE accounts SET balance = 20 WHERE id = 1'),
        labels: { user, database },
        metrics: { waitingSessions: 1, longestWaitSeconds: expect.any(Number) },
        resource: {
          pid,
          transactionStart: started.toISOString(),
          state: 'idle in transaction',
          stateSince: expect.any(String),
          application: null,
          client: expect.any(String),
          waitingPids: [waiterPid],
          endCommand: `SELECT pg_terminate_backend(${pid});`,
        },
      },
    ]);
    expect(
      blocked.measurements.find((m) => m.name === 'lock_waiting_sessions')?.value,
    ).toBeGreaterThanOrEqual(1);
    expect(ours(notYet.findings)).toEqual([]);
    expect(ours(released.findings)).toEqual([]);
  });
});

describe('one cause, one alert: a session idle in transaction holding a row lock on PostgreSQL', () => {
  let url: string;
  let database: string;
  let user: string;

  beforeAll(async () => {
    url = await freshPgDatabase('one_cause');
    database = new URL(url).pathname.slice(1);
    const setup = new Client({ connectionString: url });
    await setup.connect();
    user = (await setup.query<{ u: string }>('SELECT current_user AS u')).rows[0]?.u ?? '';
    await setup.query(
      'CREATE TABLE accounts (id int PRIMARY KEY, balance int); INSERT INTO accounts VALUES (2, 10)',
    );
    await setup.end();
  });

  it('lock-waits names the idle blocker, its client and both waiters; long-running-queries pages neither waiter', async () => {
    const holder = new Client({ connectionString: url, application_name: 'month-end-report' });
    const [a, b, observer] = [1, 2, 3].map(() => new Client({ connectionString: url }));
    const clients = [holder, a!, b!, observer!];
    await Promise.all(clients.map((c) => c.connect()));
    const pidOf = async (c: Client) =>
      (await c.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]?.pid;
    const [aPid, bPid] = [await pidOf(a!), await pidOf(b!)];
    await holder.query('BEGIN');
    const { pid, started } = (
      await holder.query<{ pid: number; started: Date }>('SELECT pg_backend_pid() AS pid, now() AS started')
    ).rows[0] as { pid: number; started: Date };
    await holder.query('SELECT * FROM accounts WHERE id = 2 FOR UPDATE');
    await holder.query("SELECT 'holder';");
    const waitingA = a!.query(
      'UPDATE accounts SET balance = balance + 1 WHERE id = 2 /* waiter a, nightly load */',
    );
    await delay(200);
    const waitingB = b!.query('SELECT * FROM accounts WHERE id = 2 FOR UPDATE /* b */');
    await delay(1500);
    const seen = (
      await observer!.query<{ since: Date; addr: string | null; port: number }>(
        'SELECT state_change AS since, host(client_addr) AS addr, client_port AS port FROM pg_stat_activity WHERE pid = $1',
        [pid],
      )
    ).rows[0];
    const connections = provider({ dw: { type: 'postgres', url } });

    const locks = await lockWaits.run(context(connections), config({ minWait: 1000 }));
    const long = await longRunningQueries.run(
      checkContext(connections, { checkId: 'dw-long-queries', kind: 'long-running-queries' }),
      {
        connection: 'dw',
        threshold: 1000,
        severity: 'warning',
        ...engineFields('dw-long-queries', 'long-running-queries'),
      },
    );
    await holder.query('ROLLBACK');
    await Promise.all([waitingA, waitingB]);
    await connections.closeAll();
    await Promise.all(clients.map((c) => c.end()));

    const ours = locks.findings.filter((f) => f.labels?.database === database);
    const client = seen?.addr ? `${seen.addr}:${seen.port}` : 'local socket';
    expect(ours.map((f) => [f.key, f.title])).toEqual([
      [
        `${pid}@${started.toISOString()}`,
        expect.stringMatching(new RegExp(`^Session ${pid} \\(${user}\\) blocks 2 sessions for up to [12]s$`)),
      ],
    ]);
    expect(ours[0]?.summary?.replace(/ for [12]s/g, ' for Ns').split('\n')).toEqual([
      `Idle in transaction for Ns since ${seen?.since.toISOString()}; transaction started ${started.toISOString()} on ${database}.`,
      `Application: month-end-report; client: ${client}.`,
      "Last statement: SELECT 'holder';",
      'Waiting sessions (2):',
      `- ${aPid} (${user}) for Ns: UPDATE accounts SET balance = balance + 1 WHERE id = 2 /* w…`,
      `- ${bPid} (${user}) for Ns: SELECT * FROM accounts WHERE id = 2 FOR UPDATE /* b */`,
      `To end it: SELECT pg_terminate_backend(${pid});`,
    ]);
    expect(ours[0]?.resource).toMatchObject({
      state: 'idle in transaction',
      stateSince: seen?.since.toISOString(),
      application: 'month-end-report',
      client,
      waitingPids: [aPid, bPid].sort((x, y) => (x ?? 0) - (y ?? 0)),
    });
    expect(long.findings.filter((f) => f.labels?.database === database)).toEqual([]);
    expect(
      long.measurements.find((m) => m.name === 'long_running_lock_waiters')?.value,
    ).toBeGreaterThanOrEqual(2);
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
        ('cdc', 'dev', 9007, 603, '2026-11-22 02:59:50', 'ShareRowExclusiveLock', 'relation', 300, false),
        -- A report reading table 400 for 20 s; an ETL transaction open since 02:10 asked to alter it 10 s ago.
        ('report', 'dev', 9008, 505, '2026-11-22 02:59:40', 'AccessShareLock', 'relation', 400, true),
        ('etl', 'dev', 9009, 701, '2026-11-22 02:10:00', 'AccessExclusiveLock', 'relation', 400, false),
        -- A read 5 s ago: it conflicts with no granted lock, only with the ALTER queued ahead of it.
        ('bi', 'dev', 9010, 702, '2026-11-22 02:59:55', 'AccessShareLock', 'relation', 400, false);
      CREATE TABLE sys_query_history (session_id int, status char(10), start_time timestamp, end_time timestamp,
        query_text char(4000));
      INSERT INTO sys_query_history VALUES
        (501, 'success', '2026-11-21 10:00:00', '2026-11-21 10:00:01', 'SELECT yesterday'),
        (501, 'success', '2026-11-22 02:50:01', '2026-11-22 02:50:30', 'DELETE FROM sales WHERE day = 1'),
        (501, 'success', '2026-11-22 02:51:00', '2026-11-22 02:51:02', 'ALTER TABLE sales ADD COLUMN note varchar(10)'),
        (601, 'running', '2026-11-22 02:53:00', NULL, 'SELECT count(*) FROM sales'),
        (602, 'running', '2026-11-22 02:58:00', NULL, 'INSERT INTO sales SELECT * FROM staging_sales_with_a_rather_long_name WHERE day = 2'),
        (505, 'running', '2026-11-22 02:59:40', NULL, 'SELECT * FROM daily_report'),
        (701, 'success', '2026-11-22 02:10:00', '2026-11-22 02:59:49', 'INSERT INTO daily_report SELECT 1'),
        (701, 'running', '2026-11-22 02:59:50', NULL, 'ALTER TABLE daily_report ADD COLUMN x int'),
        (702, 'running', '2026-11-22 02:59:55', NULL, 'SELECT count(*) FROM daily_report');
      -- SYS_CONNECTION_LOG's documented columns (those the check reads); pid 501 served an older session first.
      CREATE TABLE sys_connection_log (event char(50), record_time timestamp, remote_host char(45),
        remote_port char(32), session_id int, application_name char(250));
      INSERT INTO sys_connection_log VALUES
        ('initiating session', '2026-11-20 08:00:00', '10.9.9.9', '4000', 501, ''),
        ('set application_name', '2026-11-20 08:00:01', '10.9.9.9', '4000', 501, 'old-dashboard'),
        ('disconnecting session', '2026-11-20 09:00:00', '10.9.9.9', '4000', 501, 'old-dashboard'),
        ('initiating session', '2026-11-22 02:49:00', '10.0.0.7', '51234', 501, ''),
        ('set application_name', '2026-11-22 02:49:01', '10.0.0.7', '51234', 501, 'nightly-etl');`);
    await pg.end();
    server = await startRedshiftData(url, { pollsUntilDone: 1, now: NOW });
  });
  afterAll(() => server.close());

  const open = () =>
    provider(
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

  it('pairs waiting locks with conflicting granted ones and names the idle blocker, its client and waiters', async () => {
    const connections = open();

    const result = await lockWaits.run(context(connections, NOW), config());
    await connections.closeAll();

    // 502's shared read lock conflicts with neither waiter; 504 is waited on for 10s only.
    expect(result.findings).toEqual([
      {
        key: '501@2026-11-22T02:50:00.000Z',
        severity: 'warning',
        title: 'Session 501 (etl) blocks 2 sessions for up to 7m',
        summary: [
          'Idle in transaction for 8m 58s since 2026-11-22T02:51:02.000Z; transaction started 2026-11-22T02:50:00.000Z on dev.',
          'Application: nightly-etl; client: 10.0.0.7:51234.',
          'Last statement: ALTER TABLE sales ADD COLUMN note varchar(10)',
          'Waiting sessions (2):',
          '- 601 (ana) for 7m: SELECT count(*) FROM sales',
          '- 602 (bob) for 2m: INSERT INTO sales SELECT * FROM staging_sales_with_a_rather…',
          'To end it: SELECT pg_terminate_backend(501);',
        ].join('\n'),
        labels: { user: 'etl', database: 'dev' },
        metrics: { waitingSessions: 2, longestWaitSeconds: 420 },
        resource: {
          pid: 501,
          transactionStart: '2026-11-22T02:50:00.000Z',
          state: 'idle in transaction',
          stateSince: '2026-11-22T02:51:02.000Z',
          application: 'nightly-etl',
          client: '10.0.0.7:51234',
          waitingPids: [601, 602],
          endCommand: 'SELECT pg_terminate_backend(501);',
        },
      },
    ]);
    expect(result.measurements).toEqual([
      { name: 'lock_waiting_sessions', value: 5, labels: { connection: 'dw' } },
      { name: 'lock_longest_wait_seconds', value: 420, labels: { connection: 'dw' } },
    ]);
  });

  // A review: the wait was timed from the start of the waiter's transaction, so a 10 s wait of an ETL transaction
  // open for 50 minutes paged at once, blaming a 20-second read.
  it("times a wait from the waiting statement's start, not its transaction's", async () => {
    const connections = open();

    const result = await lockWaits.run(context(connections, NOW), config({ minWait: 5000 }));
    await connections.closeAll();

    const report = result.findings.find((f) => f.key.startsWith('505@'));
    expect(report?.title).toBe('Session 505 (report) blocks 2 sessions for up to 10s');
    expect(report?.metrics).toEqual({ waitingSessions: 2, longestWaitSeconds: 10 });
  });

  // A review: a session queued behind another waiter (not behind a granted lock) went unlisted on Redshift.
  it('lists a session queued behind another waiter under the session both wait for', async () => {
    const connections = open();

    const result = await lockWaits.run(context(connections, NOW), config({ minWait: 5000 }));
    await connections.closeAll();

    const report = result.findings.find((f) => f.key.startsWith('505@'));
    expect(report?.resource?.waitingPids).toEqual([701, 702]);
    expect(report?.summary).toContain('- 702 (bi) for 5s: SELECT count(*) FROM daily_report');
  });

  it('says "unknown" for what Redshift does not record of a blocker', async () => {
    const connections = open();

    const result = await lockWaits.run(context(connections, NOW), config({ minWait: 5000 }));
    await connections.closeAll();

    // 504 has no statement in SYS_QUERY_HISTORY and no event in SYS_CONNECTION_LOG.
    expect(result.findings.find((f) => f.key.startsWith('504@'))?.summary?.split('\n')).toEqual([
      'State unknown; transaction started 2026-11-22T02:59:00.000Z on dev.',
      'Application: unknown; client: unknown.',
      'Last statement: (unknown)',
      'Waiting sessions (1):',
      '- 603 (cdc) for 10s: (unknown)',
      'To end it: SELECT pg_terminate_backend(504);',
    ]);
  });
});
