import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PRODUCTION_SECRETS, writeConfigDir } from '../config/config-files';
import { CALLER_ACCOUNT, FAKE_AWS_ENV } from '../kit/aws';
import { startFakeAwsProcess } from '../servers/aws/process';
import { emptyRegion } from '../servers/aws/world';

// The bundled CLI as the image runs it, with a preload that records every module file the process loads.
const ROOT = join(__dirname, '../..');
const CLI = join(ROOT, 'dist/src/cli/main.js');
const TRACER = join(__dirname, 'trace-modules.cjs');
const CLOUD = /^@aws-sdk\/|^@smithy\/|^@google-cloud\/|^google-/;
const DRIVERS = /^(axios|pg|mysql2|@duckdb\/node-api|better-sqlite3|prom-client|undici)$/;

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
function traced(args: string[], cwd: string, env: NodeJS.ProcessEnv = {}): string[] {
  const trace = join(mkdtempSync(join(tmpdir(), 'guardrail-trace-')), 'modules.json');
  const result = spawnSync(process.execPath, ['--require', TRACER, CLI, ...args], {
    cwd,
    env: { ...process.env, ...PRODUCTION_SECRETS, ...env, GUARDRAIL_TRACE_MODULES: trace },
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
    // No Pushgateway configured: nothing is recorded for Prometheus, so prom-client never loads; no PostgreSQL or
    // MySQL connection, nor a Google Chat channel (the console's only), so neither their drivers nor axios.
    expect(packages.filter((p) => DRIVERS.test(p)).sort()).toEqual(['@duckdb/node-api', 'better-sqlite3']);
  });

  it('requires the drivers the quickstart uses: Node never scans a CommonJS package for an ES module', () => {
    const state = join(mkdtempSync(join(tmpdir(), 'guardrail-bundle-')), 'state.db');
    const loaded = traced(
      ['run', '--config', 'guardrail.yaml', '--state', `sqlite://${state}`],
      join(ROOT, 'examples/quickstart'),
    );

    // Importing @duckdb/node-api from an ES module made Node lex its files for names (src/core/externals.ts).
    expect(loaded).toEqual(
      expect.arrayContaining([expect.stringMatching(/@duckdb\/node-api\/lib\/index\.js$/)]),
    );
    expect(loaded).not.toContain('builtin:internal/deps/cjs-module-lexer/lexer');
  });

  it('validates the production example from the brief bundle, which holds no driver, cloud SDK or HTTP client', () => {
    const loaded = loadedBy(['validate', '--config', 'examples/production/guardrail.yaml'], ROOT);
    const chunks = JSON.parse(readFileSync(join(ROOT, 'dist/bundle-packages.json'), 'utf8')) as Record<
      string,
      string[]
    >;
    const brief = Object.keys(chunks).filter((file) => /^dist\/src\/cli\/brief-\w+\.cjs$/.test(file));

    // Through the module loader, only the binary: the brief bundle is compiled by vm.Script, no chunk is imported.
    expect(loaded.map((file) => relative(ROOT, file))).toEqual(['dist/src/cli/main.js']);
    expect(brief).toHaveLength(1);
    const packages = chunks[brief[0]!]!;
    expect(packages).toEqual(expect.arrayContaining(['commander', 'guardrail', 'yaml', 'zod']));
    expect(packages.filter((p) => CLOUD.test(p) || DRIVERS.test(p))).toEqual([]);
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

  it('runs AWS and DuckDB checks without loading worker_threads, assert, zlib, vm or web streams (never used)', async () => {
    const builtinsOf = (args: string[], cwd: string, env: NodeJS.ProcessEnv = {}) =>
      traced(args, cwd, env)
        .filter((u) => u.startsWith('builtin:'))
        .map((u) => u.slice('builtin:'.length));
    // Required at the top, or (web streams) read by the SDK's test of each reply body for a web stream.
    const unused = /^(worker_threads|assert|zlib|vm|internal\/webstreams\/\w+)$/;
    // In a process of its own: the traced CLI runs under spawnSync, which holds this one's event loop.
    const aws = await startFakeAwsProcess({
      callerAccountId: CALLER_ACCOUNT,
      accounts: [{ id: CALLER_ACCOUNT, regions: { 'us-east-1': emptyRegion() } }],
    });
    try {
      const dir = writeConfigDir({
        'guardrail.yaml': [
          "state: { url: 'sqlite://state.db' }",
          `aws: { region: us-east-1, endpoint: '${aws.url}' }`,
          'checks:',
          '  - { id: idle-ebs, kind: idle-ebs-volumes }',
          '  - { id: idle-eip, kind: idle-elastic-ips }',
          'alerts: { channels: { console: { type: console } }, routes: [{ channel: console }] }',
          '',
        ].join('\n'),
      });
      const state = join(mkdtempSync(join(tmpdir(), 'guardrail-bundle-')), 'state.db');

      const sweep = builtinsOf(['run', '--config', 'guardrail.yaml'], dir, FAKE_AWS_ENV);
      const quickstart = builtinsOf(
        ['run', '--config', 'guardrail.yaml', '--state', `sqlite://${state}`],
        join(ROOT, 'examples/quickstart'),
      );

      expect(sweep.filter((b) => unused.test(b))).toEqual([]);
      expect(quickstart.filter((b) => unused.test(b))).toEqual([]);
      expect(sweep).toContain('https'); // the control: the trace sees what the SDK does load
    } finally {
      await aws.close();
    }
  });
});
