import { idleEbsVolumes } from '../checks/idle-ebs-volumes';
import { DESCRIBE_VOLUMES_PAGE_SIZE } from '../checks/idle-ebs-volumes/query';
import { idleElasticIps } from '../checks/idle-elastic-ips';
import { CALLER_ACCOUNT } from '../test/aws/kit';
import { startFakeAws } from '../test/servers/aws/server';
import { emptyRegion, type FakeRegion } from '../test/servers/aws/world';
import { timedRun } from './aws-bench-kit';

const REGIONS = 17;
const VOLUMES = 3000;
const ADDRESSES = 500;
const LATENCY_MS = 50;

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

/** Idle sweep, 17 regions × 3,000 volumes + 500 EIPs, 50 ms per API call: wall time against the lower bound. */
export async function main(): Promise<void> {
  const names = Array.from({ length: REGIONS }, (_, i) => `xx-bench-${i + 1}`);
  const regions = Object.fromEntries(names.map((name, i) => [name, region(i)]));
  // Slowest region: its DescribeVolumes pages, one after the other (plus GetCallerIdentity once, before).
  const lowerBound = Math.ceil(VOLUMES / DESCRIBE_VOLUMES_PAGE_SIZE) * LATENCY_MS;
  console.log(
    `idle sweep: ${REGIONS} regions × ${VOLUMES} volumes + ${ADDRESSES} EIPs, ${LATENCY_MS} ms per call`,
  );
  console.log(
    `  lower bound: ${lowerBound} ms (${Math.ceil(VOLUMES / DESCRIBE_VOLUMES_PAGE_SIZE)} pages × ${LATENCY_MS} ms)`,
  );
  for (const maxConcurrency of [4, REGIONS]) {
    const server = await startFakeAws({
      callerAccountId: CALLER_ACCOUNT,
      accounts: [{ id: CALLER_ACCOUNT, regions }],
    });
    server.faults.latencyMs = LATENCY_MS;
    const aws = { regions: names, maxConcurrency };
    const started = performance.now();
    const [ebs, eip] = await Promise.all([
      timedRun(idleEbsVolumes, server, aws),
      timedRun(idleElasticIps, server, aws),
    ]);
    const wall = performance.now() - started;
    await server.close();
    console.log(
      `  maxConcurrency ${maxConcurrency}: wall ${wall.toFixed(0)} ms = ${(wall / lowerBound).toFixed(2)}× the bound ` +
        `(EBS ${ebs.ms.toFixed(0)} ms, ${ebs.result.findings.length} findings; EIP ${eip.ms.toFixed(0)} ms, ` +
        `${eip.result.findings.length} findings; ${server.calls.length} API calls; peak RSS ${(process.memoryUsage().rss / 2 ** 20).toFixed(0)} MB)`,
    );
  }
}

if (require.main === module)
  main().catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
