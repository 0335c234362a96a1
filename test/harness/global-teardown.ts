import type { HarnessGlobals } from './test-server';

async function globalTeardown(): Promise<void> {
  const servers = (globalThis as HarnessGlobals).guardrailTestServers ?? [];
  await Promise.all(servers.map((server) => server.stop()));
}

// Jest loads the module itself as the hook, so this file cannot use a named export.
module.exports = globalTeardown;
