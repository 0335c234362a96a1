import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PRODUCTION_SECRETS } from '../test/config/config-files';
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
 * Whole-process start-up, each command in turn with a bare `node -e 0` (min / median wall of RUNS runs, peak RSS
 * from the OS): the bundle against the same sources unbundled, with and without the compile cache.
 */
export async function main(): Promise<void> {
  buildUnbundled();
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
}

if (require.main === module)
  main().catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
