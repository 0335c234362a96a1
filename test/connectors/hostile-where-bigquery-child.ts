// Runs the BigQuery connector against the loopback server whose dry runs report a chosen statement type, and
// prints what came back as JSON (in a plain Node process: see bigquery-child.ts).
import { provider } from '../kit/check-context';
import { startBigQuery } from '../servers/bigquery/server';

export interface ReadOnlyScenario {
  /** The dry run's statementType; null: none reported. */
  statementType: string | null;
}

async function main(): Promise<void> {
  process.env.METADATA_SERVER_DETECTION = 'none';
  const { statementType } = JSON.parse(process.argv[2] as string) as ReadOnlyScenario;
  const rows = [{ updated_at: new Date('2026-01-01T00:00:00Z') }];
  const server = await startBigQuery(
    { 'raw.t': { rows, bytes: 1_000 } },
    { statementType: () => statementType ?? undefined },
  );
  const connections = provider(
    { bq: { type: 'bigquery', projectId: 'my-project', location: 'US' } },
    process.cwd(),
    { gcp: { apiEndpoint: server.apiEndpoint } },
  );
  try {
    const connector = await connections.get('bq');
    const signal = AbortSignal.timeout(20_000);
    const results = await connector.count(
      [
        {
          id: '1',
          table: { parts: ['raw', 't'] },
          // A window makes the count a query (a whole-table count reads table metadata).
          window: {
            column: 'updated_at',
            from: new Date('2025-12-31T00:00:00Z'),
            to: new Date('2026-01-02T00:00:00Z'),
          },
        },
      ],
      { signal },
    );
    process.stdout.write(JSON.stringify({ results, calls: server.calls }));
  } finally {
    await connections.closeAll();
    await server.close();
  }
}

void main();
