import { startMariaDb } from './mariadb';
import { startPostgres } from './postgres';
import type { HarnessGlobals, TestServer } from './test-server';

/** Starts one PostgreSQL and one MariaDB for the whole run; URLs already set in the env are reused instead. */
async function globalSetup(): Promise<void> {
  const servers: TestServer[] = [];
  (globalThis as HarnessGlobals).guardrailTestServers = servers;
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
