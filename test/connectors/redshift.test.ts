import { Client } from 'pg';
import { postgresDialect } from '../../src/connectors/postgres';
import { freshPgDatabase } from '../harness/databases';
import { loopbackAws, provider } from '../kit/check-context';
import { startRedshiftData, type RedshiftDataServer } from '../servers/redshift-data/server';
import { describeSqlConnector, request } from './sql-connector-suite';

let suiteServer: RedshiftDataServer | undefined;

describeSqlConnector(
  'redshift (Data API)',
  async () => {
    const url = await freshPgDatabase('redshift');
    const client = new Client({ connectionString: url });
    await client.connect();
    suiteServer = await startRedshiftData(url, { pollsUntilDone: 3, pageSize: 2 });
    return {
      connection: { type: 'redshift', workgroup: 'analytics', database: 'dev', region: 'us-east-1' },
      aws: loopbackAws(suiteServer.endpoint),
      exec: async (sql) => void (await client.query(sql)),
      quote: postgresDialect.quote,
      timestamp: postgresDialect.timestamp,
      timestampType: 'timestamptz',
      schema: 'game1',
      oddSchema: 'Game1-Raw',
      close: async () => {
        await suiteServer?.close();
        await client.end();
      },
    };
  },
  // Redshift's own statement_timeout, set in the statement's batch, ends it (here the PostgreSQL behind the fake
  // enforces it as Redshift would): nothing of the agent's is needed to stop it.
  { callsPerStatement: 6, slowSql: 'SELECT pg_sleep(3)' },
); // BatchExecuteStatement, 3 × DescribeStatement, 2 pages

describe('redshift connector statement lifecycle', () => {
  let url: string;
  let server: RedshiftDataServer;

  beforeAll(async () => {
    url = await freshPgDatabase('redshift_life');
    const client = new Client({ connectionString: url });
    await client.connect();
    await client.query('CREATE TABLE t1 (id INT); INSERT INTO t1 VALUES (1), (2), (3)');
    await client.end();
  });
  afterEach(() => server?.close());

  const open = (config: Record<string, unknown> = {}) =>
    provider(
      { dw: { type: 'redshift', clusterIdentifier: 'dw', database: 'dev', dbUser: 'guardrail', ...config } },
      process.cwd(),
      { aws: loopbackAws(server.endpoint) },
    );

  it('polls until FINISHED, pages through results and survives throttling', async () => {
    server = await startRedshiftData(url, { pollsUntilDone: 4, pageSize: 1, throttleFirst: 1 });
    const connections = open({ batchSize: 3, maxConnections: 1 });
    const connector = await connections.get('dw');

    const results = await connector.count(
      [request('a', 'public.t1'), request('b', 'public.t1', { where: 'id > 1' }), request('c', 'public.t1')],
      { signal: new AbortController().signal },
    );
    await connections.closeAll();

    expect(results).toEqual([
      { id: 'a', rows: 3 },
      { id: 'b', rows: 2 },
      { id: 'c', rows: 3 },
    ]);
    expect(server.calls).toEqual([
      'BatchExecuteStatement', // throttled, retried by the SDK
      'BatchExecuteStatement',
      ...Array(4).fill('DescribeStatement'),
      ...Array(3).fill('GetStatementResult'),
    ]);
  });

  it('cancels a statement when the check is aborted', async () => {
    server = await startRedshiftData(url, { hang: () => true });
    const connections = open();
    const connector = await connections.get('dw');
    const controller = new AbortController();
    setTimeout(() => controller.abort(new Error('check timed out')), 300);

    const results = await connector.count([request('a', 'public.t1')], { signal: controller.signal });
    await connections.closeAll();

    expect(results).toEqual([{ id: 'a', error: { code: 'aborted', message: 'check timed out' } }]);
    expect(server.calls).toContain('CancelStatement');
    expect([...server.statements.values()].map((s) => s.status)).toEqual(['ABORTED']);
  });

  it('cancels a statement that outlives the statement timeout and says so', async () => {
    server = await startRedshiftData(url, { hang: () => true });
    const connections = open({ statementTimeout: '1s' });
    const connector = await connections.get('dw');

    const results = await connector.count([request('a', 'public.t1')], {
      signal: new AbortController().signal,
    });
    await connections.closeAll();

    expect(results[0]?.error).toEqual({
      code: 'query-failed',
      message: 'statement timed out after 1000 ms (cancelled)',
    });
    expect(server.calls).toContain('CancelStatement');
  });

  it('on an endpoint slow to take statements, fails a slow table alone as timed out and counts the others', async () => {
    // Each statement takes 1.7 s to be accepted (throttling retries, a distant endpoint), of a 2 s timeout: the
    // statement's own cut must run from before it was sent, or the connection's outlasts it and the server is
    // taken for gone (every table unreachable, from a review).
    server = await startRedshiftData(url, {
      hang: (sql) => sql.includes('t_slow'),
      slow: { BatchExecuteStatement: 1_700 },
    });
    const connections = open({ statementTimeout: '2s', maxConnections: 1, batchSize: 2 });
    const connector = await connections.get('dw');

    const results = await connector.count(
      [
        request('a', 'public.t_slow'),
        request('b', 'public.t1'),
        request('c', 'public.t1'),
        request('d', 'public.t1'),
      ],
      { signal: new AbortController().signal },
    );
    await connections.closeAll();

    expect(results).toEqual([
      { id: 'a', error: { code: 'query-failed', message: 'statement timed out after 2000 ms (cancelled)' } },
      { id: 'b', rows: 3 },
      { id: 'c', rows: 3 },
      { id: 'd', rows: 3 },
    ]);
  }, 30_000);

  it("sets Redshift's own statement_timeout in each statement's batch, so the cluster ends it without the agent", async () => {
    server = await startRedshiftData(url);
    const connections = open({ statementTimeout: '1s' });
    const connector = await connections.get('dw');

    const failed = connector.query!('SELECT pg_sleep(3)', [], { signal: new AbortController().signal });

    // PostgreSQL behind the fake enforces it as Redshift would: the statement fails on the server's side.
    await expect(failed).rejects.toThrow('canceling statement due to statement timeout');
    await connections.closeAll();
    expect(server.calls).not.toContain('CancelStatement');
    const [batch] = [...server.statements.values()];
    expect(batch?.subs?.map((s) => s.sql)).toEqual([
      'SET statement_timeout TO 1000',
      "SET timezone TO 'UTC'",
      'SELECT * FROM (\nSELECT pg_sleep(3)\n) AS guardrail_q',
    ]);
  });

  // A policy made from iam-policy before statements ran in batches grants ExecuteStatement only (a review's finding).
  it('says to grant BatchExecuteStatement when the policy predates it', async () => {
    server = await startRedshiftData(url, { denied: ['BatchExecuteStatement'] });
    const connections = open();
    const connector = await connections.get('dw');

    const failed = connector.query!('SELECT 1', [], { signal: new AbortController().signal });

    await expect(failed).rejects.toThrow(
      /not authorized to perform: redshift-data:BatchExecuteStatement .*grant redshift-data:BatchExecuteStatement where ExecuteStatement was granted/,
    );
    await connections.closeAll();
  });

  it('needs a workgroup or a cluster', async () => {
    server = await startRedshiftData(url);
    const connections = provider({ dw: { type: 'redshift', database: 'dev' } });

    await expect(connections.get('dw')).rejects.toThrow(
      "cannot open connection 'dw' (redshift): set workgroup (serverless) or clusterIdentifier (provisioned)",
    );
  });
});

