import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { bigQueryDialect } from '../../src/connectors/bigquery';
import type { CountRequest, CountResult } from '../../src/connectors/types';
import type { BigQueryScenario } from './bigquery-child';
import { NOW, request, WINDOW } from './sql-connector-suite';

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;
const ago = (minutes: number) => new Date(NOW.getTime() - minutes * MINUTE);
/** BigQuery bills at least 10 MiB per table a query references. */
const MIN = 10 * 1024 * 1024;
const GiB = 1024 ** 3;

const TABLES: BigQueryScenario['tables'] = {
  'raw.users': { rows: [90, 40, 20, 5].map((m) => ({ updated_at: ago(m).toISOString() })), bytes: 4_000 },
  'raw.events': { rows: [40, 30].map((m) => ({ updated_at: ago(m).toISOString() })), bytes: 2 * GiB },
  'raw.empty': { rows: [], bytes: 0 },
  'raw.users_view': { rows: [], bytes: 0, type: 'VIEW' },
  // Landed from MySQL DATETIME columns: BigQuery DATETIME, compared as UTC wall-clock time.
  'raw.orders': {
    rows: [90, 40, 20, 5].map((m) => ({ updated_at: ago(m).toISOString() })),
    bytes: 4_000,
    columnTypes: { updated_at: 'DATETIME' },
  },
  'raw.days': {
    rows: [3 * 24 * 60, 24 * 60].map((m) => ({ day: ago(m).toISOString().slice(0, 10) })),
    bytes: 4_000,
    columnTypes: { day: 'DATE' },
  },
  'raw.streamed': {
    rows: [90, 40].map((m) => ({ updated_at: ago(m).toISOString() })),
    bytes: 4_000,
    streaming: { rows: [3, 2, 1].map((m) => ({ updated_at: ago(m).toISOString() })), estimatedRows: 3 },
  },
};

interface Outcome {
  results: CountResult[];
  calls: string[];
  stats: { bytesBilled: number };
}

/** Runs the real BigQuery client against the loopback server in a child process (see bigquery-child.ts). */
async function scenario(
  connection: Record<string, unknown>,
  requests: CountRequest[],
  silent?: RegExp,
): Promise<Outcome> {
  const input: BigQueryScenario = {
    tables: TABLES,
    connection,
    requests,
    pageSize: 2,
    ...(silent ? { silent: silent.source } : {}),
  };
  const { stdout } = await promisify(execFile)(
    process.execPath,
    [
      '-r',
      join(__dirname, '../../bench/register.js'),
      join(__dirname, 'bigquery-child.ts'),
      JSON.stringify(input),
    ],
    { timeout: 30_000 },
  );
  const outcome = JSON.parse(stdout) as Outcome;
  for (const r of outcome.results) if (r.maxTimestamp) r.maxTimestamp = new Date(r.maxTimestamp);
  return outcome;
}

