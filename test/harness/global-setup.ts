import { chmodSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startMariaDb } from './mariadb';
import { startPostgres } from './postgres';
import type { HarnessGlobals, TestServer } from './test-server';

/**
 * Gives the run a temporary folder of its own, as TMPDIR, so that every folder a test, a server or a CLI it starts
 * makes under os.tmpdir() goes when the run ends (global-teardown), also those a failing test left behind; then
 * starts one PostgreSQL and one MariaDB for the whole run (URLs already set in the env are reused instead). Jest
 * starts its workers after this hook, with this process's environment.
 */
async function globalSetup(): Promise<void> {
  const tmp = mkdtempSync(join(tmpdir(), 'guardrail-tests-'));
  chmodSync(tmp, 0o711); // run as root, the servers run as their own users and must reach their folders in it
  process.env.TMPDIR = tmp;
  const servers: TestServer[] = [];
  Object.assign(globalThis as HarnessGlobals, { guardrailTestServers: servers, guardrailTestTmp: tmp });
  const start = async (
    name: 'GUARDRAIL_TEST_PG_URL' | 'GUARDRAIL_TEST_MYSQL_URL',
    run: () => Promise<TestServer>,
  ) => {
    if (process.env[name]) return;
    const server = await run();
    servers.push(server);
    process.env[name] = server.url;
  };
  const results = await Promise.allSettled([
    start('GUARDRAIL_TEST_PG_URL', startPostgres),
    start('GUARDRAIL_TEST_MYSQL_URL', startMariaDb),
  ]);
  const failed = results.find((result) => result.status === 'rejected');
  if (failed) {
    await Promise.all(servers.map((server) => server.stop()));
    throw failed.reason;
  }
}

// Jest loads the module itself as the hook, so this file cannot use a named export.
module.exports = globalSetup;
