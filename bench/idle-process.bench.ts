import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CALLER_ACCOUNT, FAKE_AWS_ENV } from '../test/kit/aws';
import { startFakeAwsProcess } from '../test/servers/aws/process';
import { emptyRegion, type FakeRegion } from '../test/servers/aws/world';
import {
  BUNDLE,
  buildIssueBase,
  buildUnbundled,
  describe,
  ISSUE_BASE_COMMIT,
  load,
  measure,
  ratio,
  RUNS,
  UNBUNDLED,
  type Command,
} from './process-kit';

const REGIONS = 4;
const VOLUMES = 1200;
const ADDRESSES = 160;

/** Total volumes and addresses spread evenly over the regions, all idle. */
export function estate(regions: number, volumes: number, addresses: number): Record<string, FakeRegion> {
  return Object.fromEntries(
    Array.from({ length: regions }, (_, r): [string, FakeRegion] => [
      `xx-bench-${r + 1}`,
      {
        ...emptyRegion(),
        volumes: Array.from({ length: volumes / regions }, (_, i) => ({
          id: `vol-${r}-${i}`,
          sizeGiB: 10,
          type: 'gp3',
          state: 'available' as const,
        })),
        addresses: Array.from({ length: addresses / regions }, (_, i) => ({
          allocationId: `eipalloc-${r}-${i}`,
          publicIp: `10.${r}.${i >> 8}.${i & 255}`,
        })),
      },
    ]),
  );
}

/**
 * A config running both idle checks over the fake AWS's regions, alerts to the console, state in a SQLite file
 * beside it as deployed (an in-memory database would count every alert state in the process's RSS).
 */
export function idleConfig(url: string, regions: string[]): string {
  const dir = mkdtempSync(join(tmpdir(), 'guardrail-idle-'));
  const file = join(dir, 'guardrail.yaml');
  writeFileSync(
    file,
    [
      `state: { url: 'sqlite://${join(dir, 'state.db')}' }`,
      `aws: { region: ${regions[0]}, regions: [${regions.join(', ')}], endpoint: '${url}' }`,
      'checks:',
      '  - { id: idle-ebs, kind: idle-ebs-volumes }',
      '  - { id: idle-eip, kind: idle-elastic-ips }',
      'alerts:',
      '  channels: { console: { type: console } }',
      '  routes: [{ channel: console }]',
      '',
    ].join('\n'),
  );
  return file;
}

export const AWS_ENV = { ...process.env, ...FAKE_AWS_ENV };

/**
 * `guardrail run` of both idle checks as a whole process, in turn: the bundle, the same sources unbundled, and the
 * build issue 13 measured (when this clone's history reaches it). The goal is set against the last.
 */
export async function main(): Promise<void> {
  buildUnbundled();
  const issueBase = buildIssueBase();
  const world = estate(REGIONS, VOLUMES, ADDRESSES);
  const server = await startFakeAwsProcess({
    callerAccountId: CALLER_ACCOUNT,
    accounts: [{ id: CALLER_ACCOUNT, regions: world }],
  });
  try {
    const config = idleConfig(server.url, Object.keys(world));
    const run = ['run', '--config', config];
    const noCache = { ...AWS_ENV, NODE_DISABLE_COMPILE_CACHE: '1' };
    const commands: Command[] = [
      { label: 'bundle', args: [BUNDLE, ...run], env: AWS_ENV },
      { label: 'unbundled', args: [...UNBUNDLED, ...run], env: noCache },
      ...(issueBase ? [{ label: 'issue build', args: [...issueBase, ...run], env: noCache }] : []),
    ];
    const [bundle, unbundled, before] = measure(commands);
    console.log(
      `idle sweep as a whole process: ${REGIONS} regions, ${VOLUMES} unattached volumes, ${ADDRESSES} idle ` +
        `addresses, no added latency; ${RUNS} runs each in turn (load average ${load()} at the end)`,
    );
    const vsBefore = before ? `, ${ratio(bundle!, before).toFixed(2)}× the issue's build` : '';
    console.log(
      `  bundle: ${describe(bundle!)}; ${ratio(bundle!, unbundled!).toFixed(2)}× the unbundled time${vsBefore}`,
    );
    console.log(`  the same sources unbundled: ${describe(unbundled!)}`);
    if (before) console.log(`  the issue's build (${ISSUE_BASE_COMMIT}, tsc): ${describe(before)}`);
    else console.log(`  the issue's build (${ISSUE_BASE_COMMIT}): not in this clone's history, not measured`);
    console.log("  goal: bundle ≤ 0.5× the issue's build's time, ≤ 90 MB");
  } finally {
    await server.close();
  }
}

if (require.main === module)
  main().catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
