import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readdirSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { briefCachePath, inBriefBundle, saveCache, STALE_CACHE_MS } from '../../src/cli/brief-loader';
import { PRODUCTION_SECRETS } from '../config/config-files';

// Brief commands run from one CommonJS bundle with a V8 code cache written after the command ran
// (src/cli/brief-loader.ts). The cache may only make them faster: never change what they print, never be
// trusted when another user could have written it, never be an error.
const ROOT = join(__dirname, '../..');
const CLI = join(ROOT, 'dist/src/cli/main.js');
const VALIDATE = ['validate', '--config', 'examples/production/guardrail.yaml'];

function validate(env: NodeJS.ProcessEnv) {
  const result = spawnSync(process.execPath, [CLI, ...VALIDATE], {
    cwd: ROOT,
    env: { ...process.env, ...PRODUCTION_SECRETS, ...env },
    encoding: 'utf8',
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

const cacheFiles = (dir: string) => readdirSync(dir).filter((f) => f.endsWith('.v8'));

describe('the brief bundle', () => {
  it('answers validate (offline), checks, schema, iam-policy and help; everything else loads the ES modules', () => {
    for (const args of [['validate'], ['checks'], ['schema'], ['iam-policy', '--cleanup'], ['help', 'run']])
      expect(inBriefBundle(args)).toBe(true);
    // --online opens drivers; silence opens the state store; the rest run checks or serve.
    for (const args of [['validate', '--online'], ['silence', 'list'], ['run'], ['serve'], ['alerts'], []])
      expect(inBriefBundle(args)).toBe(false);
  });

  it('writes its code cache after the first run and prints the same with it, and after it is corrupted', () => {
    const dir = mkdtempSync(join(tmpdir(), 'guardrail-brief-cache-'));
    const first = validate({ NODE_COMPILE_CACHE: dir });
    const [cache] = cacheFiles(dir);

    expect(first).toMatchObject({ status: 0, stderr: '' });
    expect(cache).toMatch(/^brief-\w+\.cjs\.v22\.\d+\.\d+\.\w+\.v8$/);
    expect(statSync(join(dir, cache!)).mode & 0o077).toBe(0);

    expect(validate({ NODE_COMPILE_CACHE: dir })).toEqual(first);

    // V8 rejects a cache that is not its own; the run goes on without it and writes a good one.
    writeFileSync(join(dir, cache!), 'not a code cache');
    expect(validate({ NODE_COMPILE_CACHE: dir })).toEqual(first);
    expect(statSync(join(dir, cache!)).size).toBeGreaterThan(100_000);
  });

  it('uses no cache in a folder that others may write, nor with NODE_DISABLE_COMPILE_CACHE', () => {
    const shared = mkdtempSync(join(tmpdir(), 'guardrail-brief-shared-'));
    chmodSync(shared, 0o777);
    const off = mkdtempSync(join(tmpdir(), 'guardrail-brief-off-'));

    expect(briefCachePath(shared, '/x/brief-AB.cjs', {})).toBeUndefined();
    expect(briefCachePath(off, '/x/brief-AB.cjs', { NODE_DISABLE_COMPILE_CACHE: '1' })).toBeUndefined();
    expect(briefCachePath(off, '/x/brief-AB.cjs', {})).toBe(
      join(off, `brief-AB.cjs.${process.version}.${process.arch}.v8`),
    );
    expect(validate({ NODE_COMPILE_CACHE: shared }).status).toBe(0);
    expect(validate({ NODE_COMPILE_CACHE: off, NODE_DISABLE_COMPILE_CACHE: '1' }).status).toBe(0);
    expect(cacheFiles(shared)).toEqual([]);
    expect(cacheFiles(off)).toEqual([]);
  });

  it("removes other builds' caches once unused for a week, never its own nor anything else", () => {
    const dir = mkdtempSync(join(tmpdir(), 'guardrail-brief-stale-'));
    const now = Date.now();
    const old = (now - STALE_CACHE_MS - 60_000) / 1000;
    for (const name of ['brief-OLD.cjs.v22.1.0.x64.v8', 'brief-NEW.cjs.v22.1.0.x64.v8', 'notes.v8'])
      writeFileSync(join(dir, name), 'x');
    utimesSync(join(dir, 'brief-OLD.cjs.v22.1.0.x64.v8'), old, old);
    utimesSync(join(dir, 'notes.v8'), old, old);
    writeFileSync(join(dir, 'brief-RECENT.cjs.v22.1.0.x64.v8'), 'x');

    saveCache(
      { createCachedData: () => Buffer.from('cache') },
      join(dir, 'brief-MINE.cjs.v22.1.0.x64.v8'),
      now,
    );

    expect(readdirSync(dir).sort()).toEqual([
      'brief-MINE.cjs.v22.1.0.x64.v8',
      'brief-NEW.cjs.v22.1.0.x64.v8',
      'brief-RECENT.cjs.v22.1.0.x64.v8',
      'notes.v8',
    ]);
  });

  it('runs when its cache folder cannot be made (a read-only root without /tmp)', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'guardrail-brief-file-')), 'not-a-folder');
    writeFileSync(file, '');

    expect(validate({ NODE_COMPILE_CACHE: join(file, 'cache') })).toMatchObject({ status: 0, stderr: '' });
  });
});
