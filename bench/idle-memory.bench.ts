import { CALLER_ACCOUNT } from '../test/kit/aws';
import { startFakeAwsProcess } from '../test/servers/aws/process';
import { AWS_ENV, estate, idleConfig } from './idle-process.bench';
import type { FakeRegion } from '../test/servers/aws/world';
import { BUNDLE, describe, load, measure, median, RUNS, type Figures } from './process-kit';

const REGIONS = 4;
const VOLUMES = 1200;
const ADDRESSES = 160;
const SCALES = [1, 4, 16];

/**
 * Peak RSS of a whole `guardrail run` of both idle checks at 1×, 4× and 16× the estate (all volumes and
 * addresses idle, the worst case: every one is a finding). Pages are dropped as they are read, so what grows
 * is the findings and their alerts, not the pages.
 */
export async function main(): Promise<void> {
  console.log(
    `idle sweep memory, whole process (bundle), ${REGIONS} regions, all idle; ${RUNS} runs per scale ` +
      `(load average ${load()} at the start)`,
  );
  let first: number | undefined;
  for (const scale of SCALES) {
    const figures = await sweep(estate(REGIONS, VOLUMES * scale, ADDRESSES * scale), `${scale}×`);
    const rss = median(figures.rssMb);
    first ??= rss;
    const findings = (VOLUMES + ADDRESSES) * scale;
    const perFinding =
      scale === 1
        ? ''
        : `; +${(((rss - first) * 1024) / (findings - VOLUMES - ADDRESSES)).toFixed(1)} KB per extra finding`;
    console.log(
      `  ${scale}×: ${VOLUMES * scale} volumes + ${ADDRESSES * scale} addresses (${findings} findings): ` +
        `${describe(figures)}${perFinding}`,
    );
  }
  for (const scale of SCALES.slice(1)) await attachedCase(scale, first!);
}

/**
 * The scaled estate's volumes, of which only the 1× ones are idle and the rest attached gp3 volumes: with `gp2` on
 * (the default) AWS cannot filter those out, so every page is read, but only what the check reports is kept.
 */
async function attachedCase(scale: number, oneX: number): Promise<void> {
  const world = estate(REGIONS, VOLUMES, ADDRESSES);
  for (const [r, region] of Object.values(world).entries())
    region.volumes.push(
      ...Array.from({ length: ((scale - 1) * VOLUMES) / REGIONS }, (_, i) => ({
        id: `vol-att-${r}-${i}`,
        sizeGiB: 10,
        type: 'gp3',
        state: 'in-use' as const,
      })),
    );
  const figures = await sweep(world, 'attached');
  console.log(
    `  ${VOLUMES * scale} volumes of which ${(scale - 1) * VOLUMES} attached gp3 + ${ADDRESSES} addresses ` +
      `(${VOLUMES + ADDRESSES} findings): ${describe(figures)}; ` +
      `${(median(figures.rssMb) - oneX).toFixed(0)} MB over 1×`,
  );
}

/** `guardrail run` of both idle checks over `world`, served by a fake AWS in its own process. */
async function sweep(world: Record<string, FakeRegion>, label: string): Promise<Figures> {
  const server = await startFakeAwsProcess({
    callerAccountId: CALLER_ACCOUNT,
    accounts: [{ id: CALLER_ACCOUNT, regions: world }],
  });
  try {
    const config = idleConfig(server.url, Object.keys(world));
    const [figures] = measure([{ label, args: [BUNDLE, 'run', '--config', config], env: AWS_ENV }]);
    return figures!;
  } finally {
    await server.close();
  }
}

if (require.main === module)
  main().catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
