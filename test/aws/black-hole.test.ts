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
});
