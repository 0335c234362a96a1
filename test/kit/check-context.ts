import pino from 'pino';
import type { AwsProvider } from '../../src/aws/types';
import type { CheckCommon, CheckState, Progress } from '../../src/core/types';
import type { CheckContext } from '../../checks/types';
import { ConnectionConfig } from '../../src/connectors/config';
import { createConnectionProvider } from '../../src/connectors/provider';
import type { ConnectionProvider } from '../../src/connectors/types';
import { RowCountConsistencyConfig } from '../../checks/row-count-consistency/schema';

export const silentLog = pino({ level: 'silent' });

const noAws: AwsProvider = {
  targets: async () => [],
  clientConfig: () => ({ region: 'us-east-1' }),
};

/** A check context over real connectors, for one run at `now`. */
export function checkContext(
  connections: ConnectionProvider,
  opts: {
    now?: Date;
    configDir?: string;
    signal?: AbortSignal;
    progress?: Progress[];
    checkId?: string;
    kind?: string;
    aws?: AwsProvider;
    state?: CheckState;
  } = {},
): CheckContext {
  return {
    checkId: opts.checkId ?? 'consistency',
    kind: opts.kind ?? 'row-count-consistency',
    signal: opts.signal ?? new AbortController().signal,
    log: silentLog,
    now: opts.now ?? new Date(),
    configDir: opts.configDir ?? process.cwd(),
    connections,
    aws: opts.aws ?? noAws,
    state: opts.state ?? {
      getWatermark: async () => undefined,
      setWatermark: async () => undefined,
      observe: async () => new Map(),
    },
    progress: (p) => opts.progress?.push(p),
  };
}

export function provider(
  connections: Record<string, unknown>,
  configDir = process.cwd(),
  extra: { aws?: AwsProvider; gcp?: { projectId?: string; location?: string; apiEndpoint?: string } } = {},
): ConnectionProvider {
  const parsed: Record<string, ConnectionConfig> = {};
  for (const [name, raw] of Object.entries(connections)) parsed[name] = ConnectionConfig.parse(raw);
  return createConnectionProvider(parsed, { configDir, log: silentLog, ...extra });
}

/** AWS clients pointed at a loopback server, with static credentials. */
export function loopbackAws(endpoint: string): AwsProvider {
  return {
    targets: async () => [{ accountId: '123456789012', region: 'us-east-1' }],
    clientConfig: ({ region }) => ({
      region,
      endpoint,
      credentials: { accessKeyId: 'AKIDTEST', secretAccessKey: 'secret' },
      maxAttempts: 3,
    }),
  };
}

/** The keys the engine adds to every check's own config. */
export function engineFields(id: string, kind: string): CheckCommon {
  return { id, kind, enabled: true, schedule: '*/5 * * * *', timeoutMs: 60_000 };
}

/** Parses the row-count check's own keys and adds what the engine would. */
export function checkConfig(raw: Record<string, unknown>): RowCountConsistencyConfig & CheckCommon {
  return { ...RowCountConsistencyConfig.parse(raw), ...engineFields('consistency', 'row-count-consistency') };
}
