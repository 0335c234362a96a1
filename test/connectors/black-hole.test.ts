import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { RETRY_PAUSE_MS } from '../../src/connectors/batch-count';
import { clientTimeoutMs } from '../../src/connectors/bounds';
import { freshMysqlDatabase, freshPgDatabase } from '../harness/databases';
import { loopbackAws, provider } from '../kit/check-context';
import { startBlackHole, type BlackHole } from '../servers/black-hole';
import { startRedshiftData } from '../servers/redshift-data/server';
import { forwardOnPort, onPort, portOf, settle } from './black-hole-kit';
import type { BigQueryBlackHoleOutcome } from './black-hole-bigquery-child';

/** Each connection's statement timeout here: connect times out after as long, a statement 1 s later. */
const TIMEOUT = '2s';
const TIMEOUT_MS = 2_000;
const STATEMENT_BOUND_MS = clientTimeoutMs(TIMEOUT_MS);
/** Generous: every wait must end well before three statement timeouts. */
const BOUND_MS = 3 * TIMEOUT_MS;
/** What "promptly" means for bytesBilled() and closeAll() (closeAll grants a pending open 1 s). */
const PROMPT_MS = 1_500;

const live = () => new AbortController().signal;

describe.each([
  ['postgres', () => freshPgDatabase('black_hole')],
  ['mysql', () => freshMysqlDatabase('black_hole')],
] as const)('%s connector against a server that accepts and never answers', (type, database) => {
  let hole: BlackHole;
  beforeEach(async () => (hole = await startBlackHole()));
  afterEach(() => hole.close());

  it('fails the open in bounded time, never waits on it elsewhere, and opens afresh once the server is back', async () => {
    const url = await database();
    const connections = provider({ db: { type, url: onPort(url, hole.port), statementTimeout: TIMEOUT } });

    const opening = settle(connections.get('db'));
    const billed = await settle(connections.bytesBilled());
    const closed = await settle(connections.closeAll());
    const failed = await opening;
    const seen = hole.accepted;
    const again = await settle(connections.get('db'));
    await hole.close();
    const server = await forwardOnPort(hole.port, portOf(url));
    const back = await settle(
      connections.get('db').then((c) => c.query?.('SELECT 1 AS one', [], { signal: live() })),
    );
    await connections.closeAll();
    await server.close();

    expect(billed).toEqual({ ms: expect.any(Number), value: 0 });
    expect(billed.ms).toBeLessThan(100);
    expect(closed.error).toBeUndefined();
    expect(closed.ms).toBeLessThan(PROMPT_MS);
    expect(failed.error).toMatch(
      new RegExp(`^cannot open connection 'db' \\(${type}\\): no answer within ${TIMEOUT_MS} ms`),
    );
    expect(failed.ms).toBeLessThan(BOUND_MS);
    expect(again.error).toMatch(/no answer within/);
    expect(again.ms).toBeLessThan(BOUND_MS);
    expect(hole.accepted).toBeGreaterThan(seen); // asked again, it connected again: no cached failure
    expect(back.value).toEqual([{ one: 1 }]);
  });
});

