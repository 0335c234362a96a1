import type { AwsClientConfig } from './clients';

interface Identity {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
  expiration?: Date;
}
export type CredentialProvider = () => Promise<Identity>;

/** Refresh temporary credentials this long before they expire. */
const REFRESH_BEFORE_EXPIRY_MS = 5 * 60_000;
const SESSION_NAME = 'guardrail';

// SDK clients memoize credentials per client; Guardrail creates a client per target and run, so without
// this every client would call AssumeRole (or IMDS) again.
export function memoizeCredentials(load: CredentialProvider): CredentialProvider {
  let cached: Promise<Identity> | undefined;
  return () => {
    if (cached) {
      const current = cached;
      cached = current.then((identity) => {
        const expires = identity.expiration?.getTime();
        return expires !== undefined && expires - Date.now() < REFRESH_BEFORE_EXPIRY_MS ? load() : identity;
      });
    } else {
      cached = load();
    }
    const result = cached;
    result.catch(() => {
      if (cached === result) cached = undefined;
    });
    return result;
  };
}

/** The default chain (env, SSO, profile, container, IMDS), loaded on first use. */
export function defaultChain(): CredentialProvider {
  return memoizeCredentials(async () => {
    const { fromNodeProviderChain } = await import('./sdk/credentials.js');
    return fromNodeProviderChain()();
  });
}

/** Temporary credentials of `roleArn`, from STS AssumeRole signed by `master`. */
export function assumeRole(
  role: { roleArn: string; externalId?: string },
  sts: Omit<AwsClientConfig, 'credentials'>,
  master: CredentialProvider,
): CredentialProvider {
  return memoizeCredentials(async () => {
    const { fromTemporaryCredentials } = await import('./sdk/credentials.js');
    const provider = fromTemporaryCredentials({
      params: { RoleArn: role.roleArn, ExternalId: role.externalId, RoleSessionName: SESSION_NAME },
      masterCredentials: master,
      clientConfig: { ...sts },
    });
    return provider();
  });
}
