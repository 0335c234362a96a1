import { chownSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import {
  findBinaries,
  freePort,
  removeDir,
  runAsUser,
  runToCompletion,
  startServer,
  versionedBinDirs,
  waitUntilReady,
} from './server-process';
import type { TestServer } from './test-server';

const INSTALL_HINT =
  'PostgreSQL server binaries not found (initdb, postgres). Install them: apt-get install -y postgresql';
const DATABASE = 'guardrail_test';

/** Starts a throwaway PostgreSQL on a free 127.0.0.1 port, its data and socket in a fresh temp dir. */
export async function startPostgres(): Promise<TestServer> {
  const [initdb, postgres] = findBinaries(
    ['initdb', 'postgres'],
    versionedBinDirs('/usr/lib/postgresql'),
    INSTALL_HINT,
  ) as [string, string];
  const dir = mkdtempSync(join(tmpdir(), 'guardrail-pg-'));
  const as = runAsUser('postgres');
  if (as) chownSync(dir, as.uid, as.gid);
  const dataDir = join(dir, 'data');
  runToCompletion(
    initdb,
    ['-D', dataDir, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-sync'],
    dir,
    as,
  );

  const port = await freePort();
  const settings = [
    'fsync=off',
    'synchronous_commit=off',
    'full_page_writes=off',
    'listen_addresses=127.0.0.1',
  ];
  const args = ['-D', dataDir, '-p', String(port), '-k', dir, ...settings.flatMap((s) => ['-c', s])];
  const server = startServer(postgres, args, dir, as);
  const adminUrl = `postgres://postgres@127.0.0.1:${port}/postgres`;
  try {
    await waitUntilReady(server, 'postgres', async () => {
      const client = new Client({ connectionString: adminUrl });
      await client.connect();
      await client.end();
    });
    const client = new Client({ connectionString: adminUrl });
    await client.connect();
    await client.query(`CREATE DATABASE ${DATABASE}`);
    await client.end();
  } catch (error) {
    await server.stop('SIGKILL');
    removeDir(dir);
    throw error;
  }
  return {
    url: `postgres://postgres@127.0.0.1:${port}/${DATABASE}`,
    port,
    stop: async () => {
      // SIGINT is PostgreSQL's "fast shutdown": it ends sessions instead of waiting for them.
      await server.stop('SIGINT');
      removeDir(dir);
    },
  };
}
