/**
 * AWS on-demand list prices (USD) for the idle-resource waste estimate; they exclude discounts, credits and
 * the free tier. Checked 2026-11 against public sources: the AWS Networking & Content Delivery blog "Identify
 * and optimize public IPv4 address usage on AWS" ($0.005 per address-hour since 2024-02-01), Komiser's EBS price
 * map and an infracost maintainer's statement (us-east-1), and independent public price tables that agree for
 * Seoul gp3/gp2/st1/standard. Authoritative values come from the AWS Price List API (GetProducts, service
 * AmazonEC2, productFamily Storage, attribute volumeApiName); values the sources disagree on are left out.
 */
export const PRICES_CHECKED = '2026-11';
export const PRICE_BASIS = `on-demand list price (checked ${PRICES_CHECKED}), excluding discounts and credits`;

/** AWS bills a "month" as 730 hours. */
export const HOURS_PER_MONTH = 730;

/**
 * Every public IPv4 address, attached or idle, since 2024-02-01 (BYOIP exempt).
 * @see https://aws.amazon.com/blogs/networking-and-content-delivery/identify-and-optimize-public-ipv4-address-usage-on-aws/
 */
export const PUBLIC_IPV4_USD_PER_HOUR = 0.005;
export const ELASTIC_IP_MONTHLY_USD = PUBLIC_IPV4_USD_PER_HOUR * HOURS_PER_MONTH;

/** gp3 includes this much performance; only the excess is billed. */
export const GP3_BASELINE_IOPS = 3000;
export const GP3_BASELINE_THROUGHPUT_MIBPS = 125;

interface EbsRate {
  /** $ per GB-month of provisioned size. */
  gbMonth: number;
  /** io1: $ per provisioned IOPS-month. */
  iopsMonth?: number;
  /** gp3: $ per IOPS-month above the baseline. */
  extraIopsMonth?: number;
  /** gp3: $ per MiB/s-month above the baseline. */
  extraThroughputMonth?: number;
}

/** Why a (region, type) has no number: shown in the finding instead of a guess. */
interface Unpriced {
  unpriced: string;
}

// Komiser's EBS price map and an infracost maintainer (us-east-1); independent public tables (Seoul).
const EBS_PRICES: Record<string, Record<string, EbsRate | Unpriced>> = {
  'us-east-1': {
    gp3: { gbMonth: 0.08, extraIopsMonth: 0.005, extraThroughputMonth: 0.04 },
    gp2: { gbMonth: 0.1 },
    io1: { gbMonth: 0.125, iopsMonth: 0.065 },
    io2: { unpriced: 'io2 provisioned IOPS are billed in tiers that the price table does not hold' },
    st1: { gbMonth: 0.045 },
    sc1: { gbMonth: 0.015 },
    // Per-million I/O requests are billed too, but an unattached volume makes none.
    standard: { gbMonth: 0.05 },
  },
  'ap-northeast-2': {
    // Extra IOPS $0.0057/IOPS-month: two sources read from the AWS Price List in 2026-09/10 agree. Extra
    // throughput $0.0456/MiB/s-month: one of them, and a Seoul price fixture's 46.6944 per GiBps-month (the
    // Price List's own unit; / 1024 = 0.0456); a hand-assembled fixture's 46.08 was set aside.
    gp3: { gbMonth: 0.0912, extraIopsMonth: 0.0057, extraThroughputMonth: 0.0456 },
    gp2: { gbMonth: 0.114 },
    io1: { unpriced: 'io1 price in ap-northeast-2 is unconfirmed (sources say 0.1278 or 0.142 $/GB-month)' },
    io2: { unpriced: 'io2 price in ap-northeast-2 is unconfirmed' },
    st1: { gbMonth: 0.051 },
    sc1: { unpriced: 'sc1 price in ap-northeast-2 is unconfirmed (sources say 0.0174 or 0.0285 $/GB-month)' },
    standard: { gbMonth: 0.08 },
  },
};

export interface EbsVolumeSpec {
  region: string;
  volumeType: string;
  sizeGiB: number;
  iops?: number;
  throughputMiBps?: number;
}

