// Runs one BigQuery scenario in a plain Node process and prints the outcome as JSON. The BigQuery client's
// HTTP layer (teeny-request) loads node-fetch with a dynamic import(), which jest's module sandbox refuses.
import { provider } from '../kit/check-context';
import type { CountRequest } from '../../src/connectors/types';
import { startBigQuery } from '../servers/bigquery/server';
import type { ColumnType, FakeTables } from '../servers/bigquery/tables';

type Rows = Array<Record<string, string>>;

export interface BigQueryScenario {
  tables: Record<
    string,
    {
      rows: Rows;
      bytes: number;
      type?: 'TABLE' | 'VIEW';
      columnTypes?: Record<string, ColumnType>;
      streaming?: { rows: Rows; estimatedRows: number };
    }
  >;
  connection: Record<string, unknown>;
  requests: CountRequest[];
  pageSize?: number;
  /** The source of a RegExp of requests the API takes and never answers (see startBigQuery). */
  silent?: string;
}

async function main(): Promise<void> {
  process.env.METADATA_SERVER_DETECTION = 'none';
  const scenario = JSON.parse(process.argv[2] as string) as BigQueryScenario;
  const tables: FakeTables = {};
  const dates = (rows: Rows) =>
    rows.map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, new Date(v)])));
  for (const [name, t] of Object.entries(scenario.tables)) {
    const { streaming, ...rest } = t;
    tables[name] = {
      ...rest,
      rows: dates(t.rows),
      ...(streaming ? { streaming: { ...streaming, rows: dates(streaming.rows) } } : {}),
    };
  }
  const server = await startBigQuery(tables, {
    pageSize: scenario.pageSize,
    ...(scenario.silent ? { silent: new RegExp(scenario.silent) } : {}),
  });
  const connections = provider(
    { bq: { type: 'bigquery', projectId: 'my-project', location: 'US', ...scenario.connection } },
    process.cwd(),
    { gcp: { apiEndpoint: server.apiEndpoint } },
  );
  try {
    const connector = await connections.get('bq');
    const requests = scenario.requests.map((r) =>
      r.window
        ? { ...r, window: { ...r.window, from: new Date(r.window.from), to: new Date(r.window.to) } }
        : r,
    );
    const results = await connector.count(requests, { signal: AbortSignal.timeout(20_000) });
    process.stdout.write(JSON.stringify({ results, calls: server.calls, stats: connector.stats?.() }));
  } finally {
    await connections.closeAll();
    await server.close();
  }
}

void main();
