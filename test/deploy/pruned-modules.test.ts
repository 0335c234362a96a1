// The image keeps in node_modules only what the bundle leaves to it (scripts/prune-bundled.mjs): here the built CLI
// runs from a folder holding exactly that, so each path that loads an external package (DuckDB, SQLite, pg, mysql2,
// the BigQuery client) or a bundled one (the AWS SDK, the Grafana SDK) is shown to work without the rest.
import { execFile, spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Client } from 'pg';
import { writeConfigDir } from '../config/config-files';
import { CALLER_ACCOUNT, FAKE_AWS_ENV } from '../kit/aws';
import { freshMysqlDatabase, freshPgDatabase } from '../harness/databases';
import { startFakeAws, type FakeAwsServer } from '../servers/aws/server';
import { emptyRegion } from '../servers/aws/world';
import { startBigQuery, type BigQueryServer } from '../servers/bigquery/server';

const ROOT = join(__dirname, '../..');
const TiB = 2 ** 40;

interface Report {
  checks: { id: string; status: string; error?: string; findings: { key: string; title: string }[] }[];
}

describe('the CLI with only the packages the image keeps', () => {
  let app: string;
  let aws: FakeAwsServer;
  let bigquery: BigQueryServer;

  beforeAll(async () => {
    app = mkdtempSync(join(tmpdir(), 'guardrail-pruned-'));
    cpSync(join(ROOT, 'dist/src'), join(app, 'dist/src'), { recursive: true });
    cpSync(join(ROOT, 'package.json'), join(app, 'package.json'));
    const listed = spawnSync(process.execPath, [join(ROOT, 'scripts/prune-bundled.mjs'), '--list'], {
      cwd: ROOT,
      encoding: 'utf8',
    });
    expect([listed.status, listed.stderr]).toEqual([0, '']);
    for (const dir of listed.stdout.trim().split('\n'))
      cpSync(join(ROOT, dir), join(app, dir), { recursive: true });
    aws = await startFakeAws({
      callerAccountId: CALLER_ACCOUNT,
      accounts: [
        {
          id: CALLER_ACCOUNT,
          regions: {
            'us-east-1': {
              ...emptyRegion(),
              volumes: [{ id: 'vol-1', sizeGiB: 100, type: 'gp3', state: 'available' }],
            },
          },
        },
      ],
    });
    const now = Date.now();
    bigquery = await startBigQuery(
      {},
      {
        jobs: {
          jobs: {
            'my-project.region-us': [
              {
                job_id: 'big',
                user_email: 'analyst@example.com',
                query: 'SELECT * FROM sales',
                total_bytes_billed: 2 * TiB,
                creation_time: new Date(now - 6 * 60_000),
                end_time: new Date(now - 60_000),
              },
            ],
          },
        },
      },
    );
  }, 120_000);

  afterAll(async () => {
    await Promise.all([aws?.close(), bigquery?.close()]);
    if (app) rmSync(app, { recursive: true, force: true });
  });

  it('keeps the external packages and what they need, not the bundled ones', () => {
    const kept = readdirSync(join(app, 'node_modules'));
    expect(kept).toEqual(
      expect.arrayContaining(['@duckdb', 'better-sqlite3', 'pg', 'mysql2', '@google-cloud']),
    );
    expect(kept.filter((p) => /^(@aws-sdk|@smithy|@grafana|zod|yaml|commander|pino|axios)$/.test(p))).toEqual(
      [],
    );
  });

  async function run(config: string[], env: NodeJS.ProcessEnv = {}): Promise<Report> {
    const alerts = [
      'alerts:',
      '  channels: { console: { type: console } }',
      '  routes: [{ channel: console }]',
    ];
    const dir = writeConfigDir({ 'guardrail.yaml': [...config, ...alerts, ''].join('\n') });
    const file = join(dir, 'guardrail.yaml');
    const cli = join(app, 'dist/src/cli/main.js');
    const result = await promisify(execFile)(
      process.execPath,
      [cli, 'run', '--config', file, '--format', 'json'],
      {
        cwd: dir,
        env: { ...process.env, METADATA_SERVER_DETECTION: 'none', ...env },
        encoding: 'utf8',
        timeout: 60_000,
      },
    ).catch((error: { stdout: string; stderr: string; code: number }) => error);
    expect(result.stderr).not.toMatch(/Cannot find (module|package)|MODULE_NOT_FOUND/);
    if (!result.stdout) throw new Error(`no report: ${result.stderr}`);
    return JSON.parse(result.stdout) as Report;
  }

  it('runs the quickstart (DuckDB, better-sqlite3)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'guardrail-pruned-quickstart-'));
    cpSync(join(ROOT, 'examples/quickstart'), dir, {
      recursive: true,
      filter: (s) => !s.includes('.guardrail'),
    });
    const result = spawnSync(
      process.execPath,
      [join(app, 'dist/src/cli/main.js'), 'run', '--config', 'guardrail.yaml', '--format', 'json'],
      { cwd: dir, encoding: 'utf8', timeout: 60_000 },
    );
    expect([result.status, result.stderr]).toEqual([
      0,
      expect.stringContaining('FIRING CRITICAL shop.orders'),
    ]);
    expect((JSON.parse(result.stdout) as Report).checks.map((c) => c.status)).toEqual(['firing']);
  });

  it('counts rows from PostgreSQL to MariaDB, state in PostgreSQL (pg, mysql2)', async () => {
    const [pg, mysql, store] = await Promise.all([
      freshPgDatabase('pruned_src'),
      freshMysqlDatabase('pruned_dst'),
      freshPgDatabase('pruned_state'),
    ]);
    const client = new Client({ connectionString: pg });
    await client.connect();
    await client.query('CREATE TABLE orders (id int); INSERT INTO orders VALUES (1), (2)');
    await client.end();
    const { default: mysql2 } = await import('mysql2/promise');
    const target = await mysql2.createConnection(mysql);
    await target.query('CREATE TABLE orders (id int)');
    await target.query('INSERT INTO orders VALUES (1)');
    await target.end();

    const report = await run([
      `state: { url: '${store}' }`,
      'connections:',
      `  src: { type: postgres, url: '${pg}' }`,
      `  dst: { type: mysql, url: '${mysql}' }`,
      'checks:',
      `  - { id: orders, kind: row-count-consistency, source: src, target: dst, tables: [{ source: public.orders, target: ${new URL(mysql).pathname.slice(1)}.orders }] }`,
    ]);

    expect(report.checks[0]).toMatchObject({ status: 'firing' });
    expect(report.checks[0]!.findings[0]!.title).toMatch(/target has 1 fewer row/);
  });

  it('reports an expensive BigQuery job (the Google client)', async () => {
    const report = await run([
      "state: { url: 'sqlite://state.db' }",
      `gcp: { apiEndpoint: '${bigquery.apiEndpoint}' }`,
      'connections:',
      '  bq: { type: bigquery, projectId: agent-project, location: US }',
      'checks:',
      '  - { id: bq-cost, kind: bigquery-expensive-queries, connection: bq, projects: [my-project], regions: [region-us] }',
    ]);

    expect(report.checks[0]).toMatchObject({ status: 'firing' });
    expect(report.checks[0]!.findings.map((f) => f.key)).toEqual(['my-project:big']);
  });

  it('sweeps idle volumes through the bundled AWS SDK', async () => {
    const report = await run(
      [
        "state: { url: 'sqlite://state.db' }",
        `aws: { region: us-east-1, endpoint: '${aws.url}' }`,
        'checks:',
        '  - { id: idle-ebs, kind: idle-ebs-volumes }',
      ],
      FAKE_AWS_ENV,
    );

    expect(report.checks[0]).toMatchObject({ status: 'firing' });
    expect(report.checks[0]!.findings).toHaveLength(1);
  });

  it('writes the dashboards (the bundled Grafana SDK)', () => {
    const out = join(app, 'dashboards-out');
    mkdirSync(out);
    const result = spawnSync(
      process.execPath,
      [
        join(app, 'dist/src/cli/main.js'),
        'dashboards',
        '--out',
        out,
        '--config',
        join(ROOT, 'examples/quickstart/guardrail.yaml'),
      ],
      { encoding: 'utf8', timeout: 60_000 },
    );
    expect([result.status, result.stderr]).toEqual([0, '']);
    expect(readdirSync(out)).toContain('guardrail-agent-health.json');
  });
});
