import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { loadConfig } from '../../src/config/load';
import { Agent } from '../../src/engine/agent';
import type { Metrics } from '../../src/engine/metrics';
import type { RunReport } from '../../src/engine/report';

const QUICKSTART = join(__dirname, '../../examples/quickstart');

/** A private copy of the quickstart (without its state) in a new temporary folder; its config file's path. */
export function quickstartIn(prefix: string): { dir: string; file: string } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  cpSync(QUICKSTART, dir, { recursive: true, filter: (src) => !src.includes('.guardrail') });
  return { dir, file: join(dir, 'guardrail.yaml') };
}

/** One run of the config as it is on disk now, by an agent of its own: the report and what the console printed. */
export async function runOnce(
  file: string,
  metrics?: Metrics,
): Promise<{ report: RunReport; printed: string }> {
  const printed: string[] = [];
  const log = pino({ level: 'silent' });
  const agent = new Agent(loadConfig(file, {}), {
    log,
    out: (t) => printed.push(t),
    ...(metrics ? { metrics } : {}),
  });
  try {
    return { report: await agent.runOnce(), printed: printed.join('\n') };
  } finally {
    await agent.close();
  }
}

/** Renames the quickstart's check in its config file (`shop-consistency` to `to`): its alerts' check no longer runs. */
export function renameCheck(file: string, to = 'shop-rows'): void {
  writeFileSync(file, readFileSync(file, 'utf8').replace('  - id: shop-consistency\n', `  - id: ${to}\n`));
}
