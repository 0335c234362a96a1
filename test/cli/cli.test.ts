import { spawn, spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CONTAINER_CONFIG, defaultConfigPath } from '../../src/cli/main';
import { dockerfileCommand } from './dockerfile';
import { get } from './serve-process';

// The same built entry point the Docker image runs (ENTRYPOINT ["node", "dist/src/cli/main.js"]).
const CLI = join(__dirname, '../../dist/src/cli/main.js');
const QUICKSTART = join(__dirname, '../../examples/quickstart');

/** A private copy of the quickstart (its state file must not be shared), optionally edited. */
function quickstartCopy(change?: { append: string; edit?: [string, string] }): string {
  const dir = mkdtempSync(join(tmpdir(), 'guardrail-cli-'));
  cpSync(QUICKSTART, dir, { recursive: true, filter: (src) => !src.includes('.guardrail') });
  const file = join(dir, 'guardrail.yaml');
  if (change) {
    let text = readFileSync(file, 'utf8');
    if (change.edit) text = text.replace(change.edit[0], change.edit[1]);
    writeFileSync(file, text + change.append);
  }
  return file;
}

function cli(args: string[], env: NodeJS.ProcessEnv = {}) {
  return spawnSync(process.execPath, [CLI, ...args], {
    encoding: 'utf8',
    env: { PATH: process.env.PATH, GUARDRAIL_LOG_LEVEL: 'warn', ...env },
  });
}

