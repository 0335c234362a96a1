import { provider } from '../checks/row-count-consistency/context';
import { startBigQuery, type BigQueryServer } from '../servers/bigquery/server';
import type { FakeTables } from '../servers/bigquery/tables';
import { NOW, request, WINDOW } from './sql-connector-suite';

// No Google credentials here: skip the metadata-server probe and send unauthenticated requests.
process.env.METADATA_SERVER_DETECTION = 'none';

const MINUTE = 60_000;
const ago = (minutes: number) => new Date(NOW.getTime() - minutes * MINUTE);
const GiB = 1024 ** 3;

const TABLES: FakeTables = {
  'raw.users': { rows: [90, 40, 20, 5].map((m) => ({ updated_at: ago(m) })), bytes: 4_000 },
  'raw.events': { rows: [40, 30].map((m) => ({ updated_at: ago(m) })), bytes: 2 * GiB },
  'raw.empty': { rows: [], bytes: 0 },
  'raw.users_view': { rows: [], bytes: 0, type: 'VIEW' },
};

describe('bigquery connector', () => {
  let server: BigQueryServer;
  const signal = new AbortController().signal;

  const open = (connection: Record<string, unknown> = {}) =>
    provider({ bq: { type: 'bigquery', projectId: 'my-project', location: 'US', ...connection } }, process.cwd(), {
      gcp: { apiEndpoint: server.apiEndpoint },
    });

  beforeEach(async () => {
    server = await startBigQuery(TABLES, { pageSize: 2 });
  });
  afterEach(() => server.close());

  it('counts whole tables from table metadata, billing nothing', async () => {
    const connections = open();
    const connector = await connections.get('bq');

    const results = await connector.count(
      [request('a', 'raw.users'), request('b', 'my-project.raw.empty'), request('c', 'raw.nope')],
      { signal },
    );

    expect(results.map((r) => [r.id, r.rows ?? r.error?.code])).toEqual([
      ['a', 4],
      ['b', 0],
      ['c', 'missing-table'],
    ]);
    expect(server.calls.every((c) => c.startsWith('GET /bigquery/v2/projects/my-project/datasets/raw/tables/'))).toBe(true);
    expect(connector.stats?.().bytesBilled).toBe(0);
  });

  it('dry-runs a windowed count first, then runs it capped at the estimate, paging through results', async () => {
    const connections = open({ batchSize: 3, maxConnections: 1 });
    const connector = await connections.get('bq');

    const results = await connector.count(
      [
        request('a', 'raw.users', { window: WINDOW, maxTimestampColumn: 'updated_at' }),
        request('b', 'raw.empty', { window: WINDOW, maxTimestampColumn: 'updated_at' }),
        request('c', 'raw.users', { window: WINDOW }),
      ],
      { signal },
    );

    expect(results).toEqual([
      { id: 'a', rows: 2, maxTimestamp: ago(5) },
      { id: 'b', rows: 0, maxTimestamp: null },
      { id: 'c', rows: 2 },
    ]);
    expect(server.calls).toEqual([
      'POST /bigquery/v2/projects/my-project/jobs dryRun',
      'POST /bigquery/v2/projects/my-project/jobs maximumBytesBilled=8000',
      expect.stringMatching(/^GET \/bigquery\/v2\/projects\/my-project\/queries\//),
      expect.stringMatching(/^GET \/bigquery\/v2\/projects\/my-project\/queries\//),
    ]);
    expect(connector.stats?.().bytesBilled).toBe(8_000);
  });

  it('skips a table whose query would exceed the byte budget, and still counts the others', async () => {
    const connections = open({ maximumBytesBilled: GiB, batchSize: 2, maxConnections: 1 });
    const connector = await connections.get('bq');

    const results = await connector.count(
      [request('big', 'raw.events', { window: WINDOW }), request('small', 'raw.users', { window: WINDOW })],
      { signal },
    );

    expect(results).toEqual([
      {
        id: 'big',
        error: { code: 'over-budget', message: `would process ${2 * GiB} bytes; ${GiB} of the ${GiB}-byte budget left` },
      },
      { id: 'small', rows: 2 },
    ]);
    expect(server.calls.filter((c) => c.includes('maximumBytesBilled='))).toEqual([
      'POST /bigquery/v2/projects/my-project/jobs maximumBytesBilled=4000',
    ]);
  });

  it('tells a missing column from a missing table, and a view has no row count in its metadata', async () => {
    const connections = open();
    const connector = await connections.get('bq');

    const results = await connector.count(
      [
        request('col', 'raw.users', { window: { ...WINDOW, column: 'nope' } }),
        request('tbl', 'raw.nope', { window: WINDOW }),
        request('view', 'raw.users_view'),
      ],
      { signal },
    );

    expect(results.map((r) => [r.id, r.error?.code, r.error?.message])).toEqual([
      ['col', 'missing-column', 'Unrecognized name: nope at [1:1]'],
      ['tbl', 'missing-table', 'Not found: Table my-project:raw.nope was not found in location US'],
      ['view', 'query-failed', 'users_view has no row count (a view?)'],
    ]);
  });
});
