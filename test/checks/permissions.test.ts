import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { idleEbsVolumes } from '../../checks/idle-ebs-volumes';
import { idleElasticIps } from '../../checks/idle-elastic-ips';
import { lambdaErrors } from '../../checks/lambda-errors';
import { CHECKS } from '../../checks/registry';
import { s3StorageWaste } from '../../checks/s3-storage-waste';
import { providerPermissions } from '../../src/aws/provider';
import { connectionActions } from '../../src/connectors/permissions';
import reference from '../cli/fixtures/aws-service-authorization.json';
import type { AnyCheckDefinition } from '../../checks/types';
import { startFakeAws } from '../servers/aws/server';
import { emptyRegion } from '../servers/aws/world';
import { CALLER_ACCOUNT, memoryStore, runCheck, useFakeCredentials } from '../kit/aws';

const PROD = '222222222222';
const ROLE = `arn:aws:iam::${PROD}:role/guardrail`;
// Called with the base identity (AssumeRole) or needing no IAM permission (GetCallerIdentity).
const CALLER_SIDE = new Set(['sts:AssumeRole', 'sts:GetCallerIdentity']);

const region = {
  ...emptyRegion(),
  volumes: [{ id: 'vol-1', sizeGiB: 1, type: 'gp3', state: 'available' as const }],
  addresses: [{ allocationId: 'eipalloc-1', publicIp: '203.0.113.1' }],
  functions: [
    { name: 'f', timeoutSeconds: 3, invocations: 10, errors: 10, throttles: 1, maxDurationMs: 3000 },
  ],
};
// Buckets live in one region (names are global); their region is resolved with GetBucketLocation.
const east = {
  ...region,
  buckets: [
    {
      name: 'b',
      hideRegion: true,
      standardBytes: 2 ** 40,
      objects: 10,
      uploads: [{ key: 'k', uploadId: 'u', initiated: '2020-01-01T00:00:00.000Z', parts: [1] }],
    },
  ],
};

describe.each<[string, AnyCheckDefinition]>([
  ['idle-ebs-volumes', idleEbsVolumes],
  ['idle-elastic-ips', idleElasticIps],
  ['lambda-errors', lambdaErrors],
  ['s3-storage-waste', s3StorageWaste],
])('%s', (kind, check) => {
  beforeAll(() => useFakeCredentials());

  it('calls only the IAM actions it declares (plus the provider’s own)', async () => {
    const server = await startFakeAws({
      callerAccountId: CALLER_ACCOUNT,
      accounts: [{ id: PROD, roleArn: ROLE, regions: { 'us-east-1': east, 'eu-west-1': region } }],
    });
    const store = await memoryStore();
    const aws = { regions: 'all' as const, accounts: [{ id: PROD, roleArn: ROLE }] };

    const result = await runCheck(check, { server, store, aws });
    await server.close();
    await store.close();

    const allowed = new Set([...check.permissions, ...providerPermissions(aws)]);
    const used = new Set(server.calls.map((c) => c.action).filter((a) => !CALLER_SIDE.has(a)));
    expect([...used].filter((a) => !allowed.has(a))).toEqual([]);
    expect(result.findings.filter((f) => f.key.startsWith('region-error'))).toEqual([]);
    expect(result.findings.length).toBeGreaterThan(0);
  });

  it('has a readme and an example its schema accepts', () => {
    const readme = join(__dirname, '../../checks', kind, 'readme.md');

    expect(check.kind).toBe(kind);
    expect(check.permissions.length).toBeGreaterThan(0);
    expect(check.configSchema.safeParse(check.example).success).toBe(true);
    expect(existsSync(readme) && readFileSync(readme, 'utf8')).toContain(kind);
  });
});

describe('declared IAM actions', () => {
  it('are all in the service authorization reference (test/cli/fixtures)', () => {
    const services = reference.services as Record<string, { actions: Record<string, unknown> }>;
    const declared = [
      ...CHECKS.flatMap((def) => def.permissions),
      ...providerPermissions({ regions: 'all' }),
      ...connectionActions({
        type: 'redshift',
        workgroup: 'w',
        secretArn: 'arn:aws:secretsmanager:r:1:secret:s',
      }),
      ...connectionActions({ type: 'redshift', workgroup: 'w' }),
      ...connectionActions({ type: 'redshift', clusterIdentifier: 'c', dbUser: 'u' }),
      ...connectionActions({ type: 'redshift', clusterIdentifier: 'c' }),
    ];

    const unknown = declared.filter((action) => {
      const [prefix, name] = action.split(':') as [string, string];
      return !services[prefix]?.actions[name];
    });

    expect(declared.length).toBeGreaterThan(10);
    expect(unknown).toEqual([]);
  });
});
