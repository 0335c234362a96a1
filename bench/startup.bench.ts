import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { PRODUCTION_SECRETS } from '../test/config/config-files';

const RUNS = 5;
const ROOT = join(__dirname, '..');
const CLI = join(ROOT, 'dist/src/cli/main.js');
const PRODUCTION = join(ROOT, 'examples/production/guardrail.yaml');
const HEAVY = /node_modules\/(@aws-sdk|@google-cloud|@duckdb|mysql2|pg|better-sqlite3|axios|prom-client)\//;
const ENV = { ...process.env, ...PRODUCTION_SECRETS };

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] as number;
}

function time(args: string[]): number {
  const started = process.hrtime.bigint();
  const result = spawnSync(process.execPath, args, { env: ENV, encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`${args.join(' ')} failed: ${result.stderr}`);
  return Number(process.hrtime.bigint() - started) / 1e6;
}

/** `guardrail validate` on the production example (target ≤ 0.5 s) against a bare `node` start, same run. */
export async function main(): Promise<void> {
  const bare = median(Array.from({ length: RUNS }, () => time(['-e', ''])));
  const validate = median(
    Array.from({ length: RUNS }, () => time([CLI, 'validate', '--config', PRODUCTION])),
  );
  const probe = spawnSync(
    process.execPath,
    [
      '-e',
      `require(${JSON.stringify(CLI)}).main(['validate','--config',${JSON.stringify(PRODUCTION)}])` +
        `.then(() => process.stderr.write(JSON.stringify(Object.keys(require.cache))))`,
    ],
    { env: ENV, encoding: 'utf8' },
  );
  const modules = JSON.parse(probe.stderr.slice(probe.stderr.lastIndexOf('['))) as string[];
  const heavy = modules.filter((m) => HEAVY.test(m));
  console.log(
    `start-up (median of ${RUNS}): guardrail validate on the production example ${validate.toFixed(0)} ms`,
  );
  console.log(`  bare node start ${bare.toFixed(0)} ms; target ≤ 500 ms`);
  console.log(
    `  modules loaded: ${modules.length}; database drivers, cloud SDKs, HTTP client: ${heavy.length}`,
  );
}
