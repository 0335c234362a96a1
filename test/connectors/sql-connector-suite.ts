import type { AwsProvider } from '../../src/aws/types';
import type { Connector, CountRequest } from '../../src/connectors/types';
import { provider } from '../kit/check-context';

/** What one SQL engine gives the shared suite. */
export interface SqlEngine {
  /** Connection config (its `url`/`path`), before defaults. */
  connection: Record<string, unknown>;
  /** Runs seeding SQL with full rights (not through the connector). */
  exec(sql: string): Promise<void>;
  quote(name: string): string;
  timestamp(at: Date): string;
  timestampType: string;
  /** A plain schema and one whose name needs quoting (mixed case and a dash). */
  schema: string;
  oddSchema: string;
  /** AWS settings for connectors that call an AWS API. */
  aws?: AwsProvider;
  /** Called once the tables are seeded (e.g. to release a file lock). */
  afterSeed?(): Promise<void>;
  close(): Promise<void>;
}

const MINUTE = 60_000;
export const NOW = new Date(Math.floor(Date.now() / MINUTE) * MINUTE);
const ago = (minutes: number) => new Date(NOW.getTime() - minutes * MINUTE);
/** [now - 15m - 1h, now - 15m) */
export const WINDOW = { column: 'updated_at', from: ago(75), to: ago(15) };

export async function seed(engine: SqlEngine): Promise<void> {
  const { exec, quote: q, timestamp: ts, timestampType: tsType, schema, oddSchema } = engine;
  await exec(`CREATE SCHEMA ${q(schema)}`);
  await exec(`CREATE SCHEMA ${q(oddSchema)}`);
  await exec(`CREATE TABLE ${q(schema)}.${q('items')} (id INT, deleted INT, updated_at ${tsType})`);
  const minutes = [180, 90, 40, 20, 5];
  const values = minutes.map((m, i) => `(${i + 1}, ${i === 0 ? 1 : 0}, ${ts(ago(m))})`).join(', ');
  await exec(`INSERT INTO ${q(schema)}.${q('items')} VALUES ${values}`);
  await exec(`CREATE TABLE ${q(schema)}.${q('empty')} (id INT, updated_at ${tsType})`);
  await exec(`CREATE TABLE ${q(oddSchema)}.${q('order')} (${q('Select')} INT, ${q('Updated-At')} ${tsType})`);
  await exec(`INSERT INTO ${q(oddSchema)}.${q('order')} VALUES (1, ${ts(ago(30))}), (2, ${ts(ago(10))})`);
}

export function request(id: string, table: string, extra: Partial<CountRequest> = {}): CountRequest {
  return { id, table: { parts: table.split('.') }, ...extra };
}

