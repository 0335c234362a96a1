import type { CheckResult } from '../src/core/types';
import type { AnyCheckDefinition } from '../checks/types';
import { runCheck, memoryStore, useFakeCredentials } from '../test/kit/aws';
import type { FakeAwsServer } from '../test/servers/aws/server';

/** Runs a check once against the fake AWS and returns its result with the wall time. */
export async function timedRun(
  check: AnyCheckDefinition,
  server: Pick<FakeAwsServer, 'url'>,
  aws: Parameters<typeof runCheck>[1]['aws'],
): Promise<{ result: CheckResult; ms: number }> {
  useFakeCredentials();
  const store = await memoryStore();
  const started = performance.now();
  const result = await runCheck(check, { server, store, aws });
  const ms = performance.now() - started;
  await store.close();
  return { result, ms };
}
