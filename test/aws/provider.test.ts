import { AwsConfig } from '../../src/aws/config';
import { createAwsProvider } from '../../src/aws/provider';
import { CALLER_ACCOUNT, useFakeCredentials } from '../kit/aws';
import { startFakeAws, type FakeAwsServer } from '../servers/aws/server';
import { emptyRegion } from '../servers/aws/world';

// The caller's account is asked once and shared by the checks that ask meanwhile. A review found that the first
// check's stop (its timeout, a SIGTERM) aborted the shared call, so every other check failed with "Request aborted".
describe('the AWS targets shared by the checks of a run', () => {
  let aws: FakeAwsServer;
  beforeAll(async () => {
    useFakeCredentials();
    aws = await startFakeAws({
      callerAccountId: CALLER_ACCOUNT,
      accounts: [{ id: CALLER_ACCOUNT, regions: { 'us-east-1': emptyRegion(), 'eu-west-1': emptyRegion() } }],
    });
    aws.faults.latencyMs = 300;
  });
  afterAll(() => aws.close());

  it.each([
    ['the listed regions', ['us-east-1', 'eu-west-1']],
    ['regions: all', 'all'],
  ] as const)('a check that stops waiting does not fail the others (%s)', async (_what, regions) => {
    const provider = createAwsProvider(
      AwsConfig.parse({ region: 'us-east-1', endpoint: aws.url, regions, maxAttempts: 1 }),
    );
    const stopped = new AbortController();

    const first = provider.targets(stopped.signal);
    const second = provider.targets(new AbortController().signal);
    setTimeout(() => stopped.abort(new Error('check timed out')), 100);

    await expect(first).rejects.toThrow('check timed out');
    expect((await second).map((t) => `${t.accountId}/${t.region}`).sort()).toEqual([
      `${CALLER_ACCOUNT}/eu-west-1`,
      `${CALLER_ACCOUNT}/us-east-1`,
    ]);
  });
});