describe('guardrail CLI (built entry point)', () => {
  it('runs the quickstart: reports the drift once, then suppresses the repeat', () => {
    const config = quickstartCopy();

    const first = cli(['run', '--config', config, '--format', 'json']);
    const second = cli(['run', '--config', config, '--format', 'json']);

    expect(first.status).toBe(0);
    const one = JSON.parse(first.stdout);
    const two = JSON.parse(second.stdout);
    expect(one.checks.map((c: { id: string; status: string }) => [c.id, c.status])).toEqual([
      ['shop-consistency', 'firing'],
    ]);
    expect(one.checks[0].findings.map((f: { key: string; state: string }) => [f.key, f.state])).toEqual([
      ['shop.orders', 'new'],
    ]);
    expect(one.notifications).toEqual({ sent: 1, failed: 0, pending: 0, suppressed: 0 });
    expect(two.checks[0].findings.map((f: { state: string }) => f.state)).toEqual(['firing']);
    expect(two.notifications).toEqual({ sent: 0, failed: 0, pending: 0, suppressed: 1 });
  });

  it('exits 1 with --fail-on-findings and prints the would-be message on --dry-run without changing state', () => {
    const config = quickstartCopy();

    const dry = cli(['run', '--config', config, '--dry-run', '--fail-on-findings']);
    const real = cli(['run', '--config', config, '--format', 'json']);

    expect(dry.status).toBe(1);
    expect(dry.stdout).toContain('--- would send to console ---');
    expect(dry.stdout).toContain('🔴 FIRING CRITICAL shop.orders');
    expect(JSON.parse(real.stdout).checks[0].findings[0].state).toBe('new');
  });

  it('honours --state over state.url, and --check selects checks (unknown id: exit 2)', () => {
    const config = quickstartCopy();
    const state = `sqlite://${join(mkdtempSync(join(tmpdir(), 'state-')), 's.db')}`;

    const run = cli([
      'run',
      '--config',
      config,
      '--state',
      state,
      '--check',
      'shop-consistency',
      '--format',
      'json',
    ]);
    const unknown = cli(['run', '--config', config, '--check', 'nope']);

    expect(run.status).toBe(0);
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toContain('unknown check id(s): nope');
  });

  it('exits 3 when a check cannot run (its connection cannot open), reporting a check-error finding', () => {
    // A database file that is not there: the connection cannot open (a view that cannot be made fails only its
    // own table).
    const config = quickstartCopy({
      append: '',
      edit: ["path: ':memory:'", "path: 'no-such-file.duckdb'"],
    });

    const result = cli(['run', '--config', config, '--format', 'json']);

    expect(result.status).toBe(3);
    const check = JSON.parse(result.stdout).checks[0];
    expect([check.status, check.findings[0].key]).toEqual(['error', 'check-error']);
    expect(check.error).toMatch(
      /^cannot open connection 'source' \(duckdb\): [^\n]*no-such-file\.duckdb[^\n]*$/,
    );
  });

  it('exits 2 for a missing config file, an unknown flag and a malformed --state', () => {
    expect(cli(['validate', '--config', '/nonexistent/guardrail.yaml']).status).toBe(2);
    expect(cli(['run', '--bogus']).status).toBe(2);
    const badState = cli(['run', '--config', quickstartCopy(), '--state', 'bogus://x']);
    expect([badState.status, badState.stderr]).toEqual([
      2,
      'guardrail: --state must be sqlite://PATH or postgres://USER@HOST/DB\n',
    ]);
    // validate checks the URL the agent would run with, from the environment too, and hides it.
    const envState = cli(['validate', '--config', quickstartCopy()], {
      GUARDRAIL_STATE_URL: 'postgres://gr:Pa@ss#S3cretPW@db/state',
    });
    expect(envState.status).toBe(2);
    expect(envState.stderr).toMatch(
      /^guardrail: --state must be .*: state url \(value hidden\): it holds a #/,
    );
    expect(envState.stderr).not.toContain('S3cret');
  });

  it('does not fail --fail-on-findings for a silenced finding', () => {
    const config = quickstartCopy({
      append:
        '  silences:\n    - { match: { check: shop-consistency }, until: 2099-01-01, reason: known backfill }\n',
    });

    const result = cli(['run', '--config', config, '--fail-on-findings', '--format', 'json']);

    expect(result.status).toBe(0);
    expect(JSON.parse(result.stdout).checks[0].findings.map((f: { state: string }) => f.state)).toEqual([
      'silenced',
    ]);
  });

  it('does not fail --fail-on-findings for a finding still pending, and says it is pending, not firing', () => {
    const config = quickstartCopy({
      append: '',
      edit: ['    kind: row-count-consistency\n', '    kind: row-count-consistency\n    for: 2 runs\n'],
    });

    const first = cli(['run', '--config', config, '--fail-on-findings']);
    const other = quickstartCopy({
      append: '',
      edit: ['    kind: row-count-consistency\n', '    kind: row-count-consistency\n    for: 2 runs\n'],
    });
    const json = JSON.parse(cli(['run', '--config', other, '--format', 'json']).stdout);
    const second = cli(['run', '--config', config, '--fail-on-findings']);

    expect(first.status).toBe(0);
    expect(first.stdout).toMatch(/^ {2}PENDING shop-consistency /m);
    expect(first.stdout).toContain('[pending] critical: shop.orders');
    expect(json.checks[0].status).toBe('pending');
    expect(second.status).toBe(1);
    expect(second.stdout).toMatch(/^ {2}FIRING shop-consistency /m);
  });

  it('validates a schedule whose range wraps round, and warns that node-cron runs it so', () => {
    const config = quickstartCopy({
      append: '',
      edit: [
        '    kind: row-count-consistency\n',
        "    kind: row-count-consistency\n    schedule: '5-1 * * * *'\n",
      ],
    });

    const result = cli(['validate', '--config', config]);

    expect(result.status).toBe(0);
    expect(result.stdout).toContain(
      "warning: checks.shop-consistency.schedule '5-1 * * * *': the minute range 5-1 wraps round the end of the hour",
    );
  });

  it('names the folder and the way out when the dashboards cannot be written there', () => {
    // As on the image's read-only root (EACCES there; here a path through a file, which root cannot write either).
    const file = join(mkdtempSync(join(tmpdir(), 'guardrail-cli-')), 'a-file');
    writeFileSync(file, '');

    const result = cli(['dashboards', '--out', join(file, 'dashboards')]);

    expect([result.status, result.stderr]).toEqual([
      5,
      expect.stringMatching(
        /^guardrail: cannot write the dashboards to .*a-file\/dashboards\/ \(ENOTDIR\): give a writable folder with --out/,
      ),
    ]);
  });

  it('--version prints the version in package.json and exits 0', () => {
    const { version } = JSON.parse(readFileSync(join(__dirname, '../../package.json'), 'utf8'));

    const result = cli(['--version']);

    expect([result.status, result.stdout]).toEqual([0, `${version}\n`]);
  });

  it('validate prints a summary; checks lists kinds; schema is JSON Schema', () => {
    const config = quickstartCopy();

    const validate = cli(['validate', '--config', config]);
    const checks = cli(['checks']);
    const schema = JSON.parse(cli(['schema']).stdout);

    expect(validate.status).toBe(0);
    expect(validate.stdout).toContain('shop-consistency (row-count-consistency) schedule "*/5 * * * *"');
    expect(checks.stdout).toContain('row-count-consistency');
    expect(schema.properties.checks.items.oneOf ?? schema.properties.checks.items.anyOf).toBeDefined();
  });

  it('writes all of a long output to a pipe before it exits (schema is over 64 KiB)', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'guardrail-schema-')), 'schema.json');
    const node = JSON.stringify(process.execPath);
    const cliPath = JSON.stringify(CLI);

    const toFile = spawnSync('sh', ['-c', `${node} ${cliPath} schema > ${JSON.stringify(file)}`]);
    // A reader slower than the writer, as jq or a log shipper may be: the pipe fills and writes wait.
    const piped = spawnSync('sh', ['-c', `${node} ${cliPath} schema | (sleep 0.3; wc -c)`], {
      encoding: 'utf8',
    });

    expect(toFile.status).toBe(0);
    expect(statSync(file).size).toBeGreaterThan(65_536);
    expect(Number(piped.stdout.trim())).toBe(statSync(file).size);
  });

  it('validate hides a state password wherever the URL carries it (userinfo or query parameter)', () => {
    const config = quickstartCopy({
      append: '',
      edit: [
        "state: { url: 'sqlite://.guardrail/state.db' }",
        "state: { url: 'postgres://guard:in-userinfo@db.internal/state?sslmode=require&password=in-query' }",
      ],
    });

    const validate = cli(['validate', '--config', config]);

    expect(validate.status).toBe(0);
    expect(validate.stdout).toContain(
      'state: postgres://guard:***@db.internal/state?sslmode=require&password=***',
    );
    expect(validate.stdout).not.toMatch(/in-userinfo|in-query/);
  });

  it('serve answers /healthz and /metrics and stops cleanly on SIGTERM', async () => {
    const config = quickstartCopy({ append: 'server: { port: 0 }\n' });
    const child = spawn(process.execPath, [CLI, 'serve', '--config', config], {
      env: { PATH: process.env.PATH, GUARDRAIL_LOG_LEVEL: 'info' },
    });
    const port = await new Promise<number>((resolve, reject) => {
      let buffer = '';
      child.stderr.on('data', (chunk: Buffer) => {
        buffer += chunk.toString();
        const match = /"port":(\d+)/.exec(buffer);
        if (match) resolve(Number(match[1]));
      });
      child.once('exit', (code) => reject(new Error(`serve exited early (${code}): ${buffer}`)));
    });

    const health = await get(port, '/healthz');
    const metrics = await get(port, '/metrics');
    const healthcheck = spawnSync('sh', ['-c', dockerfileCommand().healthcheck], {
      env: { PATH: process.env.PATH, GUARDRAIL_PORT: String(port) },
    });
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');

    expect(health).toEqual({ status: 200, body: 'ok\n' });
    expect(healthcheck.status).toBe(0);
    expect(metrics.status).toBe(200);
    // Asked at once, before the store was read: the engine's metrics, not yet an outbox count no one has read.
    expect(metrics.body).toContain('# HELP guardrail_check_runs_total');
    expect(await exited).toBe(0);
  });
});