/** The behaviour every SQL connector shares, run against a real engine. */
export function describeSqlConnector(
  label: string,
  makeEngine: () => Promise<SqlEngine>,
  opts: {
    /** A statement that runs longer than 2 s, when the engine has one. */
    slowSql?: string;
    /** Requests one statement takes (the Data API polls and pages). @default 1 */
    callsPerStatement?: number;
  } = {},
): void {
  describe(`${label} connector`, () => {
    let engine: SqlEngine;
    let connections: ReturnType<typeof provider>;
    let connector: Connector;
    const signal = new AbortController().signal;

    beforeAll(async () => {
      engine = await makeEngine();
      await seed(engine);
      await engine.afterSeed?.();
      connections = provider(
        { db: { ...engine.connection, batchSize: 3, maxConnections: 1, statementTimeout: '1s' } },
        process.cwd(),
        {
          aws: engine.aws,
        },
      );
      connector = await connections.get('db');
    });
    afterAll(async () => {
      await connections?.closeAll();
      await engine?.close();
    });

    it('counts whole tables, empty ones and names that need quoting, three per round trip', async () => {
      const before = connector.stats?.().roundTrips ?? 0;

      const results = await connector.count(
        [
          request('a', `${engine.schema}.items`),
          request('b', `${engine.schema}.empty`),
          request('c', `${engine.oddSchema}.order`),
        ],
        { signal },
      );

      expect(results).toEqual([
        { id: 'a', rows: 5 },
        { id: 'b', rows: 0 },
        { id: 'c', rows: 2 },
      ]);
      expect((connector.stats?.().roundTrips ?? 0) - before).toBe(opts.callsPerStatement ?? 1);
    });

    it('counts only rows inside the closed window, and the latest timestamp over the whole table', async () => {
      const results = await connector.count(
        [
          request('w', `${engine.schema}.items`, { window: WINDOW, maxTimestampColumn: 'updated_at' }),
          request('e', `${engine.schema}.empty`, { window: WINDOW, maxTimestampColumn: 'updated_at' }),
          request('o', `${engine.oddSchema}.order`, {
            window: { ...WINDOW, column: 'Updated-At' },
            maxTimestampColumn: 'Updated-At',
          }),
        ],
        { signal },
      );

      expect(results).toEqual([
        { id: 'w', rows: 2, maxTimestamp: ago(5) },
        { id: 'e', rows: 0, maxTimestamp: null },
        { id: 'o', rows: 1, maxTimestamp: ago(10) },
      ]);
    });

    it('applies the where filter from config', async () => {
      const results = await connector.count(
        [request('a', `${engine.schema}.items`, { where: 'deleted = 0' })],
        {
          signal,
        },
      );

      expect(results).toEqual([{ id: 'a', rows: 4 }]);
    });

    it('reports a missing table or column only for that table; the rest of the batch is counted', async () => {
      const results = await connector.count(
        [
          request('1', `${engine.schema}.items`),
          request('2', `${engine.schema}.nope`),
          request('3', `${engine.schema}.empty`),
          request('4', `${engine.schema}.items`, { window: { ...WINDOW, column: 'no_such_column' } }),
          request('5', `${engine.oddSchema}.order`),
        ],
        { signal },
      );

      expect(results.map((r) => [r.id, r.rows ?? r.error?.code])).toEqual([
        ['1', 5],
        ['2', 'missing-table'],
        ['3', 0],
        ['4', 'missing-column'],
        ['5', 2],
      ]);
    });

    // A trial: a time column that could not be read lost the table's count too, so its rows went uncompared.
    it('counts a table whose time column is missing, and says why its time is unknown', async () => {
      const results = await connector.count(
        [
          request('1', `${engine.schema}.items`, { maxTimestampColumn: 'no_such_time' }),
          request('2', `${engine.schema}.nope`, { maxTimestampColumn: 'no_such_time' }),
        ],
        { signal },
      );

      expect(
        results.map((r) => [r.id, r.rows, r.maxTimestamp, r.maxTimestampError?.code, r.error?.code]),
      ).toEqual([
        ['1', 5, undefined, 'missing-column', undefined],
        ['2', undefined, undefined, undefined, 'missing-table'],
      ]);
    });

    it('reports every table as aborted when the check is cancelled', async () => {
      const aborted = AbortSignal.abort(new Error('check timed out'));

      const results = await connector.count([request('a', `${engine.schema}.items`)], { signal: aborted });

      expect(results).toEqual([{ id: 'a', error: { code: 'aborted', message: 'check timed out' } }]);
    });

    it('refuses to write', async () => {
      await expect(
        connector.query!(`CREATE TABLE ${engine.quote(engine.schema)}.${engine.quote('w')} (id INT)`, [], {
          signal,
        }),
      ).rejects.toThrow(/read.only/i);
    });

    (opts.slowSql ? it : it.skip)('stops a statement at the statement timeout', async () => {
      await expect(connector.query!(opts.slowSql as string, [], { signal })).rejects.toThrow(
        /timeout|time|interrupt/i,
      );
    });
  });
}
