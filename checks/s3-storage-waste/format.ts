import { formatBytes } from '../../src/core/bytes';
import type { Finding, Measurement, MeasurementDeclaration } from '../../src/core/types';
import type { Severity } from '../../src/core/severity';
import { formatUsd } from '../../src/aws/idle';
import { PRICE_BASIS, roundCents, S3_PRICES_CHECKED, type MonthlyCost } from '../../src/aws/prices';
import type { AwsTarget } from '../../src/aws/types';
import type { StaleUpload } from './uploads';

const S3_BASIS = PRICE_BASIS.replace(/checked [^)]+/, `checked ${S3_PRICES_CHECKED}`);

export function bucketUrl(region: string, bucket: string): string {
  return `https://${region}.console.aws.amazon.com/s3/buckets/${encodeURIComponent(bucket)}?region=${region}`;
}

function base(target: AwsTarget, bucket: string): Pick<Finding, 'labels' | 'links'> {
  return {
    labels: { account: target.accountId, region: target.region, bucket },
    links: [{ label: 'S3 bucket', url: bucketUrl(target.region, bucket) }],
  };
}

/** `uploads:<bucket>`: one finding per bucket, whatever the number of uploads. */
export function uploadsFinding(
  target: AwsTarget,
  bucket: string,
  uploads: StaleUpload[],
  cost: MonthlyCost,
  minAgeDays: number,
  severity: Severity,
): Finding {
  const bytes = uploads.reduce((sum, u) => sum + (u.bytes ?? 0), 0);
  const unsized = uploads.filter((u) => u.bytes === undefined).length;
  const size = `${unsized > 0 ? 'at least ' : ''}${formatBytes(bytes, 1)}`;
  const price = 'usd' in cost ? `${formatUsd(cost.usd)}/month` : 'cost unknown';
  return {
    key: `uploads:${bucket}`,
    severity,
    title: `${uploads.length} incomplete multipart upload(s) older than ${minAgeDays}d in s3://${bucket} (${target.region}) hold ${size} — ${price}`,
    summary:
      `Parts of uploads never completed are billed as S3 Standard storage and never appear as objects. ` +
      ('usd' in cost
        ? `${formatUsd(cost.usd)}/month at the ${S3_BASIS}. `
        : `No cost estimate: ${cost.unpriced}. `) +
      (unsized > 0 ? `${unsized} upload(s) were not sized (maxUploadsSized). ` : '') +
      'Abort them (guardrail cleanup) and add a lifecycle rule with AbortIncompleteMultipartUpload.',
    resource: {
      bucket,
      accountId: target.accountId,
      region: target.region,
      uploads: uploads.map((u) => ({
        key: u.key,
        uploadId: u.uploadId,
        initiated: u.initiated.toISOString(),
        ...(u.bytes !== undefined ? { bytes: u.bytes } : {}),
      })),
    },
    metrics: {
      uploads: uploads.length,
      bytes,
      ...('usd' in cost ? { monthlyCostUsd: cost.usd } : {}),
    },
    ...base(target, bucket),
  };
}

/** `tiering:<bucket>`: Standard bytes in a bucket with neither a lifecycle rule nor Intelligent-Tiering. */
export function tieringFinding(
  target: AwsTarget,
  bucket: string,
  standardBytes: number,
  objects: number,
  saving: MonthlyCost,
  infrequentShare: number,
  severity: Severity,
): Finding {
  const price =
    'usd' in saving ? `≈${formatUsd(saving.usd)}/month less in Intelligent-Tiering` : 'saving unknown';
  return {
    key: `tiering:${bucket}`,
    severity,
    title: `s3://${bucket} (${target.region}) keeps ${formatBytes(standardBytes, 1)} in S3 Standard with no lifecycle rule or Intelligent-Tiering — ${price}`,
    summary:
      ('usd' in saving
        ? `If ${Math.round(infrequentShare * 100)} % of it is not read for 30 days (infrequentShare), Intelligent-Tiering ` +
          `would cost ${formatUsd(saving.usd)}/month less, its monitoring fee for ${objects} objects included, at the ${S3_BASIS}. `
        : `No saving estimate: ${saving.unpriced}. `) +
      'Add a lifecycle transition to INTELLIGENT_TIERING, or tag the bucket guardrail:ignore=true to keep it as is.',
    resource: { bucket, accountId: target.accountId, region: target.region },
    metrics: {
      standardBytes,
      objects,
      ...('usd' in saving ? { monthlySavingUsd: saving.usd } : {}),
    },
    ...base(target, bucket),
  };
}

export function bucketError(target: AwsTarget, bucket: string, message: string): Finding {
  return {
    key: `bucket-error:${bucket}`,
    severity: 'warning',
    title: `Could not inspect s3://${bucket} (${target.region}): ${message.split('\n')[0]}`,
    summary: `The other buckets were inspected. ${message}`,
    resource: { bucket, accountId: target.accountId, region: target.region },
    // Its alerts keep their state instead of resolving while the bucket cannot be read.
    covers: [{ labels: { bucket } }],
    ...base(target, bucket),
  };
}

const LABELS = ['account', 'region'] as const;

export const S3_MEASUREMENTS: readonly MeasurementDeclaration[] = [
  {
    name: 's3_incomplete_upload_bytes',
    help: 'Bytes held by incomplete multipart uploads older than minAgeDays.',
    labels: LABELS,
    type: 'gauge',
  },
  {
    name: 's3_incomplete_upload_monthly_cost_usd',
    help: 'List-price $/month of the incomplete multipart uploads older than minAgeDays (S3 Standard rate).',
    labels: LABELS,
    type: 'gauge',
  },
  {
    name: 's3_untiered_standard_bytes',
    help: 'S3 Standard bytes in buckets with neither a lifecycle rule nor Intelligent-Tiering (above minBytes).',
    labels: LABELS,
    type: 'gauge',
  },
  {
    name: 's3_tiering_monthly_savings_usd',
    help: 'Estimated $/month saved by moving those bytes to Intelligent-Tiering, monitoring fee included.',
    labels: LABELS,
    type: 'gauge',
  },
];

export interface RegionTotals {
  uploadBytes: number;
  uploadUsd: number;
  untieredBytes: number;
  savingUsd: number;
}

export function s3Measurements(checkId: string, target: AwsTarget, t: RegionTotals): Measurement[] {
  const labels = { check: checkId, account: target.accountId, region: target.region };
  return [
    { name: 's3_incomplete_upload_bytes', value: t.uploadBytes, labels },
    { name: 's3_incomplete_upload_monthly_cost_usd', value: roundCents(t.uploadUsd), labels },
    { name: 's3_untiered_standard_bytes', value: t.untieredBytes, labels },
    { name: 's3_tiering_monthly_savings_usd', value: roundCents(t.savingUsd), labels },
  ];
}
