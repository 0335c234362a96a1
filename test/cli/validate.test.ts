import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// The built entry point, as the image runs it.
const CLI = join(__dirname, '../../dist/src/cli/main.js');
const QUICKSTART = join(__dirname, '../../examples/quickstart');

/** A private copy of the quickstart with `edits` (file → [from, to]) applied; returns its folder. */
function quickstart(edits: Record<string, [string, string][]> = {}): string {
  const dir = mkdtempSync(join(tmpdir(), 'guardrail-validate-'));
  cpSync(QUICKSTART, dir, { recursive: true, filter: (src) => !src.includes('.guardrail') });
  for (const [file, changes] of Object.entries(edits)) {
    let text = readFileSync(join(dir, file), 'utf8');
    for (const [from, to] of changes) {
      if (!text.includes(from)) throw new Error(`${file} has no ${from}`);
      text = text.replace(from, to);
    }
    writeFileSync(join(dir, file), text);
  }
  return dir;
}

function cli(args: string[], cwd: string) {
  return spawnSync(process.execPath, [CLI, ...args], {
    cwd,
    encoding: 'utf8',
    env: { PATH: process.env.PATH, GUARDRAIL_LOG_LEVEL: 'warn' },
  });
}

interface ExitCase {
  name: string;
  edits: Record<string, [string, string][]>;
  status: number;
}

describe('guardrail validate', () => {
  it.each<ExitCase>([
    { name: 'a valid config', edits: {}, status: 0 },
    {
      name: 'a misspelt key',
      edits: { 'guardrail.yaml': [['repeatInterval', 'reapeatInterval']] },
      status: 2,
    },
    {
      name: 'a YAML slip',
      edits: { 'guardrail.yaml': [['    tables:', '   tables:']] },
      status: 2,
    },
    {
      name: 'every check disabled',
      edits: {
        'guardrail.yaml': [
          ['    kind: row-count-consistency', '    kind: row-count-consistency\n    enabled: false'],
        ],
      },
      status: 2,
    },
  ])('exits $status for $name', ({ edits, status }) => {
    const dir = quickstart(edits);

    const result = cli(['validate', '--config', 'guardrail.yaml'], dir);

    expect(result.status).toBe(status);
    expect(result.stderr).not.toMatch(/^\s+at /m);
  });

  it('run --check with an unknown id lists the ids of the config', () => {
    const dir = quickstart();

    const result = cli(['run', '--config', 'guardrail.yaml', '--check', 'nope'], dir);

    expect(result.status).toBe(2);
    expect(result.stderr).toBe(
      "guardrail: unknown check id(s): nope; the config's checks: shop-consistency\n",
    );
  });
});

describe('guardrail validate --online (quickstart, DuckDB)', () => {
  it('passes when every table and column exists and can be read', () => {
    const dir = quickstart();

    const result = cli(['validate', '--online', '--config', 'guardrail.yaml'], dir);

    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/^online: 8 tables found and readable$/m);
  });

  it('names the file and line of a misspelt table and of a misspelt where column in a table file', () => {
    const dir = quickstart({
      'guardrail.yaml': [['target: shop_raw.orders }', 'target: shop_raw.orderz }']],
      'tables/payments.yaml': [
        ['target: shop_raw.payments }', 'target: shop_raw.payments, where: "amout > 0" }'],
      ],
    });

    const result = cli(['validate', '--online', '--config', 'guardrail.yaml'], dir);

    expect(result.status).toBe(2);
    expect(result.stderr.trim().split('\n').sort()).toEqual(
      [
        'Invalid configuration (3 problems):',
        '  guardrail.yaml:33:40 checks[0].tables[1].target (check shop-consistency): table shop_raw.orderz not found on target (connection target); did you mean shop_raw.orders?',
        '  tables/payments.yaml:2:62 [0].where (check shop-consistency): column amout not found in shop.payments on source (connection source); did you mean amount?',
        '  tables/payments.yaml:2:62 [0].where (check shop-consistency): column amout not found in shop_raw.payments on target (connection target); did you mean amount?',
      ].sort(),
    );
  });

  it('names the line of a misspelt freshness column', () => {
    const dir = quickstart({ 'guardrail.yaml': [['column: updated_at, maxLag', 'column: updated, maxLag']] });

    const result = cli(['validate', '--online', '--config', 'guardrail.yaml'], dir);

    expect(result.status).toBe(2);
    expect(result.stderr).toContain(
      'guardrail.yaml:30:16 checks[0].freshness (check shop-consistency): column updated not found in shop.customers on source (connection source)',
    );
  });
});
