import { idleElasticIps } from '../../../checks/idle-elastic-ips';
import type { StateStore } from '../../../src/state/types';
import { startFakeAws, type FakeAwsServer } from '../../servers/aws/server';
import { emptyRegion } from '../../servers/aws/world';
import { CALLER_ACCOUNT, memoryStore, runCheck, useFakeCredentials } from '../../kit/aws';

describe('idle-elastic-ips through the real EC2 client', () => {
  let server: FakeAwsServer;
  let store: StateStore;

  beforeAll(() => useFakeCredentials());
  beforeEach(async () => {
    const addresses = [
      { allocationId: 'eipalloc-idle', publicIp: '203.0.113.1' },
      {
        allocationId: 'eipalloc-used',
        publicIp: '203.0.113.2',
        associationId: 'eipassoc-1',
        instanceId: 'i-1',
      },
      { allocationId: 'eipalloc-keep', publicIp: '203.0.113.3', tags: { 'guardrail:ignore': 'TRUE' } },
      { allocationId: 'eipalloc-byoip', publicIp: '198.51.100.9', publicIpv4Pool: 'ipv4pool-ec2-1' },
    ];
    server = await startFakeAws({
      callerAccountId: CALLER_ACCOUNT,
      accounts: [{ id: CALLER_ACCOUNT, regions: { 'ap-northeast-2': { ...emptyRegion(), addresses } } }],
    });
    store = await memoryStore();
  });
  afterEach(async () => {
    await server.close();
    await store.close();
  });

  it('reports unassociated addresses at $3.65/month, BYOIP at $0 (a known price), never attached or ignored ones', async () => {
    const result = await runCheck(idleElasticIps, { server, store, aws: { regions: ['ap-northeast-2'] } });

    expect(result.findings.map((f) => [f.key, f.metrics])).toEqual([
      ['eipalloc-idle', { monthlyCostUsd: 3.65 }],
      ['eipalloc-byoip', { monthlyCostUsd: 0 }],
    ]);
    expect(result.findings[0]?.title).toBe(
      'Elastic IP 203.0.113.1 in ap-northeast-2 is associated with nothing — $3.65/month',
    );
    expect(result.findings[0]?.links?.[0]?.url).toContain('#ElasticIpDetails:AllocationId=eipalloc-idle');
    expect(result.measurements.find((m) => m.name === 'idle_monthly_cost_usd')?.value).toBe(3.65);
    expect(result.measurements.find((m) => m.name === 'idle_resources')?.value).toBe(2);
  });

  it('discovers the enabled regions when regions is all', async () => {
    const result = await runCheck(idleElasticIps, {
      server,
      store,
      aws: { region: 'us-east-1', regions: 'all' },
    });

    expect(result.findings.map((f) => f.labels?.region)).toEqual(['ap-northeast-2', 'ap-northeast-2']);
    expect(server.calls.map((c) => c.action)).toEqual([
      'sts:GetCallerIdentity',
      'ec2:DescribeRegions',
      'ec2:DescribeAddresses',
    ]);
  });
});
