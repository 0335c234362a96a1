import type { AwsClientConfig } from './clients';
import { CREDENTIALS_HINT, describeAwsError, noCredentials, withoutSdkLogging } from './clients';
import type { AwsConfig } from './config';
import { DEFAULT_MAX_CONCURRENCY, DEFAULT_TARGET_TIMEOUT_MS } from './config';
import { assumeRole, defaultChain, type CredentialProvider } from './credentials';
import { formatDuration } from '../core/duration';
import { untilAborted } from '../core/limit';
import { redact } from '../core/redact';
import type { AwsProvider, AwsTarget } from './types';

/** How long the list of an account's enabled regions (`regions: all`) is reused. */
const REGIONS_TTL_MS = 60 * 60_000;
const DEFAULT_MAX_ATTEMPTS = 5;
/** A TCP/TLS handshake to an AWS endpoint takes well under a second; this rides out lost packets. */
const MAX_CONNECTION_TIMEOUT_MS = 10_000;
/** One AWS API call (a page of at most 1,000 items) answers in seconds; a minute means the endpoint hangs. */
const MAX_REQUEST_TIMEOUT_MS = 60_000;

interface Account {
  id: string;
  credentials: CredentialProvider;
}

/** The AWS provider for `aws:` config; nothing is loaded or called until a check asks for targets. */
export function createAwsProvider(config: AwsConfig | undefined, env = process.env): AwsProvider {
  const homeRegion = config?.region ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION;
  const master = defaultChain();
  const targetTimeoutMs = config?.targetTimeout ?? DEFAULT_TARGET_TIMEOUT_MS;
  const base = (region: string): AwsClientConfig => ({
    region,
    ...(config?.endpoint ? { endpoint: config.endpoint } : {}),
    maxAttempts: config?.maxAttempts ?? DEFAULT_MAX_ATTEMPTS,
    retryMode: 'adaptive',
    // Checks are also cut by their timeout and each target by targetTimeout; this bounds every other caller
    // (cleanup apply, the region listing, assumed roles) and a single request that hangs within a check.
    requestHandler: {
      connectionTimeout: Math.min(MAX_CONNECTION_TIMEOUT_MS, targetTimeoutMs),
      requestTimeout: Math.min(MAX_REQUEST_TIMEOUT_MS, targetTimeoutMs),
      throwOnRequestTimeout: true,
    },
  });
  /**
   * The calls that find the targets (the caller's account, an account's regions) as a whole within
   * targetTimeout: each request was bounded, but retried, so an endpoint that accepts and never answers held the
   * check to its own timeout and ended it with "timed out", naming neither the call nor the endpoint. The call is
   * shared by the checks that ask meanwhile (its promise is cached), so it has no caller's signal: a check that
   * stopped (its timeout, a SIGTERM) made it fail for every other check waiting on it. Each caller stops waiting
   * on its own signal instead (`untilAborted`).
   */
  const bounded = async <T>(what: string, call: (s: AbortSignal) => Promise<T>) => {
    const own = AbortSignal.timeout(targetTimeoutMs);
    try {
      return await call(own);
    } catch (error) {
      if (!own.aborted) throw error;
      const where = config?.endpoint ? ` at ${redact(config.endpoint)}` : '';
      throw new Error(
        `${what}${where} did not answer within ${formatDuration(targetTimeoutMs)} (aws.targetTimeout): the AWS endpoint hangs or cannot be reached`,
        { cause: error },
      );
    }
  };
  const requireHome = (): string => {
    if (homeRegion) return homeRegion;
    throw new Error('aws.region is not set (nor AWS_REGION): set aws.region in the config');
  };

  const accounts = new Map<string, Account>();
  for (const a of config?.accounts ?? []) {
    const sts = homeRegion ? base(homeRegion) : base('us-east-1');
    accounts.set(a.id, { id: a.id, credentials: assumeRole(a, sts, master) });
  }
  let callerAccount: Promise<Account[]> | undefined;
  const listAccounts = (signal: AbortSignal): Promise<Account[]> => {
    if (accounts.size > 0) return Promise.resolve([...accounts.values()]);
    const home = requireHome();
    callerAccount ??= bounded(`STS GetCallerIdentity in ${home}`, (bound) =>
      callerIdentity(base(home), master, bound),
    ).then((id) => [{ id, credentials: master }]);
    callerAccount.catch(() => (callerAccount = undefined));
    return untilAborted(callerAccount, signal);
  };

  const regionCache = new Map<string, { at: number; regions: Promise<string[]> }>();
  const regionsOf = (account: Account, signal: AbortSignal): Promise<string[]> => {
    const regions = config?.regions;
    if (Array.isArray(regions)) return Promise.resolve(regions);
    if (regions !== 'all') return Promise.resolve([requireHome()]);
    const hit = regionCache.get(account.id);
    if (hit && Date.now() - hit.at < REGIONS_TTL_MS) return untilAborted(hit.regions, signal);
    const home = requireHome();
    const loading = bounded(`EC2 DescribeRegions in ${home} for account ${account.id}`, (bound) =>
      enabledRegions({ ...base(home), credentials: account.credentials }, bound),
    );
    regionCache.set(account.id, { at: Date.now(), regions: loading });
    loading.catch(() => regionCache.delete(account.id));
    return untilAborted(loading, signal);
  };

  return {
    ...(homeRegion ? { homeRegion } : {}),
    maxConcurrency: config?.maxConcurrency ?? DEFAULT_MAX_CONCURRENCY,
    targetTimeoutMs,
    async targets(signal) {
      const perAccount = await Promise.all(
        (await listAccounts(signal)).map(async (account): Promise<AwsTarget[]> => {
          try {
            const regions = await regionsOf(account, signal);
            return regions.map((region) => ({ accountId: account.id, region }));
          } catch (error) {
            if (signal.aborted) throw error;
            // One account's failure must not hide the others: the fan-out turns this into a finding.
            return [{ accountId: account.id, region: requireHome(), error: describeAwsError(error) }];
          }
        }),
      );
      return perAccount.flat();
    },
    clientConfig(target) {
      const account = accounts.get(target.accountId);
      return { ...base(target.region), credentials: account?.credentials ?? master };
    },
  };
}

