import { spawnSync } from 'node:child_process';
import {
  chmodSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  statSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  briefCachePath,
  inBriefBundle,
  readCache,
  saveCache,
  STALE_CACHE_MS,
} from '../../src/cli/brief-loader';
import { PRODUCTION_SECRETS } from '../config/config-files';

// Brief commands run from one CommonJS bundle with a V8 code cache written after the command ran
// (src/cli/brief-loader.ts). The cache may only make them faster: never change what they print, never be
// run when damaged or when another user could have written it, never be an error.
const ROOT = join(__dirname, '../..');
const CLI = join(ROOT, 'dist/src/cli/main.js');
const VALIDATE = ['validate', '--config', 'examples/production/guardrail.yaml'];

function guardrail(args: string[], env: NodeJS.ProcessEnv) {
  const result = spawnSync(process.execPath, [CLI, ...args], {
    cwd: ROOT,
    env: { ...process.env, ...PRODUCTION_SECRETS, ...env },
    encoding: 'utf8',
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

const cacheFiles = (dir: string) => readdirSync(dir).filter((f) => /\.v8$|\.partial$/.test(f));
const cacheOf = (dir: string, command: string) => cacheFiles(dir).find((f) => f.includes(`.cjs.${command}.`));

describe('the brief bundle', () => {
  it('answers validate (offline), checks, schema, iam-policy and help; everything else loads the ES modules', () => {
    for (const args of [['validate'], ['checks'], ['schema'], ['iam-policy', '--cleanup'], ['help', 'run']])
      expect(inBriefBundle(args)).toBe(true);
    // --online opens drivers; silence opens the state store; the rest run checks or serve.
    for (const args of [['validate', '--online'], ['silence', 'list'], ['run'], ['serve'], ['alerts'], []])
      expect(inBriefBundle(args)).toBe(false);
  });

  it('writes a cache per command after a run that succeeded, and prints the same with it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'guardrail-brief-cache-'));
    // --help and a usage error run little of the command: their cache would hold little, so none is written.
    expect(guardrail(['validate', '--help'], { NODE_COMPILE_CACHE: dir }).status).toBe(0);
    expect(guardrail(['validate', '--config', 'no-such.yaml'], { NODE_COMPILE_CACHE: dir }).status).toBe(2);
    expect(cacheFiles(dir)).toEqual([]);

    const first = guardrail(VALIDATE, { NODE_COMPILE_CACHE: dir });
    expect(guardrail(['checks'], { NODE_COMPILE_CACHE: dir }).status).toBe(0);

    expect(first).toMatchObject({ status: 0, stderr: '' });
    const cache = cacheOf(dir, 'validate');
    expect(cache).toMatch(/^brief-\w+\.cjs\.validate\.v22\.\d+\.\d+\.\w+\.v8$/);
    expect(cacheOf(dir, 'checks')).toBeDefined();
    expect(statSync(join(dir, cache!)).mode & 0o077).toBe(0);
    expect(readCache(join(dir, cache!))?.length).toBeGreaterThan(100_000);
    expect(guardrail(VALIDATE, { NODE_COMPILE_CACHE: dir })).toEqual(first);
  });

  it('runs no damaged cache: not text, nor a body with changed bytes (V8 checks only the header); it writes a good one', () => {
    const dir = mkdtempSync(join(tmpdir(), 'guardrail-brief-damaged-'));
    const first = guardrail(VALIDATE, { NODE_COMPILE_CACHE: dir });
    const file = join(dir, cacheOf(dir, 'validate')!);
    const good = readFileSync(file);

    for (const at of [5_000, Math.floor(good.length / 2), good.length - 5_000]) {
      const damaged = Buffer.from(good);
      damaged.writeUInt32LE(0xdeadbeef, at);
      writeFileSync(file, damaged);
      expect(readCache(file)).toBeUndefined();
      expect(guardrail(VALIDATE, { NODE_COMPILE_CACHE: dir })).toEqual(first);
      expect(readCache(file)).toBeDefined();
    }
    writeFileSync(file, 'not a code cache');
    expect(guardrail(VALIDATE, { NODE_COMPILE_CACHE: dir })).toEqual(first);
    expect(readCache(file)).toBeDefined();
  });

  it('caches only in a folder of its own: another user’s is refused, its default one made private', () => {
    const own = mkdtempSync(join(tmpdir(), 'guardrail-brief-umask-'));
    chmodSync(own, 0o775); // as a umask of 002 leaves it
    const off = mkdtempSync(join(tmpdir(), 'guardrail-brief-off-'));

    // A folder the user named (NODE_COMPILE_CACHE) is theirs to set: group-writable, it is not used, not changed.
    expect(briefCachePath(own, '/x/brief-AB.cjs', 'checks', { NODE_COMPILE_CACHE: own })).toBeUndefined();
    expect(statSync(own).mode & 0o777).toBe(0o775);
    // Guardrail's default folder is its own to repair.
    expect(briefCachePath(own, '/x/brief-AB.cjs', 'checks', {})).toBe(
      join(own, `brief-AB.cjs.checks.${process.version}.${process.arch}.v8`),
    );
    expect(statSync(own).mode & 0o777).toBe(0o755);
    expect(
      briefCachePath(off, '/x/brief-AB.cjs', 'checks', { NODE_DISABLE_COMPILE_CACHE: '1' }),
    ).toBeUndefined();
    if (process.getuid?.() === 0) {
      // A folder of another user: only root can make one here.
      const theirs = mkdtempSync(join(tmpdir(), 'guardrail-brief-theirs-'));
      spawnSync('chown', ['65534', theirs]);
      expect(briefCachePath(theirs, '/x/brief-AB.cjs', 'checks', {})).toBeUndefined();
      expect(guardrail(VALIDATE, { NODE_COMPILE_CACHE: theirs }).status).toBe(0);
      expect(cacheFiles(theirs)).toEqual([]);
    }
    expect(guardrail(VALIDATE, { NODE_COMPILE_CACHE: off, NODE_DISABLE_COMPILE_CACHE: '1' }).status).toBe(0);
    expect(cacheFiles(off)).toEqual([]);
  });

  it("removes other builds' caches and partial files once unused for a week, never its own nor anything else", () => {
    const dir = mkdtempSync(join(tmpdir(), 'guardrail-brief-stale-'));
    const now = Date.now();
    const old = (now - STALE_CACHE_MS - 60_000) / 1000;
    const stale = ['brief-OLD.cjs.checks.v22.1.0.x64.v8', 'brief-OLD.cjs.checks.v22.1.0.x64.v8.7-ab.partial'];
    for (const name of [...stale, 'brief-NEW.cjs.checks.v22.1.0.x64.v8', 'notes.v8'])
      writeFileSync(join(dir, name), 'x');
    for (const name of [...stale, 'notes.v8']) utimesSync(join(dir, name), old, old);

    saveCache(
      { createCachedData: () => Buffer.from('cache') },
      join(dir, 'brief-MINE.cjs.checks.v22.1.0.x64.v8'),
      now,
    );

    expect(readdirSync(dir).sort()).toEqual([
      'brief-MINE.cjs.checks.v22.1.0.x64.v8',
      'brief-NEW.cjs.checks.v22.1.0.x64.v8',
      'notes.v8',
    ]);
    expect(readCache(join(dir, 'brief-MINE.cjs.checks.v22.1.0.x64.v8'))).toEqual(Buffer.from('cache'));
  });

  it('runs when its cache folder cannot be made (a read-only root without /tmp)', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'guardrail-brief-file-')), 'not-a-folder');
    writeFileSync(file, '');

    expect(guardrail(VALIDATE, { NODE_COMPILE_CACHE: join(file, 'cache') })).toMatchObject({
      status: 0,
      stderr: '',
    });
  });
});
