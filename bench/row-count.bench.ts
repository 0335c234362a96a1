import { createConnection } from 'mysql2/promise';
import { Client } from 'pg';
import pino from 'pino';
import { rowCountConsistency } from '../checks/row-count-consistency';
import { RowCountConsistencyConfig } from '../checks/row-count-consistency/schema';
import { ConnectionConfig } from '../src/connectors/config';
import { createConnectionProvider } from '../src/connectors/provider';
import type { CheckContext } from '../checks/types';
import { startMariaDb } from '../test/harness/mariadb';
import { startPostgres } from '../test/harness/postgres';
import { startTcpProxyProcess } from './row-count-proxy';
import { seedMariaDb, seedPostgres, tableName } from './row-count-seed';

/** DESIGN.md §8: the largest warehouse. */
const TABLES = Number(process.env.BENCH_TABLES ?? 13_000);
/** The connector default; DESIGN.md §8 allows up to 8, more than a 2-core box can use. */
const CONNECTIONS_PER_SIDE = 4;
const CONNECTION_LIMIT = 8;
/** Added to every round trip by the proxy, standing for a remote Aurora / warehouse. */
const REMOTE_LATENCY_MS = 2;

interface Figures {
  seconds: number;
  /** RSS when the sweep started (the process holds the SQL drivers, swc and the seeding's leftovers). */
  startRssMb: number;
  peakRssMb: number;
  sourceRoundTrips: number;
  targetRoundTrips: number;
  sourceConnections: number;
  targetConnections: number;
  findings?: number;
}

/** Samples RSS while `fn` runs (the process-wide maxRSS also covers the seeding). */
async function measured<T>(
  fn: () => Promise<T>,
): Promise<{ value: T; seconds: number; startRssMb: number; peakRssMb: number }> {
  const start = process.memoryUsage.rss();
  let peak = start;
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage.rss())), 20);
  const started = performance.now();
  try {
    const value = await fn();
    peak = Math.max(peak, process.memoryUsage.rss());
    return {
      value,
      seconds: (performance.now() - started) / 1000,
      startRssMb: start / 2 ** 20,
      peakRssMb: peak / 2 ** 20,
    };
  } finally {
    clearInterval(timer);
  }
}

async function batchedSweep(sourceUrl: string, targetUrl: string): Promise<Figures> {
  const log = pino({ level: 'silent' });
  const connections = createConnectionProvider(
    {
      source: ConnectionConfig.parse({ type: 'mysql', url: sourceUrl, maxConnections: CONNECTIONS_PER_SIDE }),
      target: ConnectionConfig.parse({
        type: 'postgres',
        url: targetUrl,
        maxConnections: CONNECTIONS_PER_SIDE,
      }),
    },
    { configDir: process.cwd(), log },
  );
  const tables = Array.from({ length: TABLES }, (_, i) => ({
    source: `bench.${tableName(i)}`,
    target: `bench.${tableName(i)}`,
  }));
  const config = { ...RowCountConsistencyConfig.parse({ source: 'source', target: 'target', tables }) };
  const ctx = {
    checkId: 'bench',
    kind: rowCountConsistency.kind,
    signal: new AbortController().signal,
    log,
    now: new Date(),
    configDir: process.cwd(),
    connections,
    progress: () => undefined,
  } as unknown as CheckContext;
  const common = {
    id: 'bench',
    kind: rowCountConsistency.kind,
    enabled: true,
    schedule: '* * * * *',
    timeoutMs: 600_000,
  };
  const { value, seconds, startRssMb, peakRssMb } = await measured(() =>
    rowCountConsistency.run(ctx, { ...config, ...common }),
  );
  const [source, target] = await Promise.all([connections.get('source'), connections.get('target')]);
  const s = source.stats?.();
  const t = target.stats?.();
  await connections.closeAll();
  return {
    seconds,
    startRssMb,
    peakRssMb,
    sourceRoundTrips: s?.roundTrips ?? NaN,
    targetRoundTrips: t?.roundTrips ?? NaN,
    sourceConnections: s?.peakConnections ?? NaN,
    targetConnections: t?.peakConnections ?? NaN,
    findings: value.findings.length,
  };
}

/** What a script does without Guardrail: one `SELECT count(*)` per table, one side after the other. */
async function naiveSweep(sourceUrl: string, targetUrl: string): Promise<Figures> {
  const { seconds, startRssMb, peakRssMb } = await measured(async () => {
    const my = await createConnection(sourceUrl);
    const pg = new Client({ connectionString: targetUrl });
    await pg.connect();
    for (let i = 0; i < TABLES; i++) {
      await my.query(`SELECT count(*) AS n FROM bench.${tableName(i)}`);
      await pg.query(`SELECT count(*) AS n FROM bench.${tableName(i)}`);
    }
    await my.end();
    await pg.end();
  });
  return {
    seconds,
    startRssMb,
    peakRssMb,
    sourceRoundTrips: TABLES,
    targetRoundTrips: TABLES,
    sourceConnections: 1,
    targetConnections: 1,
  };
}

/**
 * The fair naive: one `SELECT count(*)` per table, but with Guardrail's connections per side and both sides at
 * once (each connection takes the next table until none is left). What batching alone buys is measured
 * against this one.
 */
