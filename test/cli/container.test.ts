import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import {
  chmodSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dockerfileCommand } from './dockerfile';
import { get, waitFor } from './serve-process';

// The built entry point run the way the image runs it (the Dockerfile's ENTRYPOINT, ENV, USER and VOLUME), without
// a container engine: as uid 10001, the config read-only at the image's path, only the state folder writable, the
// working directory an empty folder that the user cannot write (as on a read-only root file system).
const ROOT = join(__dirname, '../..');
const IMAGE_UID = 10001;
const isRoot = process.getuid?.() === 0;

/** The image's layout in a temp folder: etc/guardrail (read-only), var/lib/guardrail (writable), app (cwd). */
function imageLayout(append = '') {
  const base = mkdtempSync(join(tmpdir(), 'guardrail-image-'));
  const etc = join(base, 'etc/guardrail');
  cpSync(join(ROOT, 'examples/quickstart'), etc, {
    recursive: true,
    filter: (src) => !src.includes('.guardrail'),
  });
  if (append) writeFileSync(join(etc, 'guardrail.yaml'), append, { flag: 'a' });
  const state = join(base, 'var/lib/guardrail');
  const app = join(base, 'app');
  mkdirSync(state, { recursive: true });
  mkdirSync(app);
  readOnly(etc);
  chmodSync(base, 0o755);
  chmodSync(app, 0o555);
  // The state volume as the Dockerfile makes it.
  const { stateDir } = dockerfileCommand();
  chmodSync(state, stateDir.mode);
  if (isRoot) spawnSync('chown', [`${stateDir.uid}:${stateDir.gid}`, state]);
  return { base, config: join(etc, 'guardrail.yaml'), state, app };
}

function readOnly(dir: string) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) readOnly(path);
    else chmodSync(path, 0o444);
  }
  chmodSync(dir, 0o555);
}

/**
 * The ENTRYPOINT with the image's paths swapped for this machine's: as uid 10001 when root (keeping only the
 * capability to *read* any file, so the checkout and Node can be read wherever they live; writes obey permissions).
 */
function entrypoint(args: string[], user = { uid: IMAGE_UID, gid: IMAGE_UID }): [string, string[]] {
  const { entrypoint: command } = dockerfileCommand();
  const argv = command
    .filter((part) => part !== 'tini' && part !== '--')
    .map((part) => (part === 'node' ? process.execPath : part.startsWith('dist/') ? join(ROOT, part) : part));
  const tini = onPath('tini') && command[0] === 'tini' ? ['tini', '--'] : [];
  const asUser = isRoot
    ? [
        'setpriv',
        `--reuid=${user.uid}`,
        `--regid=${user.gid}`,
        '--clear-groups',
        '--inh-caps=+dac_read_search',
        '--ambient-caps=+dac_read_search',
      ]
    : [];
  const full = [...asUser, ...tini, ...argv, ...args];
  return [full[0]!, full.slice(1)];
}

