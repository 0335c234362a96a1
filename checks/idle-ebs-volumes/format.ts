import type { Finding } from '../../src/core/types';
import type { Severity } from '../../src/core/severity';
import { ebsVolumeUrl } from '../../src/aws/links';
import { formatUsd } from '../../src/aws/idle';
import { PRICE_BASIS, type MonthlyCost } from '../../src/aws/prices';
import type { AwsTarget } from '../../src/aws/types';
import type { IdleVolume } from './query';

export const DAY_MS = 86_400_000;

export function idleVolumeFinding(
  target: AwsTarget,
  volume: IdleVolume,
  cost: MonthlyCost,
  firstSeen: Date,
  now: Date,
  severity: Severity,
): Finding {
  const idleDays = Math.floor((now.getTime() - firstSeen.getTime()) / DAY_MS);
  const what = `EBS volume ${volume.volumeId} (${volume.volumeType}, ${volume.sizeGiB} GiB)`;
  const price = 'usd' in cost ? `${formatUsd(cost.usd)}/month` : 'cost unknown';
  const since = idleDays >= 1 ? ` for ${idleDays}d` : '';
  const costLine =
    'usd' in cost
      ? `Costs ${formatUsd(cost.usd)}/month at the ${PRICE_BASIS}.`
      : `No cost estimate: ${cost.unpriced}.`;
  return {
    key: volume.volumeId,
    severity,
    title: `${what} in ${target.region} is attached to nothing${since} — ${price}`,
    summary:
      `Unattached since at least ${firstSeen.toISOString()} in account ${target.accountId}. ${costLine} ` +
      'Snapshot it if the data matters, then delete it; tag it guardrail:ignore=true to keep it on purpose.',
    resource: {
      volumeId: volume.volumeId,
      accountId: target.accountId,
      region: target.region,
      availabilityZone: volume.availabilityZone,
      volumeType: volume.volumeType,
      sizeGiB: volume.sizeGiB,
      iops: volume.iops,
      throughputMiBps: volume.throughputMiBps,
      createdAt: volume.createdAt,
      tags: volume.tags,
    },
    labels: { account: target.accountId, region: target.region, volume_type: volume.volumeType },
    metrics: {
      sizeGiB: volume.sizeGiB,
      idleDays,
      ...('usd' in cost ? { monthlyCostUsd: cost.usd } : {}),
    },
    links: [{ label: 'EBS volume', url: ebsVolumeUrl(target.region, volume.volumeId) }],
  };
}
