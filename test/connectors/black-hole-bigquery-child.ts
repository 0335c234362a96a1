// The BigQuery black-hole scenario in a plain Node process (jest refuses the client's dynamic import()); prints
// its outcome as JSON, then exits on its own once nothing holds it, which the test times.
import { provider } from '../kit/check-context';
import { clientTimeoutMs } from '../../src/connectors/bounds';
import type { CountRequest, CountResult } from '../../src/connectors/types';
import { startBigQuery } from '../servers/bigquery/server';
import { startBlackHole } from '../servers/black-hole';
import { forwardOnPort, portOf, settle, type Settled } from './black-hole-kit';

/** The connection's statement timeout, as config writes it and in ms. */
const STATEMENT_TIMEOUT = '2s';
const STATEMENT_TIMEOUT_MS = 2_000;

export interface BigQueryBlackHoleOutcome {
  /** The connection's statement timeout. */
  timeoutMs: number;
  /** The connector's bound on one statement (statement timeout plus margin). */
  statementMs: number;
  counted: Settled<CountResult[]>;
  /** MANY, on one session in statements of two: counted beside `counted`. */
  many: Settled<CountResult[]>;
  billed: Settled<number>;
  closed: Settled<void>;
  back: Settled<CountResult[]>;
}

const day = (d: number) => new Date(Date.UTC(2026, 10, d));
/** One whole-table count (tables.get) and one windowed count (a dry run, then a query job). */
const REQUESTS: CountRequest[] = [
  { id: 'whole', table: { parts: ['raw', 'users'] } },
  {
    id: 'window',
    table: { parts: ['raw', 'users'] },
    window: { column: 'updated_at', from: day(1), to: day(30) },
  },
];

/** Four whole-table counts and four windowed ones, for a connection of one session and statements of two tables. */
const MANY: CountRequest[] = ['a', 'b', 'c', 'd'].flatMap((t) => [
  { id: `${t}-whole`, table: { parts: ['raw', t] } },
  {
    id: `${t}-window`,
    table: { parts: ['raw', t] },
    window: { column: 'updated_at', from: day(1), to: day(30) },
  },
]);

async function main(): Promise<void> {
  process.env.METADATA_SERVER_DETECTION = 'none';
  const hole = await startBlackHole();
  const connections = provider(
    {
      bq: {
        type: 'bigquery',
        projectId: 'my-project',
        location: 'US',
        statementTimeout: STATEMENT_TIMEOUT,
      },
      one: {
        type: 'bigquery',
        projectId: 'my-project',
        location: 'US',
        statementTimeout: STATEMENT_TIMEOUT,
        maxConnections: 1,
        batchSize: 2,
      },
    },
    process.cwd(),
    { gcp: { apiEndpoint: `http://127.0.0.1:${hole.port}` } },
  );
  const count = () =>
    connections.get('bq').then((c) => c.count(REQUESTS, { signal: new AbortController().signal }));

  const counting = settle(count());
  const countingMany = settle(
    connections.get('one').then((c) => c.count(MANY, { signal: new AbortController().signal })),
  );
  const billed = await settle(connections.bytesBilled());
  const counted = await counting;
  const many = await countingMany;
  const closed = await settle(connections.closeAll());
  await hole.close();
  const api = await startBigQuery({
    'raw.users': { rows: [{ updated_at: day(2) }, { updated_at: day(3) }], bytes: 4_000 },
  });
  const server = await forwardOnPort(hole.port, portOf(api.apiEndpoint));
  const back = await settle(count());
  await connections.closeAll();
  await server.close();
  await api.close();

  const outcome: BigQueryBlackHoleOutcome = {
    timeoutMs: STATEMENT_TIMEOUT_MS,
    statementMs: clientTimeoutMs(STATEMENT_TIMEOUT_MS),
    counted,
    many,
    billed,
    closed,
    back,
  };
  process.stdout.write(JSON.stringify(outcome));
}

void main();
