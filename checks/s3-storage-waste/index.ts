import type { Finding, Measurement } from '../../src/core/types';
import { defineCheck } from '../types';
import { describeAwsError } from '../../src/aws/clients';
import { scanTargets } from '../../src/aws/fan-out';
import { intelligentTieringSaving, s3StandardMonthlyCost } from '../../src/aws/prices';
import { mapLimit } from '../../src/core/limit';
import { s3Client } from '../../src/aws/s3';
import { listBuckets, type Bucket } from './buckets';
import { bucketError, S3_MEASUREMENTS, s3Measurements, tieringFinding, uploadsFinding } from './format';
import { bucketStorage } from './metrics';
import { S3StorageWasteConfig } from './schema';
import { bucketSettings } from './settings';
import { staleUploads } from './uploads';
import { compareText } from '../../src/core/text';

/** Buckets of one region inspected at once (S3 rate limits are per prefix, far above this). */
export const BUCKET_CONCURRENCY = 8;
const DAY_MS = 86_400_000;

export const s3StorageWaste = defineCheck({
  kind: 's3-storage-waste',
  description:
    'S3 incomplete multipart uploads and Standard storage in buckets with no lifecycle rule or Intelligent-Tiering, in $/month',
  configSchema: S3StorageWasteConfig,
  permissions: [
    'cloudwatch:GetMetricData',
    's3:GetBucketLocation',
    's3:GetBucketTagging',
    's3:GetIntelligentTieringConfiguration',
    's3:GetLifecycleConfiguration',
    's3:ListAllMyBuckets',
    's3:ListBucketMultipartUploads',
    's3:ListMultipartUploadParts',
  ],
  measurements: S3_MEASUREMENTS,
  example: { minAgeDays: 7, minBytes: 107_374_182_400, infrequentShare: 0.5 },
  async run(ctx, config) {
    // ListBuckets is global: once per account, shared by that account's regions.
    const accountBuckets = new Map<string, Promise<Bucket[]>>();
    const before = new Date(ctx.now.getTime() - config.minAgeDays * DAY_MS);

    const { scans, errors } = await scanTargets(ctx, async (target, client, signal) => {
      let listing = accountBuckets.get(target.accountId);
      if (!listing) {
        listing = listBuckets(client, ctx.signal);
        accountBuckets.set(target.accountId, listing);
      }
      const buckets = (await listing).filter((b) => b.region === target.region);
      const s3 = await s3Client(client);
      const findings: Finding[] = [];
      const totals = { uploadBytes: 0, uploadUsd: 0, untieredBytes: 0, savingUsd: 0 };
      const untiered: string[] = [];
      try {
        await mapLimit(buckets, BUCKET_CONCURRENCY, async ({ name }) => {
          try {
            const settings = await bucketSettings(s3, name, signal);
            if (settings.ignored) return;
            if (!settings.lifecycle && !settings.intelligentTiering) untiered.push(name);
            const uploads = await staleUploads(s3, name, before, config.maxUploadsSized, signal);
            if (uploads.length === 0) return;
            const bytes = uploads.reduce((sum, u) => sum + (u.bytes ?? 0), 0);
            const cost = s3StandardMonthlyCost(target.region, bytes);
            totals.uploadBytes += bytes;
            totals.uploadUsd += 'usd' in cost ? cost.usd : 0;
            findings.push(uploadsFinding(target, name, uploads, cost, config.minAgeDays, config.severity));
          } catch (error) {
            if (signal.aborted) throw error;
            findings.push(bucketError(target, name, describeAwsError(error)));
          }
        });
      } finally {
        s3.destroy();
      }
      untiered.sort();
      const storage = await bucketStorage(client, signal, untiered, ctx.now);
      untiered.forEach((name, i) => {
        const { standardBytes, objects } = storage[i] ?? {};
        if (standardBytes === undefined || standardBytes < config.minBytes) return;
        const saving = intelligentTieringSaving(
          target.region,
          standardBytes,
          objects ?? 0,
          config.infrequentShare,
        );
        totals.untieredBytes += standardBytes;
        totals.savingUsd += 'usd' in saving ? saving.usd : 0;
        findings.push(
          tieringFinding(
            target,
            name,
            standardBytes,
            objects ?? 0,
            saving,
            config.infrequentShare,
            config.severity,
          ),
        );
      });
      findings.sort((a, b) => compareText(a.key, b.key));
      return { findings, measurements: s3Measurements(ctx.checkId, target, totals) };
    });

    const measurements: Measurement[] = scans.flatMap((s) => s.value.measurements);
    return { findings: [...errors, ...scans.flatMap((s) => s.value.findings)], measurements };
  },
});
