import { spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { startBlackHole, type BlackHole } from '../servers/black-hole';

const CLI = join(__dirname, '../../dist/src/cli/main.js');
const QUICKSTART = join(__dirname, '../../examples/quickstart');

/** The quickstart, with a second check whose source accepts connections and never answers. */
function quickstartWithSlowCheck(dir: string, port: number): string {
  cpSync(QUICKSTART, dir, { recursive: true, filter: (src) => !src.includes('.guardrail') });
  const file = join(dir, 'guardrail.yaml');
  const text = readFileSync(file, 'utf8')
    .replace(
      'connections:\n',
      `connections:\n  stuck:\n    type: postgres\n    url: postgres://guardrail:pw@127.0.0.1:${port}/app\n` +
        '    statementTimeout: 60s\n',
    )
    .replace(
      'checks:\n',
      'checks:\n  - id: stuck-consistency\n    kind: row-count-consistency\n    source: stuck\n    target: target\n' +
        '    timeout: 2m\n    tables:\n      - { source: public.orders, target: shop_raw.orders }\n',
    );
  writeFileSync(file, text);
  return file;
}

/** The alert rows of the state file, as `key:status`; none while the file or its table is not there yet. */
function alertRows(state: string): string[] {
  if (!existsSync(state)) return [];
  const db = new Database(state, { readonly: true, fileMustExist: true });
  try {
    const rows = db.prepare('SELECT key, status FROM guardrail_alert_state ORDER BY key').all() as {
      key: string;
      status: string;
    }[];
    return rows.map((r) => `${r.key}:${r.status}`);
  } catch {
    return [];
  } finally {
    db.close();
  }
}

describe('guardrail run with a fast check and one that hangs', () => {
  let dir: string;
  let hole: BlackHole;
  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'run-durable-'));
    hole = await startBlackHole();
  });
  afterEach(async () => {
    await hole.close();
    rmSync(dir, { recursive: true, force: true });
  });

  // A trial: the fast check's alert waited for the slowest check, and a run killed meanwhile (a scheduler's
  // deadline, an OOM kill) lost it: `guardrail alerts` said "No alerts." though the check had finished in 0.3 s.
  it("keeps the fast check's alert when the run is killed, and the next run delivers it", async () => {
    const config = quickstartWithSlowCheck(dir, hole.port);
    const state = join(dir, '.guardrail/state.db');
    const env = { PATH: process.env.PATH, GUARDRAIL_LOG_LEVEL: 'warn' };
    const child = spawn(process.execPath, [CLI, 'run', '--config', config], { env, stdio: 'ignore' });
    const exited = new Promise((resolve) => child.on('exit', resolve));

    let rows: string[] = [];
    for (const started = Date.now(); !rows.length && Date.now() - started < 10_000;) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      rows = alertRows(state);
    }
    child.kill('SIGKILL');
    await exited;
    const next = spawnSync(
      process.execPath,
      [CLI, 'run', '--config', config, '--check', 'shop-consistency'],
      {
        env,
        encoding: 'utf8',
      },
    );

    expect(rows).toEqual(['shop.orders:firing']);
    expect(next.stdout).toContain('FIRING CRITICAL shop.orders: target has 7 fewer rows than source');
    expect(next.status).toBe(0);
  }, 60_000);
});
