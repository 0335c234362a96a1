import * as z from '../core/zod';
import { timeout } from '../core/fields';

/** @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_identifiers.html */
const ACCOUNT_ID = /^\d{12}$/;
const REGION = /^[a-z]{2}(-[a-z]+)+-\d+$/;

/**
 * Default number of account × region targets a check scans at once. EC2 rate limits are per account and
 * region, so 17 regions need not queue behind each other; the limit only bounds sockets and memory.
 * @see https://docs.aws.amazon.com/ec2/latest/devguide/ec2-api-throttling.html
 */
export const DEFAULT_MAX_CONCURRENCY = 20;

/**
 * Default time one account × region may take within a check. A region that hangs past it becomes a
 * `region-error` finding, and the other regions are still reported (instead of the whole check timing out).
 */
export const DEFAULT_TARGET_TIMEOUT_MS = 2 * 60_000;

export const AwsAccount = z.strictObject({
  /** The 12-digit account id; labels findings and measurements. */
  id: z.string().regex(ACCOUNT_ID, { error: 'account id must be 12 digits' }),
  /** Role assumed with STS in that account (the default credential chain signs the AssumeRole call). */
  roleArn: z
    .string()
    .startsWith('arn:aws', { error: 'roleArn must be an IAM role ARN (arn:aws...:iam::...:role/...)' }),
  /** @see https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_common-scenarios_third-party.html */
  externalId: z.string().min(2).optional(),
});
export type AwsAccount = z.infer<typeof AwsAccount>;

const Region = z
  .string()
  .regex(REGION, { error: (iss) => `'${String(iss.input)}' is not an AWS region name` });

/** The top-level `aws:` key. */
export const AwsConfig = z.strictObject({
  /** Home region: STS, DescribeRegions, and the default for `regions`. */
  region: Region.optional(),
  /** Regions the regional checks fan out over; `all` = the regions enabled in each account. @default [region] */
  regions: z.union([z.literal('all'), z.array(Region).min(1)]).optional(),
  /** Endpoint override for every AWS client (tests, emulators); empty = unset. */
  endpoint: z.preprocess(
    (v) => (v === '' || v === null ? undefined : v),
    z.url({ error: 'endpoint must be a URL such as http://127.0.0.1:4566' }).optional(),
  ),
  /** Accounts reached by assuming a role; omitted = the default credential chain's own account. */
  accounts: z.array(AwsAccount).min(1).optional(),
  /** Account × region targets scanned at once by one check. @default 20 */
  maxConcurrency: z.int().min(1).max(64).default(DEFAULT_MAX_CONCURRENCY),
  /**
   * Most time one account × region may take within a check (past it, that target is a region error), and finding
   * the accounts and regions may take before the check (the caller's account, `regions: all`). @default 2m
   */
  targetTimeout: timeout().default(DEFAULT_TARGET_TIMEOUT_MS),
  /** SDK attempts per API call (adaptive retry: throttling is retried with client-side rate limiting). @default 5 */
  maxAttempts: z.int().min(1).max(20).default(5),
});
export type AwsConfig = z.infer<typeof AwsConfig>;
