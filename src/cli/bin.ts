#!/usr/bin/env node
// The `guardrail` binary (built to dist/src/cli/main.js): answers `--version`; runs the brief commands from the
// brief bundle (brief-loader.ts); else turns on Node's compile cache, then loads the bundled CLI (guardrail.mjs and
// its chunks), so that the cache covers every module the bundle loads.
import { existsSync } from 'node:fs';
import { enableCompileCache } from 'node:module';
import { setFlagsFromString } from 'node:v8';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { briefCachePath, inBriefBundle, privateFolder, runBrief } from './brief-loader';
import { pruneCompileCache } from './compile-cache';
import { packageVersion } from './version';

/**
 * Where compiled code is cached between runs: `NODE_COMPILE_CACHE` when set, else under the temporary folder,
 * which stays writable on a read-only root (the image mounts /tmp). `NODE_DISABLE_COMPILE_CACHE=1` turns it off.
 * A cache that cannot be written is skipped by Node, never an error.
 */
export function compileCacheDir(env = process.env): string {
  return env.NODE_COMPILE_CACHE || join(tmpdir(), 'guardrail-compile-cache');
}

/**
 * Commands that read a config, answer and exit, running each line of code about once. For them V8's optimising
 * compilers (Maglev, Turbofan) never pay back their compile time, and paging their code in costs about 5 MB of
 * RSS; nor does the young generation need to grow past 1 MB, since little of what they allocate survives. `run`,
 * `serve` and `cleanup` get the optimisers back after half a second of CPU (below): they parse pages of AWS replies
 * and may run for minutes or months; so do `alerts`, which may list tens of thousands of stored alerts, and
 * `validate --online`, whose "did you mean" compares each missing table with the whole catalog (8x slower without
 * the optimisers at 13,000 tables).
 */
export const BRIEF_COMMANDS = new Set(['validate', 'checks', 'iam-policy', 'schema', 'silence', 'help']);
export const BRIEF_V8_FLAGS = ['--no-opt', '--no-maglev', '--semi-space-growth-factor=1'];

/**
 * Every other command starts without Turbofan and with a young generation that does not grow, and gets V8's
 * defaults back once the process has used RUN_CPU_BUDGET_MS of CPU. Most of what a scheduler starts is an
 * I/O-bound job within that budget (an idle sweep of 1,360 resources uses about 0.3 s of CPU), where Turbofan's
 * compiles never paid back, and paging in its code, with the young generation grown to 8 MB a semi-space, cost
 * 20 MB of peak RSS (bench/idle-process.bench.ts: 98 against 78 MB, at the same wall time). CPU, not wall time: a
 * sweep that waits on AWS for seconds stays lean, while a CPU-bound one is optimised again after its first half
 * second of CPU, which bounds what it loses: 16 times that sweep over loopback, all CPU, took 1.22 s against 0.95 s
 * with V8's defaults from the start (1.28x; 1.47x with a budget of 1 s). `serve` too, which is thus past its start-up
 * within a second or so: its modules are compiled with the same flags as `run`'s, so the code caches the image makes
 * with a `run` serve it as well (a cache made with other flags is refused).
 *
 * What it does not bound: the budget is read between tasks, so one long synchronous stretch runs lean to its end (the
 * one found, "did you mean" over a large catalog, now compares names only as far as it needs: describe.ts); and a
 * module first imported after the budget is compiled with the defaults, whose compile-cache entry the next lean
 * start refuses and writes again (one compile of that chunk each time a busy run and a short one alternate).
 *
 * Turbofan is kept from every function by its filter (`~` matches none) rather than turned off: `--no-turbofan`
 * changes other flags with it, and setting it again does not undo them, so V8's hash of the flags (which a code
 * cache must match) would not come back to the defaults'; these two flags, set back, give the same hash again.
 */
export const RUN_V8_FLAGS = ['--turbo-filter=~', '--semi-space-growth-factor=1'];
/** V8's defaults for RUN_V8_FLAGS (`node --v8-options`; test/cli/bin.test.ts holds them to it). */
export const DEFAULT_V8_FLAGS = ['--turbo-filter=*', '--semi-space-growth-factor=2'];
export const RUN_CPU_BUDGET_MS = 500;
/** How often the CPU used is read. */
const CPU_POLL_MS = 100;

/**
 * Built-ins that the brief commands, and the others, load on every start, read before their V8 flags change. Node
 * compiles its own modules from a code cache made with V8's default flags, and V8 refuses a cache made with other
 * flags than the ones set (the cache holds their hash): a built-in first loaded after the change is compiled from
 * its source (http, https, crypto, zlib and stream together took 10.6 ms instead of 3.5).
 */
export const BRIEF_BUILTINS = ['node:zlib', 'node:vm'];
export const RUN_BUILTINS = ['node:stream', 'node:fs/promises', 'node:crypto', 'node:net'];

/** Loads `builtins`, then sets `flags`. */
export function setFlagsAfter(
  builtins: readonly string[],
  flags: () => void,
  load: (id: string) => unknown = (id) => process.getBuiltinModule(id),
): void {
  for (const id of builtins) load(id);
  flags();
}

/** The V8 flags the binary sets for a command's arguments before it loads the CLI. */
export function v8FlagsFor(args: readonly string[]): readonly string[] {
  return isBrief(args) ? BRIEF_V8_FLAGS : RUN_V8_FLAGS;
}

/** What leanUntilBusy needs from the process (replaced in its test). */
export interface LeanProcess {
  setFlags(flag: string): void;
  /** User and system CPU the process has used, in ms. */
  cpuMs(): number;
  /** Calls `poll` every `ms` without keeping the process alive (a run that ends sooner does not wait); returns its stop. */
  every(poll: () => void, ms: number): () => void;
}