describe('redshift connector against a misbehaving or unconfigured Data API', () => {
  let url: string;
  let server: RedshiftDataServer;

  beforeAll(async () => {
    url = await freshPgDatabase('redshift_odd');
    const client = new Client({ connectionString: url });
    await client.connect();
    await client.query('CREATE TABLE t1 (id INT); INSERT INTO t1 VALUES (1), (2), (3)');
    await client.end();
  });
  afterEach(() => server?.close());

  it('stops paging with a clear error when GetStatementResult repeats its NextToken', async () => {
    server = await startRedshiftData(url, { pollsUntilDone: 1, repeatToken: true });
    const connections = provider(
      { dw: { type: 'redshift', workgroup: 'wg', database: 'dev', region: 'us-east-1' } },
      process.cwd(),
      { aws: loopbackAws(server.endpoint) },
    );
    const connector = await connections.get('dw');
    const started = Date.now();

    const results = await connector.count([request('a', 'public.t1')], {
      signal: AbortSignal.timeout(20_000),
    });
    await connections.closeAll();

    expect(results).toEqual([
      {
        id: 'a',
        error: {
          code: 'query-failed',
          message:
            'redshift-data:GetStatementResult returned a page token it had already returned (after 2 pages); stopped paging',
        },
      },
    ]);
    expect(server.calls.filter((c) => c === 'GetStatementResult')).toHaveLength(2);
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it("uses the AWS provider's home region when the connection sets none", async () => {
    server = await startRedshiftData(url, { pollsUntilDone: 1 });
    const aws = { ...loopbackAws(server.endpoint), homeRegion: 'ap-northeast-2' };
    const saved = process.env.AWS_REGION;
    process.env.AWS_REGION = 'eu-west-1';
    try {
      const connections = provider(
        { dw: { type: 'redshift', workgroup: 'wg', database: 'dev' } },
        process.cwd(),
        {
          aws,
        },
      );
      const connector = await connections.get('dw');
      const results = await connector.count([request('a', 'public.t1')], {
        signal: AbortSignal.timeout(20_000),
      });
      await connections.closeAll();

      expect(results).toEqual([{ id: 'a', rows: 3 }]);
      expect(new Set(server.regions)).toEqual(new Set(['ap-northeast-2']));
    } finally {
      if (saved === undefined) delete process.env.AWS_REGION;
      else process.env.AWS_REGION = saved;
    }
  });
});