describe('the default config path', () => {
  it.each([
    { here: true, container: true, expected: './guardrail.yaml' },
    { here: true, container: false, expected: './guardrail.yaml' },
    { here: false, container: true, expected: '/etc/guardrail/guardrail.yaml' },
    { here: false, container: false, expected: './guardrail.yaml' },
  ])('./guardrail.yaml $here, the container file $container: $expected', ({ here, container, expected }) => {
    const exists = (path: string) =>
      path === 'guardrail.yaml' ? here : path === CONTAINER_CONFIG && container;

    expect(defaultConfigPath(exists)).toBe(expected);
  });
});

describe('Dockerfile', () => {
  it('runs the built CLI entry point under tini with `serve` by default, as uid 10001, config and state set', () => {
    const { entrypoint, cmd, text } = dockerfileCommand();

    expect(entrypoint).toEqual(['tini', '--', 'node', 'dist/src/cli/main.js']);
    expect(join(__dirname, '../..', entrypoint[3]!)).toBe(CLI);
    expect(cmd).toEqual(['serve']);
    expect(text).toMatch(/^USER 10001:10001$/m);
    expect(text).toMatch(/GUARDRAIL_CONFIG=\/etc\/guardrail\/guardrail.yaml/);
    expect(text).toMatch(/GUARDRAIL_STATE_DIR=\/var\/lib\/guardrail/);
    expect(text).toMatch(/^VOLUME \["\/var\/lib\/guardrail"\]$/m);
    expect(text).toMatch(/npm ci /);
    expect(text).toMatch(/npm prune --omit=dev/);
  });

  it('.dockerignore keeps local state, builds, dependencies, git and tests out of the build context', () => {
    const ignored = readFileSync(join(__dirname, '../../.dockerignore'), 'utf8').split('\n');

    expect(ignored).toEqual(
      expect.arrayContaining(['**/.guardrail', '**/*.db', 'node_modules', 'dist', '.git', 'test']),
    );
  });
});
