import type { Finding, Measurement, MeasurementDeclaration } from '../../src/core/types';
import { ebsVolumeUrl } from '../../src/aws/links';
import { formatUsd } from '../../src/aws/idle';
import { PRICE_BASIS, roundCents, type Gp3Saving } from '../../src/aws/prices';
import type { AwsTarget } from '../../src/aws/types';
import type { IdleVolume } from './query';

export const GP2_MEASUREMENTS: readonly MeasurementDeclaration[] = [
  {
    name: 'gp2_monthly_savings_usd',
    help: 'List-price $/month saved by moving the gp2 volumes to gp3 at the same size and baseline performance.',
    labels: ['account', 'region'],
    type: 'gauge',
  },
  {
    name: 'gp2_volumes',
    help: 'gp2 volumes found (attached or not), per account and region.',
    labels: ['account', 'region'],
    type: 'gauge',
  },
];

/** `gp2:<volume-id>`: its own key, so it never collides with (or resolves) the volume's idle finding. */
export function gp2Finding(target: AwsTarget, volume: IdleVolume, saving: Gp3Saving): Finding {
  const what = `gp2 volume ${volume.volumeId} (${volume.sizeGiB} GiB, ${volume.state})`;
  const priced = 'savingUsd' in saving;
  return {
    key: `gp2:${volume.volumeId}`,
    severity: 'info',
    title: priced
      ? `${what} in ${target.region} would cost ${formatUsd(saving.savingUsd)}/month less as gp3`
      : `${what} in ${target.region} could move to gp3 — saving unknown`,
    summary: priced
      ? `gp2 ${formatUsd(saving.gp2Usd)}/month against gp3 with ${saving.iops} IOPS and ${saving.throughputMiBps} MiB/s ` +
        `(its gp2 baseline) ${formatUsd(saving.gp3Usd)}/month, at the ${PRICE_BASIS}. ` +
        'ModifyVolume changes the type in place, without detaching it.'
      : `No saving estimate: ${saving.unpriced}.`,
    resource: {
      volumeId: volume.volumeId,
      accountId: target.accountId,
      region: target.region,
      volumeType: volume.volumeType,
      sizeGiB: volume.sizeGiB,
      state: volume.state,
      tags: volume.tags,
    },
    labels: { account: target.accountId, region: target.region, volume_type: 'gp2' },
    metrics: {
      sizeGiB: volume.sizeGiB,
      // What it costs now is a fact, not waste: the total of a message adds up savings (alerts/tally.ts).
      ...(priced ? { monthlySavingUsd: saving.savingUsd, gp2MonthlyCostUsd: saving.gp2Usd } : {}),
    },
    links: [{ label: 'EBS volume', url: ebsVolumeUrl(target.region, volume.volumeId) }],
  };
}

/** Per scanned account × region, zeros included (a migrated region drops to 0). */
export function gp2Measurements(
  checkId: string,
  scans: { target: AwsTarget; savings: Gp3Saving[] }[],
): Measurement[] {
  return scans.flatMap(({ target, savings }) => {
    const labels = { check: checkId, account: target.accountId, region: target.region };
    const usd = savings.reduce((sum, s) => sum + ('savingUsd' in s ? s.savingUsd : 0), 0);
    return [
      { name: 'gp2_monthly_savings_usd', value: roundCents(usd), labels },
      { name: 'gp2_volumes', value: savings.length, labels },
    ];
  });
}
