import { withoutSdkLogging, type AwsClientConfig } from '../../src/aws/clients';
import { PageTokens } from '../../src/aws/pages';
import type { S3Client } from '@aws-sdk/client-s3';

/** ListBuckets' largest page. @see https://docs.aws.amazon.com/AmazonS3/latest/API/API_ListBuckets.html */
export const LIST_BUCKETS_PAGE_SIZE = 10_000;

export interface Bucket {
  name: string;
  region: string;
}

/** An S3 client; with an endpoint override (tests, emulators) path-style, as those serve no bucket host names. */
export async function s3Client(client: AwsClientConfig): Promise<S3Client> {
  const { S3Client } = await import('@aws-sdk/client-s3');
  return withoutSdkLogging(new S3Client({ ...client, forcePathStyle: client.endpoint !== undefined }));
}

/**
 * Every bucket of the account with its region: ListBuckets returns `BucketRegion`; for a bucket without it
 * (older endpoints), GetBucketLocation — whose empty answer means us-east-1 and `EU` eu-west-1.
 */
export async function listBuckets(client: AwsClientConfig, signal: AbortSignal): Promise<Bucket[]> {
  const { ListBucketsCommand, GetBucketLocationCommand } = await import('@aws-sdk/client-s3');
  const s3 = await s3Client(client);
  try {
    const buckets: Bucket[] = [];
    const tokens = new PageTokens('s3:ListAllMyBuckets');
    let token: string | undefined;
    do {
      const page = await s3.send(
        new ListBucketsCommand({ MaxBuckets: LIST_BUCKETS_PAGE_SIZE, ContinuationToken: token }),
        { abortSignal: signal },
      );
      for (const b of page.Buckets ?? []) {
        if (!b.Name) continue;
        let region = b.BucketRegion;
        if (!region) {
          const out = await s3.send(new GetBucketLocationCommand({ Bucket: b.Name }), {
            abortSignal: signal,
          });
          const location: string = out.LocationConstraint ?? '';
          region = location === '' ? 'us-east-1' : location === 'EU' ? 'eu-west-1' : location;
        }
        buckets.push({ name: b.Name, region });
      }
      token = tokens.next(page.ContinuationToken);
    } while (token);
    return buckets;
  } finally {
    s3.destroy();
  }
}
