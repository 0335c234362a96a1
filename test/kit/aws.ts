import type * as z from 'zod';
import { AwsConfig as AwsConfigSchema } from '../../src/aws/config';
import { createAwsProvider } from '../../src/aws/provider';
import type { CheckResult } from '../../src/core/types';
import type { ConnectionProvider } from '../../src/connectors/types';
import { checkContext, engineFields } from './check-context';
import { expectDeclared } from './check-kit';
import type { AnyCheckDefinition } from '../../checks/types';
import { checkStateFor } from '../../src/state/check-state';
import { openStateStore } from '../../src/state/open-store';
import type { StateStore } from '../../src/state/types';
import type { FakeAwsServer } from '../servers/aws/server';

export const CALLER_ACCOUNT = '111111111111';

/** Static fake credentials for the default chain (the SDK reads them from the environment). */
/** The fake AWS's credentials, for a child process's environment (no session token, no profile). */
export const FAKE_AWS_ENV = {
  AWS_ACCESS_KEY_ID: 'AKIDSTATICFAKE',
  AWS_SECRET_ACCESS_KEY: 'fake-secret',
  AWS_SESSION_TOKEN: '',
  AWS_PROFILE: '',
};

export function useFakeCredentials(): void {
  process.env.AWS_ACCESS_KEY_ID = FAKE_AWS_ENV.AWS_ACCESS_KEY_ID;
  process.env.AWS_SECRET_ACCESS_KEY = FAKE_AWS_ENV.AWS_SECRET_ACCESS_KEY;
  delete process.env.AWS_SESSION_TOKEN;
  delete process.env.AWS_PROFILE;
}

export async function memoryStore(): Promise<StateStore> {
  return openStateStore('sqlite://:memory:', process.cwd());
}

/** Runs one check the way the engine would: config through its schema, a fresh provider, the given state. */
export async function runCheck(
  check: AnyCheckDefinition,
  options: {
    server: Pick<FakeAwsServer, 'url'>;
    /** `aws:` keys as written in config (durations as text). */
    aws: Partial<Omit<z.input<typeof AwsConfigSchema>, 'endpoint'>>;
    config?: Record<string, unknown>;
    store: StateStore;
    now?: Date;
  },
): Promise<CheckResult> {
  const aws = AwsConfigSchema.parse({ region: 'us-east-1', ...options.aws, endpoint: options.server.url });
  const config = {
    ...check.configSchema.parse(options.config ?? {}),
    ...engineFields('test', check.kind),
    schedule: '* * * * *',
  };
  const ctx = checkContext({} as ConnectionProvider, {
    checkId: 'test',
    kind: check.kind,
    now: options.now ?? new Date('2026-11-20T12:00:00Z'),
    aws: createAwsProvider(aws),
    state: checkStateFor(options.store, 'test'),
  });
  const result = await check.run(ctx, config);
  expectDeclared(check, result.measurements);
  return result;
}
