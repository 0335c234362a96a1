import { createConnection } from 'mysql2/promise';
import { Client } from 'pg';
import { rowCountConsistency } from '../../../checks/row-count-consistency';
import { describeWindow } from '../../../checks/row-count-consistency/format';
import type { Progress } from '../../../src/core/types';
import { startTcpProxy } from '../../../bench/row-count-proxy';
import { freshMysqlDatabase, freshPgDatabase } from '../../harness/databases';
import { checkConfig, checkContext, provider } from '../../kit/check-context';

const MINUTE = 60_000;
const NOW = new Date(Math.floor(Date.now() / MINUTE) * MINUTE);
const ago = (minutes: number) => new Date(NOW.getTime() - minutes * MINUTE).toISOString();

/** Per table: [minutes ago, rows] on each side. */
const DATA: Record<string, { source: [number, number][]; target?: [number, number][] }> = {
  users: { source: [[30, 10]], target: [[30, 10]] },
  orders: { source: [[30, 1000]], target: [[30, 999]] },
  events: { source: [[30, 100]], target: [[30, 90]] },
  // 5 rows newer than the lag: not yet replicated, and not drift, but freshness lags 25 minutes.
  sessions: {
    source: [
      [30, 3],
      [5, 5],
    ],
    target: [[30, 3]],
  },
  ghost: { source: [[30, 2]] },
};

function rowsSql(spec: [number, number][], toTs: (iso: string) => string): string {
  let id = 0;
  return spec
    .flatMap(([minutes, n]) => Array.from({ length: n }, () => `(${++id}, ${toTs(ago(minutes))})`))
    .join(', ');
}

describe('row-count-consistency from MariaDB to PostgreSQL', () => {
  let mysqlUrl: string;
  let pgUrl: string;

  beforeAll(async () => {
    mysqlUrl = await freshMysqlDatabase('rcc');
    pgUrl = await freshPgDatabase('rcc');
    const my = await createConnection(mysqlUrl);
    const pg = new Client({ connectionString: pgUrl });
    await pg.connect();
    await pg.query('CREATE SCHEMA raw');
    for (const [table, { source, target }] of Object.entries(DATA)) {
      await my.query(`CREATE TABLE ${table} (id INT, updated_at DATETIME(3))`);
      await my.query(
        `INSERT INTO ${table} VALUES ${rowsSql(source, (iso) => `'${iso.slice(0, 23).replace('T', ' ')}'`)}`,
      );
      if (!target) continue;
      await pg.query(`CREATE TABLE raw.${table} (id INT, updated_at timestamptz)`);
      await pg.query(`INSERT INTO raw.${table} VALUES ${rowsSql(target, (iso) => `'${iso}'`)}`);
    }
    await my.end();
    await pg.end();
  });

  it('reports drift beyond tolerance, a lagging table and a missing table; the rest pass', async () => {
    const database = new URL(mysqlUrl).pathname.slice(1);
    const connections = provider({
      game1: { type: 'mysql', url: mysqlUrl },
      dw: { type: 'postgres', url: pgUrl },
    });
    const progress: Progress[] = [];
    const config = checkConfig({
      source: 'game1',
      target: 'dw',
      tolerance: { ratio: 0.001 },
      window: { column: 'updated_at', size: '1h', lag: '15m' },
      freshness: { maxLag: '10m' },
      tables: Object.keys(DATA).map((t) => ({ source: `${database}.${t}`, target: `raw.${t}`, name: t })),
    });

    const result = await rowCountConsistency.run(checkContext(connections, { now: NOW, progress }), config);
    await connections.closeAll();

    expect(result.findings.map((f) => [f.key, f.severity, f.title])).toEqual([
      [
        'events',
        'critical',
        `events: target has 10 fewer rows than source (source 100, target 90, 10.00%; ` +
          `${describeWindow({ column: 'updated_at', from: new Date(ago(75)), to: new Date(ago(15)) })})`,
      ],
      [
        'sessions:freshness',
        'warning',
        expect.stringMatching(/^sessions: target is 25m behind source .* allowed 10m$/),
      ],
      // No table of that name or close to it on the target: nothing to suggest.
      ['ghost:target-error', 'critical', `ghost: table raw.ghost not found on target`],
    ]);
    // The table it could not count also makes the run an error (the runner reports it as such).
    expect(result.errorsWithFindings).toEqual(['ghost: table raw.ghost not found on target']);
    expect(
      result.measurements.filter((m) => m.name === 'table_row_diff').map((m) => [m.labels.table, m.value]),
    ).toEqual([
      ['users', 0],
      ['orders', 1],
      ['events', 10],
      ['sessions', 0],
    ]);
    expect(result.measurements).toContainEqual({
      name: 'table_freshness_lag_seconds',
      value: 25 * 60,
      labels: { check: 'consistency', table: 'sessions' },
    });
    expect(progress.at(-1)).toEqual({ done: 10, total: 10, unit: 'tables' });
  });

  // A trial stopped the source mid-run: each table then failed on its own, a finding each (6 per check there,
  // hundreds on a large one, and Chat shows 100), every statement waiting out its own timeouts first.
  it('reports a target that goes away mid-sweep as one finding covering the tables it left uncounted', async () => {
    const database = new URL(mysqlUrl).pathname.slice(1);
    const { hostname, port } = new URL(pgUrl);
    const proxy = await startTcpProxy({ host: hostname, port: Number(port) });
    const connections = provider({
      game1: { type: 'mysql', url: mysqlUrl },
      dw: { type: 'postgres', url: proxy.wrap(pgUrl), maxConnections: 1, batchSize: 1 },
    });
    const config = checkConfig({
      source: 'game1',
      target: 'dw',
      tables: Object.keys(DATA)
        .filter((t) => t !== 'ghost')
        .map((t) => ({ source: `${database}.${t}`, target: `raw.${t}`, name: t })),
    });
    // The first table is counted on the target, then its server is gone for good.
    const closing: Promise<void>[] = [];
    const ctx = {
      ...checkContext(connections, { now: NOW }),
      progress: (p: Progress) => {
        if (p.done >= 1 && !closing.length) closing.push(proxy.close());
      },
    };

    const result = await rowCountConsistency.run(ctx, config);
    await Promise.all(closing);
    await connections.closeAll();

    const lost = result.findings.filter((f) => f.key.startsWith('target'));
    expect(lost).toEqual([
      expect.objectContaining({
        key: 'target-unreachable',
        severity: 'warning',
        title: expect.stringMatching(
          /^connection 'dw' \(target\) stopped answering: [34] of 4 tables not counted$/,
        ),
        labels: { side: 'target', connection: 'dw', error: 'unreachable' },
      }),
    ]);
    expect(result.findings.filter((f) => f.key.endsWith(':target-error'))).toEqual([]);
    // The run's error says it once, not a line per table.
    expect(result.errorsWithFindings?.filter((e) => /target/.test(e))).toEqual([
      expect.stringMatching(/^connection 'dw' \(target\) stopped answering: [34] of 4 tables not counted: /),
    ]);
    // Their drift, freshness and error alerts keep their state this run.
    expect(lost[0]!.covers).toEqual(
      expect.arrayContaining([
        { key: 'events' },
        { key: 'events:freshness' },
        { key: 'events:target-error' },
      ]),
    );
  });
});
