import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PRODUCTION_SECRETS } from '../config/config-files';

// The bundled CLI as the image runs it, with a preload that records every module file the process loads.
const ROOT = join(__dirname, '../..');
const CLI = join(ROOT, 'dist/src/cli/main.js');
const TRACER = join(__dirname, 'trace-modules.cjs');
const CLOUD = /^@aws-sdk\/|^@smithy\/|^@google-cloud\/|^google-/;

/** The packages each module file holds: a bundle chunk's per the build's record, a node_modules file's own. */
function packagesOf(files: string[]): string[] {
  const chunks = JSON.parse(readFileSync(join(ROOT, 'dist/bundle-packages.json'), 'utf8')) as Record<
    string,
    string[]
  >;
  return [
    ...new Set(
      files.flatMap((file) => {
        const inModules = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(file)?.[1];
        return inModules ? [inModules] : (chunks[relative(ROOT, file)] ?? []);
      }),
    ),
  ].sort();
}

/** Every module URL the process loaded, and `builtin:NAME` for each Node built-in compiled for it. */
function traced(args: string[], cwd: string): string[] {
  const trace = join(mkdtempSync(join(tmpdir(), 'guardrail-trace-')), 'modules.json');
  const result = spawnSync(process.execPath, ['--require', TRACER, CLI, ...args], {
    cwd,
    env: { ...process.env, ...PRODUCTION_SECRETS, GUARDRAIL_TRACE_MODULES: trace },
    encoding: 'utf8',
  });
  expect(result.stderr).toBe('');
  return JSON.parse(readFileSync(trace, 'utf8')) as string[];
}

function loadedBy(args: string[], cwd: string): string[] {
  return traced(args, cwd)
    .filter((u) => u.startsWith('file:'))
    .map((u) => fileURLToPath(u));
}

describe('the bundled CLI loads only what the config enables', () => {
  it('runs the quickstart (DuckDB checks, no AWS check) without loading an AWS or Google client', () => {
    const state = join(mkdtempSync(join(tmpdir(), 'guardrail-bundle-')), 'state.db');

    const packages = packagesOf(
      loadedBy(
        ['run', '--config', 'guardrail.yaml', '--state', `sqlite://${state}`],
        join(ROOT, 'examples/quickstart'),
      ),
    );

    expect(packages).toEqual(expect.arrayContaining(['@duckdb/node-api', 'better-sqlite3', 'guardrail']));
    expect(packages.filter((p) => CLOUD.test(p))).toEqual([]);
    // No Pushgateway configured: nothing is recorded for Prometheus, so prom-client never loads.
    expect(packages).not.toContain('prom-client');
  });

  it('validates the production example without loading a driver, a cloud SDK or an HTTP client', () => {
    const packages = packagesOf(
      loadedBy(['validate', '--config', 'examples/production/guardrail.yaml'], ROOT),
    );

    expect(
      packages.filter((p) => p !== 'guardrail' && !/^(commander|yaml|zod|picomatch|node-cron)$/.test(p)),
    ).toEqual([]);
  });

  it('validates without loading child_process or crypto (commander and node-cron import them at the top)', () => {
    const builtinsOf = (args: string[], cwd: string) =>
      traced(args, cwd)
        .filter((u) => u.startsWith('builtin:'))
        .map((u) => u.slice('builtin:'.length));
    const eager = /^(child_process|crypto|dgram)$/;
    const state = join(mkdtempSync(join(tmpdir(), 'guardrail-bundle-')), 'state.db');

    const validate = builtinsOf(['validate', '--config', 'examples/production/guardrail.yaml'], ROOT);
    // The control: a run makes ids and hashes, so the trace does see crypto when it is used.
    const run = builtinsOf(
      ['run', '--config', 'guardrail.yaml', '--state', `sqlite://${state}`],
      join(ROOT, 'examples/quickstart'),
    );

    expect(validate.filter((b) => eager.test(b))).toEqual([]);
    expect(run).toContain('crypto');
  });
});