function onPath(name: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${name}`]).status === 0;
}

function imageEnv(layout: { config: string; state: string }): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    HOME: layout.state,
    NODE_ENV: 'production',
    GUARDRAIL_CONFIG: layout.config,
    GUARDRAIL_STATE_DIR: layout.state,
    GUARDRAIL_LOG_LEVEL: 'info',
  };
}

describe('the image entry point, as the image runs it', () => {
  const layouts: string[] = [];
  const layout = (append?: string) => {
    const l = imageLayout(append);
    layouts.push(l.base);
    return l;
  };
  afterAll(() => {
    for (const base of layouts) {
      spawnSync('chmod', ['-R', 'u+w', base]);
      rmSync(base, { recursive: true, force: true });
    }
  });

  it('runs the quickstart with the config read-only, keeping its state in the state folder', () => {
    const l = layout();
    const [cmd, args] = entrypoint(['run', '--format', 'json']);

    const first = spawnSync(cmd, args, { cwd: l.app, env: imageEnv(l), encoding: 'utf8' });
    const second = spawnSync(cmd, args, { cwd: l.app, env: imageEnv(l), encoding: 'utf8' });

    expect([first.status, first.stderr]).toEqual([0, expect.not.stringContaining('"level":50')]);
    expect(JSON.parse(first.stdout).notifications.sent).toBe(1);
    expect(JSON.parse(second.stdout).notifications.sent).toBe(0);
    expect(existsSync(join(l.state, '.guardrail/state.db'))).toBe(true);
  });

  it('lists and silences the alerts of the store `run` keeps in the state folder, not one beside the config', () => {
    const l = layout();
    const cli = (args: string[]) => {
      const [cmd, argv] = entrypoint(args);
      return spawnSync(cmd, argv, { cwd: l.app, env: imageEnv(l), encoding: 'utf8' });
    };
    expect(cli(['run']).status).toBe(0);

    const alerts = cli(['alerts', '--format', 'json']);
    const silence = cli([
      'silence',
      'add',
      '--check',
      'shop-consistency',
      '--for',
      '1h',
      '--reason',
      'migration',
    ]);
    const listed = cli(['silence', 'list', '--format', 'json']);
    const next = cli(['run', '--format', 'json']);

    expect([alerts.status, alerts.stderr]).toEqual([0, expect.not.stringContaining('Cannot write')]);
    expect(JSON.parse(alerts.stdout)).toEqual([
      expect.objectContaining({ check: 'shop-consistency', status: 'firing' }),
    ]);
    expect([silence.status, silence.stdout]).toEqual([0, expect.stringMatching(/^silence \w+ added/)]);
    expect(JSON.parse(listed.stdout)).toEqual([expect.objectContaining({ reason: 'migration' })]);
    const report = JSON.parse(next.stdout) as { checks: { findings: { state: string }[] }[] };
    expect(report.checks.flatMap((c) => c.findings.map((f) => f.state))).toEqual(['silenced']);
  });

  (isRoot ? it : it.skip)(
    'keeps its state under an arbitrary uid in group 0, as OpenShift runs images (a container trial)',
    () => {
      const l = layout();
      const [cmd, args] = entrypoint(['run', '--format', 'json'], { uid: 1000650000, gid: 0 });

      const result = spawnSync(cmd, args, { cwd: l.app, env: imageEnv(l), encoding: 'utf8' });

      expect([result.status, result.stderr]).toEqual([0, expect.not.stringContaining('Cannot write')]);
      expect(existsSync(join(l.state, '.guardrail/state.db'))).toBe(true);
    },
  );

  it('names the path and the ways out when the state folder is not writable', () => {
    const l = layout();
    chmodSync(l.state, 0o555);
    if (isRoot) spawnSync('chown', ['0:0', l.state]);
    const [cmd, args] = entrypoint(['run']);

    const result = spawnSync(cmd, args, { cwd: l.app, env: imageEnv(l), encoding: 'utf8' });

    expect(result.status).toBe(5);
    expect(result.stderr).toContain(`Cannot write the state store ${join(l.state, '.guardrail/state.db')}`);
    expect(result.stderr).toMatch(
      /--state .*GUARDRAIL_STATE_URL.*GUARDRAIL_STATE_DIR.*\/var\/lib\/guardrail/,
    );
  });

  it('reads the code caches the build made, from a folder it cannot write (the read-only root), adding nothing', async () => {
    const { compileCache, warmUp } = dockerfileCommand();
    expect(compileCache).toBe('/app/compile-cache');
    expect(warmUp.map((args) => args[0])).toEqual([
      'validate',
      'checks',
      'schema',
      'iam-policy',
      'help',
      'run',
    ]);
    const l = layout('server: { port: 0 }\n');
    // The build's folder and its warm-up's temporary state, made as the Dockerfile makes them (owned by uid 10001).
    const cache = join(l.base, 'compile-cache');
    const warmState = join(l.base, 'warm-up');
    mkdirSync(cache, { mode: 0o700 });
    mkdirSync(warmState);
    if (isRoot) spawnSync('chown', [`${IMAGE_UID}:${IMAGE_UID}`, cache, warmState]);
    const env = { ...imageEnv(l), NODE_COMPILE_CACHE: cache };
    const cli = (args: string[], extra: NodeJS.ProcessEnv = {}) => {
      const [cmd, argv] = entrypoint(args);
      return spawnSync(cmd, argv, { cwd: l.app, env: { ...env, ...extra }, encoding: 'utf8' });
    };
    for (const args of warmUp) {
      const swapped = args.map((a) => a.replace('/tmp/guardrail-warm-up', warmState));
      expect([args[0], cli(swapped).status]).toEqual([args[0], 0]);
    }
    readOnly(cache);
    // Names and sizes: the owner may still set a file's times here (a used cache is touched), not on a read-only root.
    const listing = () =>
      readdirSync(cache, { recursive: true, encoding: 'utf8' })
        .sort()
        .map((f) => `${f} ${statSync(join(cache, f)).size}`);
    const before = listing();

    const validate = cli(['validate'], { NODE_DEBUG: 'guardrail' });
    const run = cli(['run', '--format', 'json'], { NODE_DEBUG_NATIVE: 'COMPILE_CACHE' });
    // (tini warns when it is not PID 1, as here; in the image it is.)
    const quiet = cli(['validate'], { TINI_SUBREAPER: '1' });

    expect([validate.status, validate.stderr]).toEqual([
      0,
      expect.stringMatching(/\.validate\.[^:]*: used\n/),
    ]);
    expect(run.status).toBe(0);
    expect(run.stderr).toMatch(/cache for file:\/\/\S*\/guardrail\.mjs was accepted/);
    expect(run.stderr).not.toMatch(/was rejected/);
    expect([quiet.status, quiet.stderr]).toEqual([0, '']);

    // The image's own command: serve compiles its modules with the flags run had, so the run's caches serve it too.
    const [cmd, args] = entrypoint(['serve']);
    const serve = spawn(cmd, args, {
      cwd: l.app,
      env: { ...env, NODE_DEBUG_NATIVE: 'COMPILE_CACHE' },
    }) as ChildProcessWithoutNullStreams;
    let served = '';
    serve.stderr.on('data', (chunk: Buffer) => (served += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => serve.once('exit', (code) => resolve(code)));
    await waitFor(
      () => (/"msg":"guardrail serving"/.test(served) ? true : undefined),
      20_000,
      'serve to listen',
    );
    serve.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(served).toMatch(/cache for file:\/\/\S*\/guardrail\.mjs was accepted/);
    expect(served).not.toMatch(/was rejected/);
    expect(listing()).toEqual(before);
  });

  it('serves /readyz and stops on SIGTERM with exit 0', async () => {
    const l = layout('server: { port: 0 }\n');
    const [cmd, args] = entrypoint(['serve']);
    const child = spawn(cmd, args, { cwd: l.app, env: imageEnv(l) }) as ChildProcessWithoutNullStreams;
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));

    const port = await waitFor(() => /"port":(\d+)/.exec(stderr)?.[1], 20_000, 'serve to listen');
    const ready = await waitFor(
      async () => ((await get(Number(port), '/readyz')).status === 200 ? true : undefined),
      30_000,
      '/readyz to answer 200',
    );
    child.kill('SIGTERM');

    expect(ready).toBe(true);
    expect(await exited).toBe(0);
    expect(stderr).toContain('"msg":"stopped"');
  });
});
