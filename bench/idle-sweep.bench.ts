import { idleEbsVolumes } from '../checks/idle-ebs-volumes';
import { DESCRIBE_VOLUMES_PAGE_SIZE } from '../checks/idle-ebs-volumes/query';
import { idleElasticIps } from '../checks/idle-elastic-ips';
import { DEFAULT_MAX_CONCURRENCY } from '../src/aws/config';
import { CALLER_ACCOUNT } from '../test/kit/aws';
import { startFakeAwsProcess } from '../test/servers/aws/process';
import { emptyRegion, type FakeRegion } from '../test/servers/aws/world';
import { timedRun } from './aws-bench-kit';

const REGIONS = 17;
const VOLUMES = 3000;
const ADDRESSES = 500;
const LATENCY_MS = 50;
const PAGES_PER_REGION = Math.ceil(VOLUMES / DESCRIBE_VOLUMES_PAGE_SIZE);
/** Computed: GetCallerIdentity, then the slowest region's DescribeVolumes pages, one after the other. */
const LOWER_BOUND_MS = (1 + PAGES_PER_REGION) * LATENCY_MS;

function region(r: number): FakeRegion {
  return {
    ...emptyRegion(),
    volumes: Array.from({ length: VOLUMES }, (_, i) => ({
      id: `vol-${r}-${i}`,
      sizeGiB: 10,
      type: 'gp3',
      state: 'available' as const,
    })),
    addresses: Array.from({ length: ADDRESSES }, (_, i) => ({
      allocationId: `eipalloc-${r}-${i}`,
      publicIp: `10.${r}.${i >> 8}.${i & 255}`,
    })),
  };
}

const mib = (bytes: number): string => (bytes / 2 ** 20).toFixed(0);

/** Both idle checks at once, as the engine runs them, against a fake AWS in its own process. */
async function sweep(names: string[], maxConcurrency: number | undefined): Promise<void> {
  // The estate lives in the server process only (it is AWS's memory, not the agent's).
  const regions = (): Record<string, FakeRegion> =>
    Object.fromEntries(names.map((name, i) => [name, region(i)]));
  const server = await startFakeAwsProcess(
    { callerAccountId: CALLER_ACCOUNT, accounts: [{ id: CALLER_ACCOUNT, regions: regions() }] },
    LATENCY_MS,
  );
  const aws = { regions: names, ...(maxConcurrency ? { maxConcurrency } : {}) };
  const cpu = process.cpuUsage();
  const loop = performance.eventLoopUtilization();
  const started = performance.now();
  const [ebs, eip] = await Promise.all([
    timedRun(idleEbsVolumes, server, aws),
    timedRun(idleElasticIps, server, aws),
  ]);
  const wall = performance.now() - started;
  const used = process.cpuUsage(cpu);
  const busy = performance.eventLoopUtilization(loop).utilization;
  const calls = await server.calls();
  await server.close();

  const lowerBound = LOWER_BOUND_MS;
  const pages = calls.filter((c) => c.action === 'ec2:DescribeVolumes').length;
  const cpuMs = (used.user + used.system) / 1000;
  const label = maxConcurrency ? `maxConcurrency ${maxConcurrency}` : `default (${DEFAULT_MAX_CONCURRENCY})`;
  console.log(
    `  ${label}: wall ${wall.toFixed(0)} ms = ${(wall / lowerBound).toFixed(2)}× the bound; ` +
      `${calls.length} API calls (${pages} DescribeVolumes pages); peak RSS ${mib(process.resourceUsage().maxRSS * 1024)} MB`,
  );
  console.log(
    `    EBS ${ebs.ms.toFixed(0)} ms, ${ebs.result.findings.length} findings; EIP ${eip.ms.toFixed(0)} ms, ` +
      `${eip.result.findings.length} findings; client CPU ${cpuMs.toFixed(0)} ms (${(cpuMs / pages).toFixed(1)} ms per volume page), event loop busy ${(busy * 100).toFixed(0)}%`,
  );
}

/**
 * Idle sweep, 17 regions × 3,000 volumes + 500 EIPs, 50 ms per API call: wall time against the lower bound. The
 * checks' own run only (no alerts, no state), in this process from the TypeScript sources, so with the SDK's
 * CommonJS build and its XML reader, not the bundle's (bench/idle-process.bench.ts runs the bundle whole).
 */
export async function main(): Promise<void> {
  const names = Array.from({ length: REGIONS }, (_, i) => `xx-bench-${i + 1}`);
  console.log(
    `idle sweep: ${REGIONS} regions × ${VOLUMES} volumes (all available) + ${ADDRESSES} EIPs, ${LATENCY_MS} ms per call`,
  );
  console.log(
    `  lower bound (computed): ${LOWER_BOUND_MS} ms (GetCallerIdentity + ${PAGES_PER_REGION} pages, × ${LATENCY_MS} ms); ` +
      "the checks' run only, from the sources with the SDK's XML reader",
  );
  // A daemon loads the SDK once per process, not per sweep: load it before the clock starts, and say so.
  const loading = performance.now();
  await Promise.all([
    import('@aws-sdk/client-ec2'),
    import('@aws-sdk/client-sts'),
    import('@aws-sdk/credential-providers'),
  ]);
  console.log(
    `  SDK modules loaded in ${(performance.now() - loading).toFixed(0)} ms (once per process, not timed below)`,
  );
  await sweep(names, undefined);
  await sweep(names, 4);
}

if (require.main === module)
  main().catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
