import { type Finding } from '../../src/core/types';
import { defineCheck } from '../types';
import { scanTargets } from '../../src/aws/fan-out';
import { IDLE_MEASUREMENTS, idleMeasurements } from '../../src/aws/idle';
import { ebsMonthlyCost, gp3MonthlySaving } from '../../src/aws/prices';
import { DAY_MS, idleVolumeFinding } from './format';
import { GP2_MEASUREMENTS, gp2Finding, gp2Measurements } from './gp2';
import { listVolumes } from './query';
import { IdleEbsVolumesConfig } from './schema';

export const idleEbsVolumes = defineCheck({
  kind: 'idle-ebs-volumes',
  description:
    'EBS volumes attached to nothing (state available), with their monthly list-price cost, and gp2 volumes with the saving of gp3',
  configSchema: IdleEbsVolumesConfig,
  permissions: ['ec2:DescribeVolumes'],
  measurements: [...IDLE_MEASUREMENTS, ...GP2_MEASUREMENTS],
  example: { minIdleDays: 7, gp2: true },
  async run(ctx, config) {
    const { scans, errors } = await scanTargets(ctx, async (target, client, signal) => {
      const volumes = await listVolumes(client, signal, config.gp2);
      const idle = volumes.filter((v) => v.state === 'available');
      // Scoped per account/region: a region that fails this run keeps its first-seen times.
      const firstSeen = await ctx.state.observe(
        `${target.accountId}/${target.region}`,
        idle.map((v) => v.volumeId),
        ctx.now,
      );
      return {
        idle: idle.map((volume) => ({
          volume,
          cost: ebsMonthlyCost({ region: target.region, ...volume }),
          firstSeen: firstSeen.get(volume.volumeId) ?? ctx.now,
        })),
        // Attached gp2 volumes only: an unattached one is idle, and deleting it saves all of its cost. Counting its
        // gp3 saving too added it on top of that cost, in a message's total and in the dashboard's waste.
        gp2: volumes
          .filter((v) => config.gp2 && v.volumeType === 'gp2' && v.state === 'in-use')
          .map((volume) => ({ volume, saving: gp3MonthlySaving(target.region, volume.sizeGiB) })),
      };
    });

    const minIdleMs = config.minIdleDays * DAY_MS;
    const findings: Finding[] = [...errors];
    for (const { target, value } of scans) {
      for (const { volume, cost, firstSeen } of value.idle) {
        if (ctx.now.getTime() - firstSeen.getTime() < minIdleMs) continue;
        const finding = idleVolumeFinding(target, volume, cost, firstSeen, ctx.now, config.severity);
        // A gp2 alert raised while the volume was attached (or by a Guardrail before 2026-12-03, which raised one
        // for unattached gp2 volumes too) keeps its state while the volume is idle: nothing about it changed, and
        // a "resolved" notice would say it had.
        findings.push(
          volume.volumeType === 'gp2' ? { ...finding, covers: [{ key: `gp2:${volume.volumeId}` }] } : finding,
        );
      }
      for (const { volume, saving } of value.gp2) findings.push(gp2Finding(target, volume, saving));
    }
    const measurements = idleMeasurements(
      ctx.checkId,
      'ebs-volume',
      scans.map(({ target, value }) => ({
        target,
        costs: value.idle.map(({ volume, cost }) => ({
          usd: 'usd' in cost ? cost.usd : undefined,
          subtype: volume.volumeType,
        })),
      })),
    );
    if (config.gp2) {
      measurements.push(
        ...gp2Measurements(
          ctx.checkId,
          scans.map(({ target, value }) => ({ target, savings: value.gp2.map((g) => g.saving) })),
        ),
      );
    }
    return { findings, measurements };
  },
});
