import { rmSync } from 'node:fs';
import type { HarnessGlobals } from './test-server';

async function globalTeardown(): Promise<void> {
  const { guardrailTestServers: servers = [], guardrailTestTmp: tmp } = globalThis as HarnessGlobals;
  await Promise.all(servers.map((server) => server.stop()));
  if (tmp) rmSync(tmp, { recursive: true, force: true });
}

// Jest loads the module itself as the hook, so this file cannot use a named export.
module.exports = globalTeardown;
