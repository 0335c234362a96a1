/** SDK v3 client settings shared by every AWS client Guardrail creates. */
export interface AwsClientConfig {
  region: string;
  endpoint?: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- SDK credential provider types differ per package version
  credentials?: any;
  maxAttempts?: number;
  retryMode?: 'standard' | 'adaptive';
  /**
   * HTTP bounds of every request (the SDK's own default waits for ever on an endpoint that never answers).
   * `throwOnRequestTimeout`: without it, @smithy/node-http-handler only logs a warning when requestTimeout
   * passes and keeps waiting (seen with the pinned SDK, 2026-12).
   */
  requestHandler?: { connectionTimeout: number; requestTimeout: number; throwOnRequestTimeout: true };
}

/** Minimal shape of an SDK error, whatever the protocol that raised it. */
interface SdkErrorLike {
  name?: string;
  Code?: string;
  message?: string;
  $metadata?: { httpStatusCode?: number };
}

/** Said after the SDK's "Could not load credentials from any providers", which names nothing to set. */
export const CREDENTIALS_HINT =
  'set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or AWS_PROFILE, or run with an IAM role (an instance ' +
  'profile, an ECS task role, EKS IRSA or Pod Identity); `guardrail iam-policy` prints what the role needs';

/**
 * The SDK's default chain found no credentials at all (not a wrong profile or an expired SSO session, which say
 * so themselves).
 */
export function noCredentials(error: unknown): boolean {
  return (
    (error as { name?: unknown } | undefined)?.name === 'CredentialsProviderError' &&
    /from any providers/i.test((error as { message?: unknown }).message as string)
  );
}

/** `AccessDenied: User ... is not authorized` — the AWS error code first, for findings and logs. */
export function describeAwsError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const e = error as SdkErrorLike;
  const code = e.Code ?? e.name;
  const message = e.message || `HTTP ${e.$metadata?.httpStatusCode ?? '?'}`;
  const text = code && code !== 'Error' && !message.startsWith(code) ? `${code}: ${message}` : message;
  return noCredentials(error) ? `${text} (${CREDENTIALS_HINT})` : text;
}

/** What `withoutSdkLogging` needs of an SDK v3 client. */
interface SdkClientLike {
  middlewareStack: { remove(name: string): boolean };
}

/**
 * Guardrail never gives the SDK a logger, yet the SDK's logger middleware still copies every response
 * through its sensitive-data filter for the no-op logger: ~3 ms of CPU per 500-volume DescribeVolumes page.
 */
export function withoutSdkLogging<C extends SdkClientLike>(client: C): C {
  client.middlewareStack.remove('loggerMiddleware');
  return client;
}
