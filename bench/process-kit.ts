import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const ROOT = join(__dirname, '..');
/** The bundle `npm run build` writes, as the image runs it. */
export const BUNDLE = join(ROOT, 'dist/src/cli/main.js');
/**
 * The same sources compiled file by file with tsc and started as before the bundle (main.js, no `--version`
 * shortcut; callers also turn the compile cache off): the build the bundle replaces. `-e` takes no script path,
 * so a placeholder stands in argv[1].
 */
export const UNBUNDLED = [
  '-e',
  `require(${JSON.stringify(join(ROOT, 'dist/unbundled/src/cli/main.js'))}).runCli()`,
  '--',
  'guardrail',
];
export const RUNS = Number(process.env.BENCH_RUNS ?? 7);

/** Compiles the unbundled baseline (incremental: quick when nothing changed). */
export function buildUnbundled(): void {
  const tsc = join(ROOT, 'node_modules/typescript/bin/tsc');
  const args = ['-p', 'tsconfig.build.json', '--outDir', 'dist/unbundled'];
  const info = ['--tsBuildInfoFile', 'dist/unbundled/tsconfig.tsbuildinfo'];
  const result = spawnSync(process.execPath, [tsc, ...args, ...info], { cwd: ROOT, encoding: 'utf8' });
  if (result.status !== 0 || !existsSync(join(ROOT, 'dist/unbundled/src/cli/main.js')))
    throw new Error(`tsc failed: ${result.stdout}`);
}

/**
 * The build issue 13 measured ("today's build" there): the commit main was at when the issue was filed, before
 * the bundle, built as it was then (`tsc -b`, one file per module, no compile cache), with this checkout's
 * node_modules (the dependencies differ only by the S3 client, added since). Its sources lack every later change,
 * bundle-only or not, so it answers "how much faster than before", where UNBUNDLED answers "how much of that is
 * the bundle". Extracted once into dist/issue-13-base; undefined when this clone's history does not reach it (a
 * shallow clone).
 */
export const ISSUE_BASE_COMMIT = 'e56b976';
export function buildIssueBase(): string[] | undefined {
  const dir = join(ROOT, 'dist/issue-13-base');
  const main = join(dir, 'dist/src/cli/main.js');
  if (!existsSync(main)) {
    const git = (...args: string[]) =>
      spawnSync('git', args, { cwd: ROOT, encoding: 'utf8', maxBuffer: 2 ** 28 });
    if (git('cat-file', '-e', `${ISSUE_BASE_COMMIT}^{commit}`).status !== 0) return undefined;
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    const archive = spawnSync('sh', ['-c', `git archive ${ISSUE_BASE_COMMIT} | tar -x -C "${dir}"`], {
      cwd: ROOT,
      encoding: 'utf8',
    });
    if (archive.status !== 0) throw new Error(`git archive ${ISSUE_BASE_COMMIT} failed: ${archive.stderr}`);
    symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'));
    const tsc = join(ROOT, 'node_modules/typescript/bin/tsc');
    const built = spawnSync(process.execPath, [tsc, '-b', 'tsconfig.build.json'], {
      cwd: dir,
      encoding: 'utf8',
    });
    if (built.status !== 0 || !existsSync(main))
      throw new Error(`building ${ISSUE_BASE_COMMIT} failed: ${built.stdout}`);
  }
  return [main];
}

export interface Command {
  label: string;
  args: string[];
  env?: NodeJS.ProcessEnv;
  cwd?: string;
}

export interface Figures {
  wallMs: number[];
  /** Peak RSS of the process, from the OS (`/usr/bin/time -f %M`), in MB. */
  rssMb: number[];
}

const TIME = '/usr/bin/time';

/** One whole-process run of `node ...args`: wall time and the OS's peak RSS. */
function once(command: Command): { wallMs: number; rssMb: number } {
  const dir = mkdtempSync(join(tmpdir(), 'guardrail-bench-'));
  const out = join(dir, 'rss');
  const started = process.hrtime.bigint();
  const result = spawnSync(TIME, ['-f', '%M', '-o', out, process.execPath, ...command.args], {
    env: command.env ?? process.env,
    cwd: command.cwd ?? ROOT,
    encoding: 'utf8',
    maxBuffer: 256 * 2 ** 20,
  });
  const wallMs = Number(process.hrtime.bigint() - started) / 1e6;
  if (result.status !== 0) throw new Error(`${command.label} failed (${result.status}): ${result.stderr}`);
  const rssMb = Number(readFileSync(out, 'utf8').trim().split('\n').pop()) / 1024;
  rmSync(dir, { recursive: true, force: true });
  return { wallMs, rssMb };
}

/** Runs the commands in turn (A B C A B C ...) after one warm-up each, so that load drifts alike over all. */
export function measure(commands: Command[], runs = RUNS): Figures[] {
  for (const c of commands) once(c);
  const figures = commands.map((): Figures => ({ wallMs: [], rssMb: [] }));
  for (let i = 0; i < runs; i++)
    commands.forEach((c, j) => {
      const { wallMs, rssMb } = once(c);
      figures[j]!.wallMs.push(wallMs);
      figures[j]!.rssMb.push(rssMb);
    });
  return figures;
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] as number;
}

/** `min / median` wall in seconds and the median peak RSS. */
export function describe(f: Figures): string {
  const s = (ms: number): string => (ms / 1000).toFixed(3);
  return `${s(Math.min(...f.wallMs))} / ${s(median(f.wallMs))} s, ${median(f.rssMb).toFixed(0)} MB`;
}

/** The median of the run-by-run ratios a/b (runs were taken in turn, so each pair saw the same load). */
export function ratio(a: Figures, b: Figures): number {
  return median(a.wallMs.map((ms, i) => ms / b.wallMs[i]!));
}

/** The load average, to print beside the figures. */
export function load(): string {
  return readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
}
