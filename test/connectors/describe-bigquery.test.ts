import pino from 'pino';
import { openBigQuery } from '../../src/connectors/bigquery';
import { BigQueryConnection } from '../../src/connectors/config';

/** Every job the fake client was asked for: the SQL and whether it was a dry run. */
const jobs: { query: string; dryRun: boolean; maximumBytesBilled?: string }[] = [];

const COLUMNS: Record<string, { s: string; t: string; c: string }[]> = {
  '`p`.`raw`': [
    { s: 'raw', t: 'orders', c: 'id' },
    { s: 'raw', t: 'orders', c: 'updated_at' },
    { s: 'raw', t: 'secret', c: 'id' },
  ],
};

/** A stand-in for the BigQuery client: INFORMATION_SCHEMA.COLUMNS of dataset `raw`, no other dataset. */
jest.mock('@google-cloud/bigquery', () => ({
  BigQuery: class {
    async createQueryJob(options: { query: string; dryRun?: boolean; maximumBytesBilled?: string }) {
      jobs.push({
        query: options.query,
        dryRun: !!options.dryRun,
        ...(options.maximumBytesBilled ? { maximumBytesBilled: options.maximumBytesBilled } : {}),
      });
      const relation = /FROM (`[^`]+`\.`[^`]+`)\.INFORMATION_SCHEMA\.COLUMNS/.exec(options.query)?.[1];
      if (relation && !COLUMNS[relation]) {
        throw Object.assign(new Error('Not found: Dataset p:nope was not found in location US'), {
          code: 404,
        });
      }
      if (/raw`\.`secret/.test(options.query)) {
        throw new Error(
          'Access Denied: Table p:raw.secret: User does not have permission to query table p:raw.secret.',
        );
      }
      const rows = relation ? COLUMNS[relation] : [];
      const statistics = {
        totalBytesProcessed: '0',
        totalBytesBilled: '10485760',
        query: { statementType: 'SELECT' },
      };
      return [
        {
          metadata: { statistics },
          getQueryResults: async () => [rows],
          cancel: async () => undefined,
        },
      ];
    }
  },
}));

describe('describe on BigQuery', () => {
  it('reads INFORMATION_SCHEMA.COLUMNS per dataset (dry-run and capped), then dry-runs a probe per table', async () => {
    const connection = BigQueryConnection.parse({ type: 'bigquery', projectId: 'p' });
    const connector = await openBigQuery('bq', connection, {
      configDir: '.',
      log: pino({ level: 'silent' }),
    });

    const described = await connector.describe!(
      [
        { table: { parts: ['raw', 'orders'] }, columns: ['updated_at'], where: 'id > 0' },
        { table: { parts: ['raw', 'orderz'] } },
        { table: { parts: ['raw', 'secret'] }, columns: ['id'] },
        { table: { parts: ['nope', 'orders'] } },
      ],
      { signal: AbortSignal.timeout(10_000) },
    );

    expect(Object.fromEntries(described)).toEqual({
      'raw.orders': { columns: ['id', 'updated_at'] },
      'raw.orderz': { missing: true, suggestions: ['raw.orders'] },
      'raw.secret': {
        columns: ['id'],
        unreadable:
          'Access Denied: Table p:raw.secret: User does not have permission to query table p:raw.secret.',
      },
      'nope.orders': { missing: true, suggestions: [] },
    });
    // The catalog query runs as every BigQuery query does: dry run, then capped; the probes are dry runs only.
    expect(jobs.filter((j) => !j.dryRun)).toEqual([
      {
        query:
          'SELECT table_schema AS s, table_name AS t, column_name AS c FROM `p`.`raw`.INFORMATION_SCHEMA.COLUMNS',
        dryRun: false,
        maximumBytesBilled: String(10 * 1024 * 1024),
      },
    ]);
    expect(jobs.filter((j) => j.dryRun).map((j) => j.query)).toEqual([
      'SELECT table_schema AS s, table_name AS t, column_name AS c FROM `p`.`raw`.INFORMATION_SCHEMA.COLUMNS',
      'SELECT table_schema AS s, table_name AS t, column_name AS c FROM `p`.`nope`.INFORMATION_SCHEMA.COLUMNS',
      'SELECT `updated_at` FROM `raw`.`orders` WHERE (id > 0) AND 1 = 0',
      'SELECT `id` FROM `raw`.`secret` WHERE 1 = 0',
    ]);
  });
});
