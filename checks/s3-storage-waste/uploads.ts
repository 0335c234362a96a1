import type { S3Client } from '@aws-sdk/client-s3';
import { PageTokens } from '../../src/aws/pages';

/** @see https://docs.aws.amazon.com/AmazonS3/latest/API/API_ListMultipartUploads.html */
export const MAX_UPLOADS_PER_PAGE = 1000;
/** @see https://docs.aws.amazon.com/AmazonS3/latest/API/API_ListParts.html */
export const MAX_PARTS_PER_PAGE = 1000;

export interface StaleUpload {
  key: string;
  uploadId: string;
  initiated: Date;
  /** Sum of its parts' sizes; undefined when not sized (past `maxSized`). */
  bytes: number | undefined;
}

/**
 * Incomplete multipart uploads started before `before`; the first `maxSized` of them are sized with ListParts
 * (an upload has at most 10,000 parts: at most 10 pages each), so one bucket costs a bounded number of calls.
 */
export async function staleUploads(
  s3: S3Client,
  bucket: string,
  before: Date,
  maxSized: number,
  signal: AbortSignal,
): Promise<StaleUpload[]> {
  const { ListMultipartUploadsCommand, ListPartsCommand } = await import('../../src/aws/sdk/s3.js');
  const opts = { abortSignal: signal };
  const found: StaleUpload[] = [];
  const tokens = new PageTokens('s3:ListBucketMultipartUploads');
  let keyMarker: string | undefined;
  let uploadIdMarker: string | undefined;
  for (;;) {
    const page = await s3.send(
      new ListMultipartUploadsCommand({
        Bucket: bucket,
        MaxUploads: MAX_UPLOADS_PER_PAGE,
        KeyMarker: keyMarker,
        UploadIdMarker: uploadIdMarker,
      }),
      opts,
    );
    for (const u of page.Uploads ?? []) {
      if (!u.Key || !u.UploadId || !u.Initiated || u.Initiated >= before) continue;
      found.push({ key: u.Key, uploadId: u.UploadId, initiated: u.Initiated, bytes: undefined });
    }
    const next = page.IsTruncated
      ? `${page.NextKeyMarker ?? ''}\n${page.NextUploadIdMarker ?? ''}`
      : undefined;
    if (!tokens.next(next)) break;
    keyMarker = page.NextKeyMarker;
    uploadIdMarker = page.NextUploadIdMarker;
  }
  for (const upload of found.slice(0, maxSized)) {
    let bytes = 0;
    const parts = new PageTokens('s3:ListMultipartUploadParts');
    let marker: string | undefined;
    do {
      const page = await s3.send(
        new ListPartsCommand({
          Bucket: bucket,
          Key: upload.key,
          UploadId: upload.uploadId,
          MaxParts: MAX_PARTS_PER_PAGE,
          PartNumberMarker: marker,
        }),
        opts,
      );
      for (const p of page.Parts ?? []) bytes += p.Size ?? 0;
      marker = parts.next(page.IsTruncated ? page.NextPartNumberMarker : undefined);
    } while (marker);
    upload.bytes = bytes;
  }
  return found;
}