async function callerIdentity(
  config: AwsClientConfig,
  credentials: CredentialProvider,
  signal: AbortSignal,
): Promise<string> {
  const { STSClient, GetCallerIdentityCommand } = await import('./sdk/sts.js');
  const sts = withoutSdkLogging(new STSClient({ ...config, credentials }));
  try {
    const out = await sts
      .send(new GetCallerIdentityCommand({}), { abortSignal: signal })
      .catch((error: unknown) => {
        // The first AWS call of a run: where missing credentials show, as "from any providers" and nothing more.
        if (!noCredentials(error)) throw error;
        throw new Error(`${(error as Error).message} (${CREDENTIALS_HINT})`, { cause: error });
      });
    if (!out.Account) throw new Error('STS GetCallerIdentity returned no account id');
    return out.Account;
  } finally {
    sts.destroy();
  }
}

/** DescribeRegions without AllRegions lists the regions enabled for the account (opted-in included). */
async function enabledRegions(config: AwsClientConfig, signal: AbortSignal): Promise<string[]> {
  const { EC2Client, DescribeRegionsCommand } = await import('./sdk/ec2.js');
  const ec2 = withoutSdkLogging(new EC2Client(config));
  try {
    const out = await ec2.send(new DescribeRegionsCommand({}), { abortSignal: signal });
    return (out.Regions ?? []).flatMap((r) => (r.RegionName ? [r.RegionName] : [])).sort();
  } finally {
    ec2.destroy();
  }
}

/** IAM actions the provider itself calls in each account, besides the checks' own (`guardrail iam-policy`). */
export function providerPermissions(config: Pick<AwsConfig, 'regions'> | undefined): string[] {
  return config?.regions === 'all' ? ['ec2:DescribeRegions'] : [];
}
