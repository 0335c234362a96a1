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
 * `serve` and `cleanup` keep V8's defaults: they parse pages of AWS replies and run for minutes or months; so do
 * `alerts`, which may list tens of thousands of stored alerts, and `validate --online`, whose "did you mean"
 * compares each missing table with the whole catalog (8x slower without the optimisers at 13,000 tables).
 */
export const BRIEF_COMMANDS = new Set(['validate', 'checks', 'iam-policy', 'schema', 'silence', 'help']);
export const BRIEF_V8_FLAGS = ['--no-opt', '--no-maglev', '--semi-space-growth-factor=1'];

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
  for (const flag of BRIEF_V8_FLAGS) setFlagsFromString(flag);
  runBrief(brief, briefCachePath(compileCacheDir(), brief, args[0]!), args);
} else if (require.main === module) {
  if (isBrief(process.argv.slice(2))) for (const flag of BRIEF_V8_FLAGS) setFlagsFromString(flag);
  // Node runs the code a cache holds: only from a folder no other user can write.
  const cache = compileCacheDir();
  if (!process.env.NODE_DISABLE_COMPILE_CACHE && privateFolder(cache, !process.env.NODE_COMPILE_CACHE))
    enableCompileCache(cache);
  // A variable, so that neither tsc nor esbuild resolves it: the bundle is built beside this file; a plain
  // `tsc` build (the bench's unbundled baseline) has main.js instead.
  const entry = existsSync(join(__dirname, 'guardrail.mjs')) ? './guardrail.mjs' : './main.js';
  void (import(entry) as Promise<{ runCli(): void }>).then((cli) => cli.runCli());
}
