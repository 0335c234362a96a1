// A FinOps trial with AccessDenied in one region of one account got no plan at all ("check idle-ebs could not
// run"), though the README says a partial run's other regions stand. The plan now holds what the check read.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { CALLER_ACCOUNT, FAKE_AWS_ENV } from '../kit/aws';
import { startFakeAws, type FakeAwsServer } from '../servers/aws/server';
import { emptyRegion } from '../servers/aws/world';

const CLI = join(__dirname, '../../dist/src/cli/main.js');

describe('cleanup plan when one region cannot be read', () => {
  let aws: FakeAwsServer;
  beforeAll(async () => {
    aws = await startFakeAws({
      callerAccountId: CALLER_ACCOUNT,
      accounts: [
        {
          id: CALLER_ACCOUNT,
          regions: {
            'us-east-1': {
              ...emptyRegion(),
              volumes: [{ id: 'vol-east', sizeGiB: 100, type: 'gp3', state: 'available' }],
            },
            'eu-west-1': {
              ...emptyRegion(),
              volumes: [{ id: 'vol-west', sizeGiB: 100, type: 'gp3', state: 'available' }],
            },
          },
        },
      ],
    });
    aws.faults.deny.add(`${CALLER_ACCOUNT}/eu-west-1`);
  });
  afterAll(() => aws.close());

  it('writes the plan of the regions it read, says which it could not, and exits 3', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'guardrail-cleanup-partial-'));
    writeFileSync(
      join(dir, 'guardrail.yaml'),
      [
        'state: { url: "sqlite://state.db" }',
        `aws: { region: us-east-1, regions: [us-east-1, eu-west-1], endpoint: "${aws.url}", maxAttempts: 1 }`,
        'checks:',
        '  - { id: idle-ebs, kind: idle-ebs-volumes, minIdleDays: 0, gp2: false }',
        'alerts:',
        '  channels: { console: { type: console } }',
        '  routes: [ { channel: console } ]',
        '',
      ].join('\n'),
    );
    const planFile = join(dir, 'plan.json');

    const failure = await promisify(execFile)(
      process.execPath,
      [
        CLI,
        'cleanup',
        'plan',
        '--config',
        join(dir, 'guardrail.yaml'),
        '--check',
        'idle-ebs',
        '--out',
        planFile,
      ],
      { encoding: 'utf8', timeout: 30_000, env: { ...process.env, ...FAKE_AWS_ENV } },
    ).then(
      () => undefined,
      (error: { code?: number; stdout: string; stderr: string }) => error,
    );

    const plan = JSON.parse(readFileSync(planFile, 'utf8')) as { actions: { resourceId: string }[] };
    expect(plan.actions.map((a) => a.resourceId)).toEqual(['vol-east']);
    expect(failure?.code).toBe(3);
    expect(failure?.stdout).toMatch(
      new RegExp(
        `Not in this plan, since the check could not read it: Could not scan eu-west-1 in account ${CALLER_ACCOUNT}`,
      ),
    );
  });
});
