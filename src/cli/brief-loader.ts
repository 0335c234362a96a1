// Brief commands (validate without --online, checks, schema, iam-policy, help) run from one CommonJS file,
// dist/src/cli/brief-HASH.cjs, compiled through vm.Script with a V8 code cache that is written after the command
// ran. Node's compile cache is made right after compiling, so it holds only the code that runs at load; the
// functions a command calls later (the YAML reader, zod's parser, commander's) were compiled again on every
// start. A cache made after the run holds them too. The file's name carries a hash of its content, and V8 checks
// its own version and flags, so a stale cache is never used: it is rejected, then rewritten.
import {
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  statSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { basename, dirname, join } from 'node:path';
import { constants, Script } from 'node:vm';

/** The commands the brief bundle answers; everything else loads the ES-module bundle. */
const BUNDLED = new Set(['validate', 'checks', 'schema', 'iam-policy', 'help']);

export function inBriefBundle(args: readonly string[]): boolean {
  return BUNDLED.has(args[0] ?? '') && !args.includes('--online');
}

/**
 * The code cache's file, in `dir` (the compile cache's folder), or undefined when caching is off or the folder
 * could be written by another user: V8 runs the bytecode it is given, so it must come from this user alone.
 */
export function briefCachePath(
  dir: string,
  bundle: string,
  env: NodeJS.ProcessEnv = process.env,
): string | undefined {
  if (env.NODE_DISABLE_COMPILE_CACHE) return undefined;
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const folder = statSync(dir);
    const ours = process.getuid === undefined || folder.uid === process.getuid();
    if (!folder.isDirectory() || !ours || (folder.mode & 0o022) !== 0) return undefined;
  } catch {
    return undefined; // no cache on a read-only file system, as with Node's compile cache
  }
  return join(dir, `${basename(bundle)}.${process.version}.${process.arch}.v8`);
}

type ModuleFunction = (
  exports: object,
  require: NodeJS.Require,
  module: { exports: object },
  filename: string,
  dirname: string,
) => void;

/** Loads the brief bundle (with its code cache when there is one) and runs the CLI from it. */
export function runBrief(bundle: string, cachePath: string | undefined): void {
  const source = readFileSync(bundle, 'utf8');
  let cachedData: Buffer | undefined;
  if (cachePath) {
    try {
      cachedData = readFileSync(cachePath);
    } catch {
      // none yet: written at exit
    }
  }
  const wrapped = `(function (exports, require, module, __filename, __dirname) {${source}\n})`;
  const script = new Script(wrapped, {
    filename: bundle,
    cachedData,
    // Its import() of an ES-module chunk (the warning logger's) resolves from the bundle's folder, as a module's.
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
  if (cachePath && (!cachedData || script.cachedDataRejected)) {
    process.once('exit', () => saveCache(script, cachePath));
  }
  module.exports.runCli!();
}

/** Caches of other builds (or Node versions) unused this long are removed when a new one is written. */
export const STALE_CACHE_MS = 7 * 24 * 3600_000;

/**
 * Written whole under a temporary name, then renamed: a process starting meanwhile reads the old one or none. Each
 * upgrade brings a new bundle name, so caches of builds not written for a week are removed (a checkout in use
 * rewrites its own at most once a week).
 */
export function saveCache(
  script: Pick<Script, 'createCachedData'>,
  cachePath: string,
  now = Date.now(),
): void {
  const partial = `${cachePath}.${process.pid}.partial`;
  try {
    writeFileSync(partial, script.createCachedData(), { mode: 0o600 });
    renameSync(partial, cachePath);
    const dir = dirname(cachePath);
    for (const name of readdirSync(dir)) {
      const file = join(dir, name);
      if (
        file !== cachePath &&
        /^brief-\w+\.cjs\..+\.v8$/.test(name) &&
        statSync(file).mtimeMs < now - STALE_CACHE_MS
      )
        unlinkSync(file);
    }
  } catch {
    // a cache that cannot be written is skipped, never an error
  }
}