describe('redshift connector against a Data API endpoint that accepts and never answers', () => {
  let hole: BlackHole;
  beforeEach(async () => (hole = await startBlackHole()));
  afterEach(() => hole.close());

  it('fails a statement in bounded time, closes promptly mid-statement, and queries afresh once the API is back', async () => {
    const pgUrl = await freshPgDatabase('black_hole_redshift');
    const endpoint = `http://127.0.0.1:${hole.port}`;
    const connection = { type: 'redshift', workgroup: 'wg', database: 'dev', statementTimeout: TIMEOUT };
    const connections = provider({ dw: { ...connection, region: 'us-east-1' } }, process.cwd(), {
      aws: loopbackAws(endpoint),
    });
    const query = () =>
      connections.get('dw').then((c) => c.query?.('SELECT 1 AS one', [], { signal: live() }));

    const failed = await settle(query());
    const pending = settle(query());
    const billed = await settle(connections.bytesBilled());
    const closed = await settle(connections.closeAll());
    const cut = await pending;
    await hole.close();
    const api = await startRedshiftData(pgUrl, { pollsUntilDone: 1 });
    const server = await forwardOnPort(hole.port, portOf(api.endpoint));
    const back = await settle(query());
    await connections.closeAll();
    await server.close();
    await api.close();

    expect(failed.error).toBe(`no answer from the Data API within ${STATEMENT_BOUND_MS} ms`);
    expect(failed.ms).toBeLessThan(BOUND_MS);
    expect(billed).toEqual({ ms: expect.any(Number), value: 0 });
    expect(closed.ms).toBeLessThan(PROMPT_MS);
    expect(cut.error).toBeDefined();
    expect(cut.ms).toBeLessThan(BOUND_MS);
    expect(back.value).toEqual([{ one: 1 }]);
  });

  it('counts many tables in bounded time: a statement the API never answers, twice, ends the run on it', async () => {
    const endpoint = `http://127.0.0.1:${hole.port}`;
    const connection = { type: 'redshift', workgroup: 'wg', database: 'dev', statementTimeout: TIMEOUT };
    const connections = provider(
      { dw: { ...connection, region: 'us-east-1', maxConnections: 1, batchSize: 2 } },
      process.cwd(),
      { aws: loopbackAws(endpoint) },
    );
    const requests = ['a', 'b', 'c', 'd', 'e', 'f'].map((t) => ({ id: t, table: { parts: ['public', t] } }));

    const counted = await settle(connections.get('dw').then((c) => c.count(requests, { signal: live() })));
    await connections.closeAll();

    // Read as a statement that ran too long, each half and then each table waited out its own bound: 9 waits.
    expect(counted.ms).toBeLessThan(2 * STATEMENT_BOUND_MS + RETRY_PAUSE_MS + TIMEOUT_MS);
    expect(counted.value?.map((r) => r.error)).toEqual(
      requests.map(() => ({
        code: 'unreachable',
        message: `no answer from the Data API within ${STATEMENT_BOUND_MS} ms`,
      })),
    );
  }, 60_000);
});

describe('bigquery connector against an API endpoint that accepts and never answers', () => {
  // The client loads its HTTP layer with a dynamic import() that jest refuses: it runs in a child (see the child).
  it('fails counts in bounded time, closes promptly, counts afresh once the API is back, and lets the process exit', async () => {
    const started = Date.now();
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ['-r', join(__dirname, '../../bench/register.js'), join(__dirname, 'black-hole-bigquery-child.ts')],
      { timeout: 60_000 },
    );
    const exitedMs = Date.now() - started;
    const outcome = JSON.parse(stdout) as BigQueryBlackHoleOutcome;

    expect(outcome.counted.value?.map((r) => r.error?.message)).toEqual([
      `no answer from BigQuery within ${outcome.statementMs} ms`,
      `no answer from BigQuery within ${outcome.statementMs} ms`,
    ]);
    // Each way of counting (tables.get, query jobs) asks once more after a pause, as for a dropped session, and then
    // gives the API up for the run; with one session and statements of two, not table after table (18 s before).
    const twice = 2 * outcome.statementMs + RETRY_PAUSE_MS + outcome.timeoutMs;
    expect(outcome.counted.ms).toBeLessThan(twice);
    expect(outcome.many.ms).toBeLessThan(twice);
    expect(outcome.many.value?.map((r) => r.error)).toEqual(
      outcome.many.value?.map(() => ({
        code: 'unreachable',
        message: `no answer from BigQuery within ${outcome.statementMs} ms`,
      })),
    );
    expect(outcome.many.value).toHaveLength(8);
    expect(outcome.billed).toEqual({ ms: expect.any(Number), value: 0 });
    expect(outcome.closed.ms).toBeLessThan(PROMPT_MS);
    expect(outcome.back.value?.map((r) => r.rows)).toEqual([2, 2]);
    // What a silent API still holds after the run: each request ends at its timeout, after one retry at most.
    expect(exitedMs).toBeLessThan(30_000);
  });
});
