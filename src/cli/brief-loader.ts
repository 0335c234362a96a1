// Brief commands (validate without --online, checks, schema, iam-policy, help) run from one CommonJS file,
// dist/src/cli/brief-HASH.cjs, compiled through vm.Script with a V8 code cache that is written after the command
// ran. Node's compile cache is made right after compiling, so it holds only the code that runs at load; the
// functions a command calls later (the YAML reader, zod's parser, commander's) were compiled again on every
// start. A cache made after the run holds them too.
//
// V8 runs the bytecode it is given and checks only a cache's header, so a cache is used only when it is intact
// (a CRC-32 of its body, written with it), made by this build (the bundle's content hash is in its name) for this
// Node and command, and kept in a folder only this user can write (see privateFolder).
import {
  chmodSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  statSync,
  unlinkSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { basename, dirname, join } from 'node:path';
import { debuglog } from 'node:util';
import type { Script } from 'node:vm';

/**
 * node:vm and node:zlib (for its crc32) on first use: the binary imports this file for every command, and `run` or
 * `serve` loading them for nothing cost about 1.5 MB of RSS (Node's own sources of zlib).
 */
const vm = () => process.getBuiltinModule('node:vm');
const crc32 = (data: Uint8Array) => process.getBuiltinModule('node:zlib').crc32(data);

/** The commands the brief bundle answers; everything else loads the ES-module bundle. */
const BUNDLED = new Set(['validate', 'checks', 'schema', 'iam-policy', 'help']);

export function inBriefBundle(args: readonly string[]): boolean {
  return BUNDLED.has(args[0] ?? '') && !args.includes('--online');
}

/**
 * Makes `dir` (the compile cache's folder) if needed, for this user only, and says whether caches may be read from
 * it: not when another user owns it or others may write it, nor when it cannot be made (a read-only root without
 * /tmp). With `repair` (Guardrail's default folder, not one the user named), a folder of ours left group-writable
 * by an earlier version or a umask of 002 is made private again.
 */
export function privateFolder(dir: string, repair = false): boolean {
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const folder = statSync(dir);
    if (!folder.isDirectory() || (process.getuid !== undefined && folder.uid !== process.getuid()))
      return false;
    if ((folder.mode & 0o022) === 0) return true;
    if (!repair) return false;
    chmodSync(dir, folder.mode & ~0o022 & 0o7777);
    return true;
  } catch {
    return false;
  }
}

/** The code cache of `command` from `bundle`, in `dir`; undefined when caching is off or the folder is not private. */
export function briefCachePath(
  dir: string,
  bundle: string,
  command: string,
  env: NodeJS.ProcessEnv = process.env,
): string | undefined {
  if (env.NODE_DISABLE_COMPILE_CACHE || !privateFolder(dir, !env.NODE_COMPILE_CACHE)) return undefined;
  return join(dir, `${basename(bundle)}.${command}.${process.version}.${process.arch}.v8`);
}

const MAGIC = Buffer.from('GRC1');
const HEADER = MAGIC.length + 4;

/** The V8 cache data in `file` when it is whole (magic, then the CRC-32 of the rest, then the rest). */
export function readCache(file: string): Buffer | undefined {
  let data: Buffer;
  try {
    data = readFileSync(file);
  } catch {
    return undefined; // none yet
  }
  if (data.length <= HEADER || !data.subarray(0, MAGIC.length).equals(MAGIC)) return undefined;
  const body = data.subarray(HEADER);
  return data.readUInt32LE(MAGIC.length) === crc32(body) ? body : undefined;
}

type ModuleFunction = (
  exports: object,
  require: NodeJS.Require,
  module: { exports: object },
  filename: string,
  dirname: string,
) => void;

/**
 * Loads the brief bundle (with its code cache when there is a good one) and runs the CLI from it. A missing,
 * damaged or rejected cache is written anew at exit, after a run that succeeded (a usage error or `--help` runs
 * little of the command: its cache would hold little).
 */
export function runBrief(bundle: string, cachePath: string | undefined, args: readonly string[]): void {
  // Latin-1: half the time of UTF-8 decoding for its 700 KB (0.6 ms), and the same text, since the build writes
  // the bundle in ASCII (esbuild escapes the rest; scripts/build.mjs refuses a bundle that is not).
  const source = readFileSync(bundle, 'latin1');
  const cachedData = cachePath ? readCache(cachePath) : undefined;
  const wrapped = `(function (exports, require, module, __filename, __dirname) {${source}\n})`;
  const { Script, constants } = vm();
  const script = new Script(wrapped, {
    filename: bundle,
    cachedData,
    // Should a brief command ever import() an ES-module chunk, it resolves from the bundle's folder, as a module's.
    importModuleDynamically: constants.USE_MAIN_CONTEXT_DEFAULT_LOADER,
  });
  const module = { exports: {} as { runCli?: () => void } };
  (script.runInThisContext() as ModuleFunction)(
    module.exports,
    createRequire(bundle),
    module,
    bundle,
    dirname(bundle),
  );
  const used = cachePath !== undefined && cachedData !== undefined && !script.cachedDataRejected;
  trace(
    '%s: %s',
    cachePath ?? 'cache off',
    used ? 'used' : cachedData ? 'rejected by V8' : 'none, or not whole',
  );
  if (used) touch(cachePath);
  else if (cachePath && !args.includes('--help') && !args.includes('-h'))
    process.once('exit', (code) => {
      if (code === 0) saveCache(script, cachePath);
    });
  module.exports.runCli!();
}

/** `NODE_DEBUG=guardrail` prints what became of the brief cache (as NODE_DEBUG_NATIVE=COMPILE_CACHE does Node's). */
const trace = debuglog('guardrail');

/** Marks a cache as in use, so that clean-up keeps it. */
function touch(file: string): void {
  try {
    const now = new Date();
    utimesSync(file, now, now);
  } catch {
    // the cache still works
  }
}

/** Caches of other builds (or Node versions) unused this long are removed when a new one is written. */
export const STALE_CACHE_MS = 7 * 24 * 3600_000;
const OURS = /^brief-\w+\.cjs\..+\.v8(\..+\.partial)?$/;

/**
 * Written whole under a name of its own, then renamed: a process starting meanwhile reads the old cache or none,
 * and two writers (even with the same pid, in two containers sharing the folder) never mix their bytes. Each
 * upgrade brings a new bundle name, so caches unused for a week (and partial files a failed write left) go.
 */
export function saveCache(
  script: Pick<Script, 'createCachedData'>,
  cachePath: string,
  now = Date.now(),
): void {
  const partial = `${cachePath}.${process.pid}-${Math.random().toString(36).slice(2)}.partial`;
  try {
    const body = script.createCachedData();
    const header = Buffer.alloc(HEADER);
    MAGIC.copy(header);
    header.writeUInt32LE(crc32(body), MAGIC.length);
    writeFileSync(partial, Buffer.concat([header, body]), { mode: 0o600 });
    renameSync(partial, cachePath);
    trace('%s: written', cachePath);
  } catch (error) {
    trace('%s: not written (%s)', cachePath, (error as { code?: string }).code ?? error);
    try {
      unlinkSync(partial);
    } catch {
      // nothing was written
    }
    return; // a cache that cannot be written is skipped, never an error
  }
  const dir = dirname(cachePath);
  try {
    for (const name of readdirSync(dir)) {
      const file = join(dir, name);
      if (file !== cachePath && OURS.test(name) && statSync(file).mtimeMs < now - STALE_CACHE_MS)
        unlinkSync(file);
    }
  } catch {
    // clean-up is best effort
  }
}
