import type { S3Client } from '@aws-sdk/client-s3';
import { withoutSdkLogging, type AwsClientConfig } from './clients';

/** An S3 client; with an endpoint override (tests, emulators) path-style, as those serve no bucket host names. */
export async function s3Client(client: AwsClientConfig): Promise<S3Client> {
  const { S3Client } = await import('./sdk/s3.js');
  return withoutSdkLogging(new S3Client({ ...client, forcePathStyle: client.endpoint !== undefined }));
}
