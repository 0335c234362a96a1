import type { S3Client } from '@aws-sdk/client-s3';
import { isIgnored, tagMap } from '../../src/aws/tags';

export interface BucketSettings {
  tags: Record<string, string>;
  ignored: boolean;
  /** An enabled lifecycle rule that transitions or expires objects. */
  lifecycle: boolean;
  /** At least one Intelligent-Tiering configuration. */
  intelligentTiering: boolean;
}

/** The S3 error codes that mean "not configured", not a failure. */
const ABSENT = new Set(['NoSuchTagSet', 'NoSuchLifecycleConfiguration']);

async function orAbsent<T>(call: Promise<T>): Promise<T | undefined> {
  try {
    return await call;
  } catch (error) {
    if (error instanceof Error && ABSENT.has(error.name)) return undefined;
    throw error;
  }
}

/** Tags first: an ignored bucket costs one call. */
export async function bucketSettings(
  s3: S3Client,
  bucket: string,
  signal: AbortSignal,
): Promise<BucketSettings> {
  const {
    GetBucketTaggingCommand,
    GetBucketLifecycleConfigurationCommand,
    ListBucketIntelligentTieringConfigurationsCommand,
  } = await import('../../src/aws/sdk/s3.js');
  const opts = { abortSignal: signal };
  const tagging = await orAbsent(s3.send(new GetBucketTaggingCommand({ Bucket: bucket }), opts));
  const tags = tagMap(tagging?.TagSet);
  if (isIgnored(tagging?.TagSet)) return { tags, ignored: true, lifecycle: false, intelligentTiering: false };
  const [rules, tiering] = await Promise.all([
    orAbsent(s3.send(new GetBucketLifecycleConfigurationCommand({ Bucket: bucket }), opts)),
    // One page is enough: the question is whether there is any (a bucket holds at most 1,000).
    s3.send(new ListBucketIntelligentTieringConfigurationsCommand({ Bucket: bucket }), opts),
  ]);
  const lifecycle = (rules?.Rules ?? []).some(
    (r) => r.Status === 'Enabled' && ((r.Transitions?.length ?? 0) > 0 || r.Expiration !== undefined),
  );
  const intelligentTiering = (tiering.IntelligentTieringConfigurationList?.length ?? 0) > 0;
  return { tags, ignored: false, lifecycle, intelligentTiering };
}
