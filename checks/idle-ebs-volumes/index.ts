import { type Finding } from '../../src/core/types';
import { defineCheck } from '../types';
import { scanTargets } from '../../src/aws/fan-out';
import { IDLE_MEASUREMENTS, idleMeasurements } from '../../src/aws/idle';
import { ebsMonthlyCost } from '../../src/aws/prices';
import { DAY_MS, idleVolumeFinding } from './format';
import { listIdleVolumes } from './query';
import { IdleEbsVolumesConfig } from './schema';

export const idleEbsVolumes = defineCheck({
  kind: 'idle-ebs-volumes',
  description: 'EBS volumes attached to nothing (state available), with their monthly list-price cost',
  configSchema: IdleEbsVolumesConfig,
  permissions: ['ec2:DescribeVolumes'],
  measurements: IDLE_MEASUREMENTS,
  example: { minIdleDays: 7 },
  async run(ctx, config) {
    const { scans, errors } = await scanTargets(ctx, async (target, client, signal) => {
      const volumes = await listIdleVolumes(client, signal);
      // Scoped per account/region: a region that fails this run keeps its first-seen times.
      const firstSeen = await ctx.state.observe(
        `${target.accountId}/${target.region}`,
        volumes.map((v) => v.volumeId),
        ctx.now,
      );
      return volumes.map((volume) => ({
        volume,
        cost: ebsMonthlyCost({ region: target.region, ...volume }),
        firstSeen: firstSeen.get(volume.volumeId) ?? ctx.now,
      }));
    });

    const minIdleMs = config.minIdleDays * DAY_MS;
    const findings: Finding[] = [...errors];
    for (const { target, value } of scans) {
      for (const { volume, cost, firstSeen } of value) {
        if (ctx.now.getTime() - firstSeen.getTime() < minIdleMs) continue;
        findings.push(idleVolumeFinding(target, volume, cost, firstSeen, ctx.now, config.severity));
      }
    }
    const measurements = idleMeasurements(
      ctx.checkId,
      'ebs-volume',
      scans.map(({ target, value }) => ({
        target,
        costs: value.map(({ volume, cost }) => ({
          usd: 'usd' in cost ? cost.usd : undefined,
          subtype: volume.volumeType,
        })),
      })),
    );
    return { findings, measurements };
  },
});
