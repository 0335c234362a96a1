import { describeVolume } from '../../src/aws/cleanup/ec2';
import { AwsConfig } from '../../src/aws/config';
import { createAwsProvider } from '../../src/aws/provider';
import { startBlackHole, type BlackHole } from '../servers/black-hole';
import { useFakeCredentials } from '../kit/aws';

describe('an AWS endpoint that accepts and never answers', () => {
  let hole: BlackHole;
  beforeAll(() => useFakeCredentials());
  beforeEach(async () => {
    hole = await startBlackHole();
  });
  afterEach(() => hole.close());

  it('fails a call outside any check (cleanup apply) within aws.targetTimeout, not never', async () => {
    const config = AwsConfig.parse({
      region: 'us-east-1',
      endpoint: `http://127.0.0.1:${hole.port}`,
      targetTimeout: '2s',
      maxAttempts: 1,
    });
    const client = createAwsProvider(config).clientConfig({ accountId: '', region: 'us-east-1' });
    const started = Date.now();

    const call = describeVolume(client, 'vol-0123', new AbortController().signal);

    await expect(call).rejects.toThrow();
    expect(Date.now() - started).toBeLessThan(6_000);
    expect(hole.accepted).toBeGreaterThan(0);
  }, 15_000);

  // An on-call trial: each STS request was cut at targetTimeout but retried, so the lambda check waited out its own
  // 45 s timeout and said only "timed out after 45s".
  it('gives up finding the account within aws.targetTimeout, naming the call and the endpoint', async () => {
    const endpoint = `http://127.0.0.1:${hole.port}`;
    const config = AwsConfig.parse({ region: 'us-east-1', endpoint, targetTimeout: '2s' });
    const started = Date.now();

    const targets = createAwsProvider(config).targets(new AbortController().signal);

    await expect(targets).rejects.toThrow(
      `STS GetCallerIdentity in us-east-1 at ${endpoint} did not answer within 2s (aws.targetTimeout): the AWS endpoint hangs or cannot be reached`,
    );
    expect(Date.now() - started).toBeLessThan(5_000);
  }, 15_000);
});