const NODE: LeanProcess = {
  setFlags: setFlagsFromString,
  cpuMs: () => {
    const { user, system } = process.cpuUsage();
    return (user + system) / 1000;
  },
  every: (poll, ms) => {
    const timer = setInterval(poll, ms).unref();
    return () => clearInterval(timer);
  },
};

/**
 * Where the bundle's lazily loaded built-ins (http, https, child_process, crypto: scripts/build.mjs) are loaded
 * from while the flags are lean: with V8's defaults set again for the moment of loading, so that Node's code cache
 * of those modules is used (an idle sweep's https, tls and net, about 7 ms compiled from source).
 */
export const LOAD_BUILTIN = Symbol.for('guardrail.loadBuiltin');
type BuiltinLoader = (id: string) => unknown;

/**
 * Sets RUN_V8_FLAGS, then DEFAULT_V8_FLAGS once the process has used RUN_CPU_BUDGET_MS of CPU; until then, built-ins
 * loaded through LOAD_BUILTIN are loaded with the defaults.
 */
export function leanUntilBusy(on: LeanProcess = NODE, global: Record<symbol, unknown> = globalThis): void {
  const set = (flags: readonly string[]) => flags.forEach((flag) => on.setFlags(flag));
  set(RUN_V8_FLAGS);
  const load: BuiltinLoader = (id) => {
    set(DEFAULT_V8_FLAGS);
    try {
      return process.getBuiltinModule(id);
    } finally {
      set(RUN_V8_FLAGS);
    }
  };
  global[LOAD_BUILTIN] = load;
  const stop = on.every(() => {
    if (on.cpuMs() < RUN_CPU_BUDGET_MS) return;
    stop();
    delete global[LOAD_BUILTIN];
    set(DEFAULT_V8_FLAGS);
  }, CPU_POLL_MS);
}

export function isBrief(args: readonly string[]): boolean {
  return BRIEF_COMMANDS.has(args[0] ?? '') && !args.includes('--online');
}

/** package.json's engines floor: the compile cache and the vm loader constant the binary uses came in 22.12. */
export const MIN_NODE = [22, 12] as const;

/** Why this Node cannot run Guardrail, or undefined when it can. */
export function unsupportedNode(version = process.versions.node): string | undefined {
  const [major = 0, minor = 0] = version.split('.').map(Number);
  if (major > MIN_NODE[0] || (major === MIN_NODE[0] && minor >= MIN_NODE[1])) return undefined;
  return `guardrail needs Node.js ${MIN_NODE.join('.')} or later (22 LTS); this is ${version}\n`;
}

/**
 * The brief bundle's file name (with its content hash), set by the build; undefined in a plain `tsc` build.
 * See brief-loader.ts.
 */
declare const __GUARDRAIL_BRIEF_BUNDLE__: string | undefined;
const BRIEF_BUNDLE = typeof __GUARDRAIL_BRIEF_BUNDLE__ === 'string' ? __GUARDRAIL_BRIEF_BUNDLE__ : undefined;

/** The brief bundle's path when it answers these arguments. */
function briefBundle(args: readonly string[]): string | undefined {
  return BRIEF_BUNDLE && isBrief(args) && inBriefBundle(args) ? join(__dirname, BRIEF_BUNDLE) : undefined;
}
const tooOld = require.main === module ? unsupportedNode() : undefined;
const brief = require.main === module && !tooOld ? briefBundle(process.argv.slice(2)) : undefined;

/** `guardrail --version` alone is answered here, before the CLI (commander, the config schema) loads. */
const VERSION_ONLY = new Set(['--version', '-V']);

if (tooOld) {
  process.stderr.write(tooOld);
  process.exitCode = 2;
} else if (require.main === module && process.argv.length === 3 && VERSION_ONLY.has(process.argv[2] ?? '')) {
  process.stdout.write(`${packageVersion()}\n`);
} else if (brief) {
  const args = process.argv.slice(2);
  setFlagsAfter(BRIEF_BUILTINS, () => BRIEF_V8_FLAGS.forEach((flag) => setFlagsFromString(flag)));
  runBrief(brief, briefCachePath(compileCacheDir(), brief, args[0]!), args);
} else if (require.main === module) {
  // A variable, so that neither tsc nor esbuild resolves it: the bundle is built beside this file; a plain
  // `tsc` build (the bench's unbundled baseline) has main.js instead.
  const entry = existsSync(join(__dirname, 'guardrail.mjs')) ? './guardrail.mjs' : './main.js';
  // import() loads Node's ES-module loader at once, and the CLI's modules later: the flags are set in between, and
  // the compile cache turned on after them, so that its folder (named by V8's hash of the flags) is the one the
  // modules are compiled for.
  const cli = import(entry) as Promise<{ runCli(): void }>;
  const flags = v8FlagsFor(process.argv.slice(2));
  if (flags === RUN_V8_FLAGS) setFlagsAfter(RUN_BUILTINS, () => leanUntilBusy());
  else for (const flag of flags) setFlagsFromString(flag);
  // Node runs the code a cache holds: only from a folder no other user can write.
  const cache = compileCacheDir();
  if (!process.env.NODE_DISABLE_COMPILE_CACHE && privateFolder(cache, !process.env.NODE_COMPILE_CACHE))
    if (enableCompileCache(cache).directory) pruneCompileCache(cache);
  void cli.then((loaded) => loaded.runCli());
}
