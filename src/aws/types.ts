import type { AwsClientConfig } from './clients';

/** One account × region a regional check runs in. */
export interface AwsTarget {
  accountId: string;
  region: string;
  /**
   * Set when the account's regions could not be resolved (e.g. DescribeRegions or AssumeRole denied);
   * `scanTargets` reports it as a region-error finding instead of scanning.
   */
  error?: string;
}

/** AWS clients per account and region, created lazily (see src/aws/clients.ts). */
export interface AwsProvider {
  /** The account × region pairs configured for regional checks (`aws.regions`, `aws.accounts`). */
  targets(signal: AbortSignal): Promise<AwsTarget[]>;
  /** SDK client config (credentials, region, endpoint, retry) for one target. */
  clientConfig(target: AwsTarget): AwsClientConfig;
  /** The home region (`aws.region`, else AWS_REGION / AWS_DEFAULT_REGION), when known. */
  readonly homeRegion?: string;
  /** Most time one target may take within a check (`aws.targetTimeout`). @default 2m */
  readonly targetTimeoutMs?: number;
  /** Targets one check scans at once (`aws.maxConcurrency`). @default 20 */
  readonly maxConcurrency?: number;
}
