import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PRODUCTION_SECRETS } from '../test/config/config-files';
import { ConfigSources } from '../src/config/sources';
import { FLOOR_DATA_ENV } from './floor/schemas';
import {
  BUNDLE,
  buildUnbundled,
  describe,
  load,
  measure,
  median,
  ratio,
  ROOT,
  RUNS,
  UNBUNDLED,
  type Command,
  type Figures,
} from './process-kit';

const PRODUCTION = join(ROOT, 'examples/production/guardrail.yaml');
const QUICKSTART = join(ROOT, 'examples/quickstart');
const ENV = { ...process.env, ...PRODUCTION_SECRETS };
/** Today's build before the bundle had no compile cache. */
const NO_CACHE = { ...ENV, NODE_DISABLE_COMPILE_CACHE: '1' };

function quickstart(cli: string[], env: NodeJS.ProcessEnv): Command {
  const state = join(mkdtempSync(join(tmpdir(), 'guardrail-bench-state-')), 'state.db');
  const args = [...cli, 'run', '--config', 'guardrail.yaml', '--state', `sqlite://${state}`];
  return { label: 'quickstart', args, env, cwd: QUICKSTART };
}

/**
 * The two floors under `validate` (bench/floor/), built as its brief bundle is, and the production example's data
 * for the second: the merged config as the YAML reader leaves it, written as JSON.
 */
function buildFloors(): { empty: string; schemas: string; env: NodeJS.ProcessEnv } {
  const built = spawnSync(process.execPath, ['scripts/build.mjs', '--floor'], {
    cwd: ROOT,
    encoding: 'utf8',
  });
  if (built.status !== 0) throw new Error(`npm run build -- --floor failed: ${built.stderr}`);
  const sources = new ConfigSources(ENV);
  sources.load(PRODUCTION);
  const data = join(mkdtempSync(join(tmpdir(), 'guardrail-bench-floor-')), 'production.json');
  writeFileSync(data, JSON.stringify(sources.data));
  const main = (floor: string) => join(ROOT, 'dist/bench-floor', floor, 'main.js');
  return { empty: main('empty'), schemas: main('schemas'), env: { ...ENV, [FLOOR_DATA_ENV]: data } };
}

/**
 * Whole-process start-up, each command in turn with a bare `node -e 0` (min / median wall of RUNS runs, peak RSS
 * from the OS): the bundle against the same sources unbundled, with and without the compile cache.
 */
export async function main(): Promise<void> {
  buildUnbundled();
  const floors = buildFloors();
  const bare: Command = { label: 'bare node', args: ['-e', '0'], env: ENV };
  const validate = ['validate', '--config', PRODUCTION];
  const rows: Array<{ label: string; goal: string; command: Command }> = [
    { label: 'bare `node -e 0`', goal: '', command: bare },
    { label: '--version, bundle', goal: '≤ 1.3× bare', command: { label: 'v', args: [BUNDLE, '--version'] } },
    {
      label: '--version, unbundled',
      goal: '',
      command: { label: 'v0', args: [...UNBUNDLED, '--version'], env: NO_CACHE },
    },
    {
      label: 'validate, bundle',
      goal: '≤ 2× bare, ≤ 60 MB',
      command: { label: 'val', args: [BUNDLE, ...validate] },
    },
    {
      label: 'floor: the binary starting an empty brief bundle',
      goal: '',
      command: { label: 'floor0', args: [floors.empty, 'validate'], env: floors.env },
    },
    {
      label: 'floor: + zod parsing the example (JSON) with its schemas',
      goal: '',
      command: { label: 'floor1', args: [floors.schemas, 'validate'], env: floors.env },
    },
    {
      label: 'validate, bundle, no compile cache',
      goal: '',
      command: { label: 'valnc', args: [BUNDLE, ...validate], env: NO_CACHE },
    },
    {
      label: 'validate, unbundled',
      goal: '',
      command: { label: 'val0', args: [...UNBUNDLED, ...validate], env: NO_CACHE },
    },
    { label: 'quickstart run, bundle', goal: '≤ bare + 0.5 s', command: quickstart([BUNDLE], ENV) },
    { label: 'quickstart run, unbundled', goal: '', command: quickstart(UNBUNDLED, NO_CACHE) },
  ];
  const figures = measure(rows.map((r) => ({ ...r.command, env: r.command.env ?? ENV })));
  const base = figures[0]!;
  console.log(`start-up, whole process, ${RUNS} runs each in turn (load average ${load()} at the end):`);
  console.log('  command: min / median wall, median peak RSS; median ratio to bare node; goal');
  rows.forEach((r, i) => {
    const f = figures[i]!;
    const over = median(f.wallMs) - median(base.wallMs);
    const vsBare = i === 0 ? '' : `; ${ratio(f, base).toFixed(2)}× bare, +${(over / 1000).toFixed(3)} s`;
    console.log(`  ${r.label}: ${describe(f)}${vsBare}${r.goal ? `; goal ${r.goal}` : ''}`);
  });
  // Medians of the run-by-run differences: what each layer adds under `validate`, against what 2× bare allows.
  const at = (label: string) => figures[rows.findIndex((r) => r.command.label === label)]!;
  const over = (a: Figures, b: Figures) => median(a.wallMs.map((ms, i) => ms - b.wallMs[i]!));
  const [empty, schemas, val] = [at('floor0'), at('floor1'), at('val')];
  const ms = (n: number) => `${n.toFixed(1)} ms`;
  console.log(
    `  validate above bare node: ${ms(over(val, base))} (2× bare allows ${ms(median(base.wallMs))}): the binary ` +
      `and brief loader ${ms(over(empty, base))}, zod with the example's schemas ${ms(over(schemas, empty))}, ` +
      `the YAML reader, tables files, CLI and summary ${ms(over(val, schemas))}`,
  );
}

if (require.main === module)
  main().catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