describe('bigquery connector', () => {
  it('counts whole tables from table metadata, billing nothing', async () => {
    const { results, calls, stats } = await scenario({}, [
      request('a', 'raw.users'),
      request('b', 'my-project.raw.empty'),
      request('c', 'raw.nope'),
    ]);

    expect(results.map((r) => [r.id, r.rows ?? r.error?.code])).toEqual([
      ['a', 4],
      ['b', 0],
      ['c', 'missing-table'],
    ]);
    expect(
      calls.every((c) => c.startsWith('GET /bigquery/v2/projects/my-project/datasets/raw/tables/')),
    ).toBe(true);
    expect(stats.bytesBilled).toBe(0);
  });

  it('dry-runs a windowed count first, then runs it capped at the estimate plus 10 MB per table billed as a minimum, paging through results', async () => {
    const { results, calls, stats } = await scenario({ batchSize: 3, maxConnections: 1 }, [
      request('a', 'raw.users', { window: WINDOW, maxTimestampColumn: 'updated_at' }),
      request('b', 'raw.empty', { window: WINDOW, maxTimestampColumn: 'updated_at' }),
      request('c', 'raw.users', { window: WINDOW }),
    ]);

    expect(results).toEqual([
      { id: 'a', rows: 2, maxTimestamp: ago(5) },
      { id: 'b', rows: 0, maxTimestamp: null },
      { id: 'c', rows: 2 },
    ]);
    expect(calls).toEqual([
      'POST /bigquery/v2/projects/my-project/jobs dryRun',
      'POST /bigquery/v2/projects/my-project/jobs maximumBytesBilled=31465280', // 8,000 + 3 tables × 10 MiB
      expect.stringMatching(/^GET \/bigquery\/v2\/projects\/my-project\/queries\//),
      expect.stringMatching(/^GET \/bigquery\/v2\/projects\/my-project\/queries\//),
    ]);
    expect(stats.bytesBilled).toBe(3 * MIN); // three small tables, each billed the 10 MiB minimum
  });

  it('skips a table whose query would exceed the byte budget, and still counts the others', async () => {
    const { results, calls } = await scenario({ maximumBytesBilled: GiB, batchSize: 2, maxConnections: 1 }, [
      request('big', 'raw.events', { window: WINDOW }),
      request('small', 'raw.users', { window: WINDOW }),
    ]);

    expect(results).toEqual([
      {
        id: 'big',
        error: {
          code: 'over-budget',
          message: `would process ${2 * GiB} bytes (billed up to ${2 * GiB + MIN}); ${GiB} of the ${GiB}-byte budget left`,
        },
      },
      { id: 'small', rows: 2 },
    ]);
    expect(calls.filter((c) => c.includes('maximumBytesBilled='))).toEqual([
      'POST /bigquery/v2/projects/my-project/jobs maximumBytesBilled=10489760', // 4,000 + 10 MiB
    ]);
  });

  it('takes the API for gone when it goes silent twice, even when the retry is over the budget the first try reserved', async () => {
    // The job's results never come: the first try's reservation stays spent (the job may still bill), so the
    // retry cannot be paid for. The tables were lost with the API, not over budget.
    const budget = 25 * 1024 * 1024;
    const { results, calls } = await scenario(
      { maximumBytesBilled: budget, batchSize: 2, maxConnections: 1, statementTimeout: '1s' },
      [request('a', 'raw.users', { window: WINDOW }), request('b', 'raw.orders', { window: WINDOW })],
      /^GET \/bigquery\/v2\/projects\/[^/]+\/queries\//,
    );

    const lost = { code: 'unreachable', message: 'no answer from BigQuery within 2000 ms' };
    expect(results).toEqual([
      { id: 'a', error: lost },
      { id: 'b', error: lost },
    ]);
    // The first try (its job cancelled when the wait was cut), then its retry's dry run, and nothing after that.
    const jobs = '/bigquery/v2/projects/my-project/jobs';
    expect(
      calls.map((c) => c.replace(/jobs\/[\w-]+/, 'jobs/ID').replace(/queries\/[\w-]+/, 'queries/ID')),
    ).toEqual([
      `POST ${jobs} dryRun`,
      `POST ${jobs} maximumBytesBilled=20979520`, // 2 × (4,000 + 10 MiB)
      'GET /bigquery/v2/projects/my-project/queries/ID',
      `POST ${jobs}/ID/cancel`,
      `POST ${jobs} dryRun`,
    ]);
  });

  it('counts windows and the latest row on DATETIME columns as on TIMESTAMP ones (as UTC)', async () => {
    const { results } = await scenario({ maxConnections: 1 }, [
      request('ts', 'raw.users', { window: WINDOW, maxTimestampColumn: 'updated_at' }),
      request('dt', 'raw.orders', { window: WINDOW, maxTimestampColumn: 'updated_at' }),
    ]);

    expect(results).toEqual([
      { id: 'ts', rows: 2, maxTimestamp: ago(5) },
      { id: 'dt', rows: 2, maxTimestamp: ago(5) },
    ]);
  });

  it('writes window bounds that BigQuery coerces to the column type, and reads the latest DATE as a timestamp', async () => {
    const midnight = new Date(Date.UTC(NOW.getUTCFullYear(), NOW.getUTCMonth(), NOW.getUTCDate()));
    const days = { column: 'day', from: new Date(midnight.getTime() - 2 * DAY), to: midnight };
    const { results } = await scenario({ maxConnections: 1 }, [
      request('date', 'raw.days', { window: days, maxTimestampColumn: 'day' }),
    ]);

    expect(results).toEqual([
      {
        id: 'date',
        rows: 1,
        maxTimestamp: new Date(
          `${ago(24 * 60)
            .toISOString()
            .slice(0, 10)}T00:00:00Z`,
        ),
      },
    ]);
    expect(bigQueryDialect.timestamp(new Date('2026-11-20T10:15:00Z'))).toBe("'2026-11-20 10:15:00.000'");
    expect(bigQueryDialect.timestamp(new Date('2026-11-20T00:00:00Z'))).toBe("'2026-11-20'");
  });

  it('adds the streaming buffer to a whole-table count from metadata and says that the sum is an estimate', async () => {
    const { results, stats } = await scenario({}, [request('s', 'raw.streamed'), request('u', 'raw.users')]);

    expect(results).toEqual([
      {
        id: 's',
        rows: 5,
        estimate:
          "estimate: 2 rows stored plus about 3 in the streaming buffer (BigQuery's estimate of the buffer)",
      },
      { id: 'u', rows: 4 },
    ]);
    expect(stats.bytesBilled).toBe(0);
  });

  it('tells a missing column from a missing table, and a view has no row count in its metadata', async () => {
    const { results } = await scenario({}, [
      request('col', 'raw.users', { window: { ...WINDOW, column: 'nope' } }),
      request('tbl', 'raw.nope', { window: WINDOW }),
      request('view', 'raw.users_view'),
    ]);

    expect(results.map((r) => [r.id, r.error?.code, r.error?.message])).toEqual([
      ['col', 'missing-column', 'Unrecognized name: nope at [1:1]'],
      ['tbl', 'missing-table', 'Not found: Table my-project:raw.nope was not found in location US'],
      ['view', 'query-failed', 'users_view has no row count (a view?)'],
    ]);
  });
});
