import { defineCheck } from '../types';
import { scanTargets } from '../../src/aws/fan-out';
import { IDLE_MEASUREMENTS, idleMeasurements } from '../../src/aws/idle';
import { addressMonthlyCost, idleAddressFinding } from './format';
import { listIdleAddresses } from './query';
import { IdleElasticIpsConfig } from './schema';

export const idleElasticIps = defineCheck({
  kind: 'idle-elastic-ips',
  description: 'Elastic IPs associated with nothing, with their monthly public IPv4 cost',
  configSchema: IdleElasticIpsConfig,
  permissions: ['ec2:DescribeAddresses'],
  measurements: IDLE_MEASUREMENTS,
  example: { severity: 'warning' },
  async run(ctx, config) {
    const { scans, errors } = await scanTargets(ctx, (_target, client, signal) =>
      listIdleAddresses(client, signal),
    );
    const findings = [
      ...errors,
      ...scans.flatMap(({ target, value }) =>
        value.map((a) => idleAddressFinding(target, a, config.severity)),
      ),
    ];
    const measurements = idleMeasurements(
      ctx.checkId,
      'elastic-ip',
      scans.map(({ target, value }) => ({
        target,
        costs: value.map((a) => ({ usd: addressMonthlyCost(a) })),
      })),
    );
    return { findings, measurements };
  },
});
