import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createConnection } from 'mysql2/promise';
import { Client } from 'pg';
import { freshMysqlDatabase, freshPgDatabase } from '../harness/databases';

const CLI = join(__dirname, '../../dist/src/cli/main.js');

describe('guardrail validate --online (MariaDB to PostgreSQL)', () => {
  let dir: string;
  let database: string;

  beforeAll(async () => {
    const mysqlUrl = await freshMysqlDatabase('online');
    const pgUrl = await freshPgDatabase('online');
    database = new URL(mysqlUrl).pathname.slice(1);
    const my = await createConnection(mysqlUrl);
    await my.query('CREATE TABLE users (id INT, deleted_at DATETIME(3), updated_at DATETIME(3))');
    await my.query('CREATE TABLE orders (id INT, status VARCHAR(10), updated_at DATETIME(3))');
    await my.end();
    const pg = new Client({ connectionString: pgUrl });
    await pg.connect();
    await pg.query(`CREATE SCHEMA raw;
      CREATE TABLE raw.users (id INT, deleted_at timestamptz, updated_at timestamptz);
      CREATE TABLE raw.orders (id INT, status TEXT, updated_at timestamptz)`);
    await pg.end();

    dir = mkdtempSync(join(tmpdir(), 'guardrail-online-'));
    mkdirSync(join(dir, 'tables'));
    writeFileSync(
      join(dir, 'guardrail.yaml'),
      `state: { url: 'sqlite://state.db' }
connections:
  game1: { type: mysql, url: '${mysqlUrl}' }
  dw: { type: postgres, url: '${pgUrl}' }
checks:
  - id: game1-consistency
    kind: row-count-consistency
    source: game1
    target: dw
    window: { column: updated_at, size: 1h }
    tables:
      - { source: ${database}.users, target: raw.userz }
    tableFiles: tables/*.yaml
alerts:
  channels: { console: { type: console } }
  routes: [{ channel: console }]
`,
    );
    writeFileSync(
      join(dir, 'tables/orders.yaml'),
      `# analysts' file
- source: ${database}.orders
  target: raw.orders
  where: "stauts <> 'void'"
`,
    );
  });

  it('names the file and line of each miss, on both servers', () => {
    const result = spawnSync(process.execPath, [CLI, 'validate', '--online', '--config', 'guardrail.yaml'], {
      cwd: dir,
      encoding: 'utf8',
      env: { PATH: process.env.PATH, GUARDRAIL_LOG_LEVEL: 'warn' },
    });

    expect(result.status).toBe(2);
    expect(result.stderr.trim().split('\n').sort()).toEqual(
      [
        'Invalid configuration (3 problems):',
        `  guardrail.yaml:12:${`      - { source: ${database}.users, target: `.length + 1} checks[0].tables[0].target (check game1-consistency): table raw.userz not found on target (connection dw); did you mean raw.users?`,
        `  tables/orders.yaml:4:10 [0].where (check game1-consistency): column stauts not found in ${database}.orders on source (connection game1); did you mean status?`,
        '  tables/orders.yaml:4:10 [0].where (check game1-consistency): column stauts not found in raw.orders on target (connection dw); did you mean status?',
      ].sort(),
    );
  });
});