async function fairNaiveSweep(sourceUrl: string, targetUrl: string): Promise<Figures> {
  // Each connection is one worker: it sends its next query only when its last one is answered.
  const side = async (queries: Array<(sql: string) => Promise<unknown>>): Promise<void> => {
    let next = 0;
    await Promise.all(
      queries.map(async (query) => {
        for (let i = next++; i < TABLES; i = next++)
          await query(`SELECT count(*) AS n FROM bench.${tableName(i)}`);
      }),
    );
  };
  const { seconds, startRssMb, peakRssMb } = await measured(async () => {
    const mys = await Promise.all(
      Array.from({ length: CONNECTIONS_PER_SIDE }, () => createConnection(sourceUrl)),
    );
    const pgs = Array.from(
      { length: CONNECTIONS_PER_SIDE },
      () => new Client({ connectionString: targetUrl }),
    );
    await Promise.all(pgs.map((c) => c.connect()));
    await Promise.all([
      side(mys.map((c) => (sql: string) => c.query(sql))),
      side(pgs.map((c) => (sql: string) => c.query(sql))),
    ]);
    await Promise.all([...mys.map((c) => c.end()), ...pgs.map((c) => c.end())]);
  });
  return {
    seconds,
    startRssMb,
    peakRssMb,
    sourceRoundTrips: TABLES,
    targetRoundTrips: TABLES,
    sourceConnections: CONNECTIONS_PER_SIDE,
    targetConnections: CONNECTIONS_PER_SIDE,
  };
}

function row(label: string, f: Figures): Record<string, string | number> {
  return {
    sweep: label,
    seconds: Number(f.seconds.toFixed(2)),
    'RSS MB start→peak': `${Math.round(f.startRssMb)}→${Math.round(f.peakRssMb)}`,
    'round trips (src/tgt)': `${f.sourceRoundTrips}/${f.targetRoundTrips}`,
    'connections (src/tgt)': `${f.sourceConnections}/${f.targetConnections}`,
    findings: f.findings ?? '',
  };
}

export async function main(): Promise<void> {
  const [pg, my] = await Promise.all([startPostgres(), startMariaDb()]);
  try {
    const seedStart = performance.now();
    const [sourceUrl, targetUrl] = await Promise.all([
      seedMariaDb(my.url, TABLES),
      seedPostgres(pg.url, TABLES),
    ]);
    console.log(
      `seeded ${TABLES} tables per side in ${((performance.now() - seedStart) / 1000).toFixed(1)} s`,
    );

    const host = (url: string) => ({ host: new URL(url).hostname, port: Number(new URL(url).port) });
    const [sourceProxy, targetProxy] = await Promise.all([
      startTcpProxyProcess(host(sourceUrl), REMOTE_LATENCY_MS),
      startTcpProxyProcess(host(targetUrl), REMOTE_LATENCY_MS),
    ]);
    // Warm the servers' table caches once so the two ways compare like with like.
    await batchedSweep(sourceUrl, targetUrl);
    const batched = await batchedSweep(sourceUrl, targetUrl);
    const remoteBatched = await batchedSweep(sourceProxy.wrap(sourceUrl), targetProxy.wrap(targetUrl));
    const fair = await fairNaiveSweep(sourceUrl, targetUrl);
    const remoteFair = await fairNaiveSweep(sourceProxy.wrap(sourceUrl), targetProxy.wrap(targetUrl));
    const naive = await naiveSweep(sourceUrl, targetUrl);
    const remoteNaive = await naiveSweep(sourceProxy.wrap(sourceUrl), targetProxy.wrap(targetUrl));
    await Promise.all([sourceProxy.close(), targetProxy.close()]);

    console.table([
      row('batched, local', batched),
      row('fair naive (same connections, both sides at once), local', fair),
      row('naive (1 connection, one side after the other), local', naive),
      row(`batched, +${REMOTE_LATENCY_MS} ms/round trip`, remoteBatched),
      row(`fair naive, +${REMOTE_LATENCY_MS} ms/round trip`, remoteFair),
      row(`naive, +${REMOTE_LATENCY_MS} ms/round trip`, remoteNaive),
    ]);
    console.log(
      `batching gain against the fair naive (all measured in this run, ${TABLES} tables): ` +
        `${(fair.seconds / batched.seconds).toFixed(1)}× local, ` +
        `${(remoteFair.seconds / remoteBatched.seconds).toFixed(1)}× with ${REMOTE_LATENCY_MS} ms latency (goal ≥ 5×)`,
    );
    console.log(
      `against the sequential one-connection naive: ${(naive.seconds / batched.seconds).toFixed(1)}× local, ` +
        `${(remoteNaive.seconds / remoteBatched.seconds).toFixed(1)}× with ${REMOTE_LATENCY_MS} ms latency; process max RSS ${Math.round(process.resourceUsage().maxRSS / 1024)} MB ` +
        `(includes seeding); targets: ≤ 30 s, ≤ 200 MB, ≤ ${CONNECTION_LIMIT} connections per side`,
    );
  } finally {
    await Promise.all([pg.stop(), my.stop()]);
  }
}
