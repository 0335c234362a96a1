import type { AwsClientConfig } from '../clients';
import { s3Client } from '../s3';
import { isIgnored } from '../tags';

export interface UploadRef {
  bucket: string;
  key: string;
  uploadId: string;
}

/** Whether the upload is still there (ListParts of one part; `NoSuchUpload` = completed or aborted). */
export async function uploadExists(
  client: AwsClientConfig,
  u: UploadRef,
  signal: AbortSignal,
): Promise<boolean> {
  const { ListPartsCommand } = await import('../sdk/s3.js');
  const s3 = await s3Client(client);
  try {
    await s3.send(new ListPartsCommand({ Bucket: u.bucket, Key: u.key, UploadId: u.uploadId, MaxParts: 1 }), {
      abortSignal: signal,
    });
    return true;
  } catch (error) {
    if (error instanceof Error && error.name === 'NoSuchUpload') return false;
    throw error;
  } finally {
    s3.destroy();
  }
}

/** Whether the bucket is tagged guardrail:ignore=true now (`NoSuchTagSet` = no tags). */
export async function bucketIgnored(
  client: AwsClientConfig,
  bucket: string,
  signal: AbortSignal,
): Promise<boolean> {
  const { GetBucketTaggingCommand } = await import('../sdk/s3.js');
  const s3 = await s3Client(client);
  try {
    const out = await s3.send(new GetBucketTaggingCommand({ Bucket: bucket }), { abortSignal: signal });
    return isIgnored(out.TagSet);
  } catch (error) {
    if (error instanceof Error && error.name === 'NoSuchTagSet') return false;
    throw error;
  } finally {
    s3.destroy();
  }
}

export async function abortUpload(client: AwsClientConfig, u: UploadRef, signal: AbortSignal): Promise<void> {
  const { AbortMultipartUploadCommand } = await import('../sdk/s3.js');
  const s3 = await s3Client(client);
  try {
    await s3.send(new AbortMultipartUploadCommand({ Bucket: u.bucket, Key: u.key, UploadId: u.uploadId }), {
      abortSignal: signal,
    });
  } finally {
    s3.destroy();
  }
}
