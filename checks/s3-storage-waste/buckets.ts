import type { AwsClientConfig } from '../../src/aws/clients';
import { PageTokens } from '../../src/aws/pages';
import { s3Client } from '../../src/aws/s3';

/** ListBuckets' largest page. @see https://docs.aws.amazon.com/AmazonS3/latest/API/API_ListBuckets.html */
export const LIST_BUCKETS_PAGE_SIZE = 10_000;

export interface Bucket {
  name: string;
  region: string;
}

/**
 * Every bucket of the account with its region: ListBuckets returns `BucketRegion`; for a bucket without it
 * (older endpoints), GetBucketLocation — whose empty answer means us-east-1 and `EU` eu-west-1.
 */
export async function listBuckets(client: AwsClientConfig, signal: AbortSignal): Promise<Bucket[]> {
  const { ListBucketsCommand, GetBucketLocationCommand } = await import('../../src/aws/sdk/s3.js');
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