export type MonthlyCost = { usd: number } | { unpriced: string };

/** Monthly list price of an EBS volume, or why there is none (never a guess). */
export function ebsMonthlyCost(v: EbsVolumeSpec): MonthlyCost {
  const rate = EBS_PRICES[v.region]?.[v.volumeType];
  if (!rate) return { unpriced: `no list price for ${v.volumeType} in ${v.region} in the price table` };
  if ('unpriced' in rate) return rate;
  let usd = v.sizeGiB * rate.gbMonth;
  if (rate.iopsMonth !== undefined) usd += (v.iops ?? 0) * rate.iopsMonth;
  const extraIops = Math.max(0, (v.iops ?? 0) - GP3_BASELINE_IOPS);
  const extraThroughput = Math.max(0, (v.throughputMiBps ?? 0) - GP3_BASELINE_THROUGHPUT_MIBPS);
  if (v.volumeType === 'gp3' && (extraIops > 0 || extraThroughput > 0)) {
    if (rate.extraIopsMonth === undefined || rate.extraThroughputMonth === undefined) {
      return {
        unpriced: `gp3 IOPS/throughput above the baseline have no list price for ${v.region} in the table`,
      };
    }
    usd += extraIops * rate.extraIopsMonth + extraThroughput * rate.extraThroughputMonth;
  }
  return { usd: roundCents(usd) };
}

/** Dollars to the cent, so 0.1 + 0.2 style noise never reaches a message. */
export function roundCents(usd: number): number {
  return Math.round(usd * 100) / 100;
}

/**
 * gp2 baseline performance: 3 IOPS per GiB, at least 100 and at most 16,000; throughput follows the IOPS at
 * 256 KiB per I/O (0.75 MiB/s per GiB) up to 250 MiB/s (reached at 334 GiB).
 * @see https://docs.aws.amazon.com/ebs/latest/userguide/general-purpose.html#gp2-performance
 */
export const GP2_IOPS_PER_GIB = 3;
export const GP2_MIN_IOPS = 100;
export const GP2_MAX_IOPS = 16_000;
export const GP2_THROUGHPUT_MIBPS_PER_GIB = 0.75;
export const GP2_MAX_THROUGHPUT_MIBPS = 250;

/** The gp3 volume that matches a gp2 volume's size and baseline performance. */
export function gp3Equivalent(sizeGiB: number): { iops: number; throughputMiBps: number } {
  const gp2Iops = Math.min(GP2_MAX_IOPS, Math.max(GP2_MIN_IOPS, GP2_IOPS_PER_GIB * sizeGiB));
  const gp2Throughput = Math.min(GP2_MAX_THROUGHPUT_MIBPS, GP2_THROUGHPUT_MIBPS_PER_GIB * sizeGiB);
  return {
    iops: Math.max(GP3_BASELINE_IOPS, gp2Iops),
    throughputMiBps: Math.max(GP3_BASELINE_THROUGHPUT_MIBPS, Math.ceil(gp2Throughput)),
  };
}

export type Gp3Saving =
  | { gp2Usd: number; gp3Usd: number; savingUsd: number; iops: number; throughputMiBps: number }
  | { unpriced: string };

/** Monthly list-price saving of moving a gp2 volume to gp3 at the same size and baseline performance. */
export function gp3MonthlySaving(region: string, sizeGiB: number): Gp3Saving {
  const gp2 = ebsMonthlyCost({ region, volumeType: 'gp2', sizeGiB });
  if ('unpriced' in gp2) return gp2;
  const target = gp3Equivalent(sizeGiB);
  const gp3 = ebsMonthlyCost({ region, volumeType: 'gp3', sizeGiB, ...target });
  if ('unpriced' in gp3) return gp3;
  return { gp2Usd: gp2.usd, gp3Usd: gp3.usd, savingUsd: roundCents(gp2.usd - gp3.usd), ...target };
}

/** S3 bills a GB as 2^30 bytes. */
export const BYTES_PER_GB = 1024 ** 3;

/**
 * S3 list prices per region, checked 2026-12: S3 Standard and the Intelligent-Tiering Frequent Access tier (equal
 * in every region listed), the Infrequent Access tier (objects not read for 30 days), all for the first 50 TB per
 * account and region, and the monitoring and automation fee per 1,000 objects a month (objects of 128 KB and
 * more). The AWS S3 pricing page renders client-side from AWS's price feed (b0.p.awsstatic.com/pricing/2.0/
 * meteredUnitMaps/s3/USD/current/); the figures are that feed as dumped on 2024-09-25 in
 * github.com/StephenWetzel/aws_s3_pricing_scraper (commit 1466b742, outputs/aws_s3_cost_s3-*.csv), each checked
 * against at least one later source where one was found:
 * - us-east-1: every figure also in a "Date Retrieved: October 28, 2025" AWS Pricing API extract and a 2026-08
 *   price catalogue built from the same feed; leanopstech.com and cloudroutehq.com (2026) agree.
 * - ap-northeast-2 (Seoul): Standard $0.025 in four 2026 tables (one read from the AWS Price List offer file of
 *   2026-09-28); Infrequent $0.0138 in that same offer-file reading. Frequent Access and the monitoring fee rest
 *   on the feed dump alone.
 * - ap-northeast-1: Standard, Frequent Access and the monitoring fee also in the 2026-08 catalogue.
 * - us-west-2, eu-west-1, eu-central-1: Standard in two 2026 tables; the tiers rest on the feed dump alone.
 * Regions not listed have no number, and their findings say so rather than guess.
 */
export const S3_PRICES_CHECKED = '2026-12';

export interface S3Rate {
  /** S3 Standard (and the Intelligent-Tiering Frequent Access tier), $/GB-month, first 50 TB. */
  standardGbMonth: number;
  /** Intelligent-Tiering Infrequent Access tier, $/GB-month. */
  infrequentGbMonth: number;
  /** Intelligent-Tiering monitoring and automation, $ per 1,000 objects a month. */
  monitoringPer1000Objects: number;
}

const s3 = (standardGbMonth: number, infrequentGbMonth: number): S3Rate => ({
  standardGbMonth,
  infrequentGbMonth,
  monitoringPer1000Objects: 0.0025,
});

export const S3_US_EAST_1: S3Rate = s3(0.023, 0.0125);

const S3_PRICES: Record<string, S3Rate> = {
  'us-east-1': S3_US_EAST_1,
  'us-west-2': s3(0.023, 0.0125),
  'eu-west-1': s3(0.023, 0.0125),
  'eu-central-1': s3(0.0245, 0.0135),
  'ap-northeast-1': s3(0.025, 0.0138),
  'ap-northeast-2': s3(0.025, 0.0138),
};

export function s3Rate(region: string): S3Rate | Unpriced {
  return S3_PRICES[region] ?? { unpriced: `no S3 list price for ${region} in the price table` };
}

/** Monthly S3 Standard list price of `bytes`, at the first-50-TB rate. */
export function s3StandardMonthlyCost(region: string, bytes: number): MonthlyCost {
  const rate = s3Rate(region);
  if ('unpriced' in rate) return rate;
  return { usd: roundCents((bytes / BYTES_PER_GB) * rate.standardGbMonth) };
}

/**
 * What moving `bytes` of S3 Standard in `objects` objects to Intelligent-Tiering saves a month, when
 * `infrequentShare` of the bytes is not read for 30 days (and so moves to the Infrequent Access tier). The
 * monitoring fee is charged for every object: CloudWatch has no size distribution, so objects under 128 KB (which
 * pay none) are counted too, and the saving is never overstated by them.
 */
export function intelligentTieringSaving(
  region: string,
  bytes: number,
  objects: number,
  infrequentShare: number,
): MonthlyCost {
  const rate = s3Rate(region);
  if ('unpriced' in rate) return rate;
  const gb = bytes / BYTES_PER_GB;
  const storage = gb * infrequentShare * (rate.standardGbMonth - rate.infrequentGbMonth);
  const monitoring = (objects / 1000) * rate.monitoringPer1000Objects;
  return { usd: roundCents(storage - monitoring) };
}
