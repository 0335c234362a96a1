import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createConnection } from 'mysql2/promise';
import {
  findBinaries,
  freePort,
  removeDir,
  runToCompletion,
  startServer,
  waitUntilReady,
} from './server-process';
import type { TestServer } from './test-server';

const INSTALL_HINT =
  'MariaDB server binaries not found (mariadbd, mariadb-install-db). Install them: apt-get install -y mariadb-server';
const USER = 'guardrail';
const PASSWORD = 'guardrail';
const DATABASE = 'guardrail_test';

/** Starts a throwaway MariaDB on a free 127.0.0.1 port, its data and socket in a fresh temp dir. */
export async function startMariaDb(): Promise<TestServer> {
  const [installDb, mariadbd] = findBinaries(
    ['mariadb-install-db', 'mariadbd'],
    ['/usr/bin', '/usr/sbin'],
    INSTALL_HINT,
  ) as [string, string];
  const dir = mkdtempSync(join(tmpdir(), 'guardrail-mariadb-'));
  const dataDir = join(dir, 'data');
  // mariadbd refuses to run as root unless told to; it needs no other user then.
  const user = process.getuid?.() === 0 ? ['--user=root'] : [];
  runToCompletion(
    installDb,
    [
      '--no-defaults',
      `--datadir=${dataDir}`,
      ...user,
      '--auth-root-authentication-method=normal',
      '--skip-test-db',
    ],
    dir,
  );

  const port = await freePort();
  const socket = join(dir, 'mariadb.sock');
  const args = [
    '--no-defaults',
    `--datadir=${dataDir}`,
    ...user,
    `--port=${port}`,
    '--bind-address=127.0.0.1',
    `--socket=${socket}`,
    `--pid-file=${join(dir, 'mariadb.pid')}`,
    '--skip-name-resolve',
    '--skip-log-bin',
    '--innodb-flush-log-at-trx-commit=0',
    '--innodb-doublewrite=0',
    '--innodb-buffer-pool-size=64M',
  ];
  const server = startServer(mariadbd, args, dir);
  try {
    await waitUntilReady(server, 'mariadbd', async () => {
      const connection = await createConnection({ socketPath: socket, user: 'root' });
      await connection.end();
    });
    const root = await createConnection({ socketPath: socket, user: 'root' });
    await root.query(`CREATE DATABASE ${DATABASE}`);
    await root.query(`CREATE USER '${USER}'@'%' IDENTIFIED BY '${PASSWORD}'`);
    await root.query(`GRANT ALL PRIVILEGES ON *.* TO '${USER}'@'%' WITH GRANT OPTION`);
    await root.end();
  } catch (error) {
    await server.stop('SIGKILL');
    removeDir(dir);
    throw error;
  }
  return {
    url: `mysql://${USER}:${PASSWORD}@127.0.0.1:${port}/${DATABASE}`,
    port,
    stop: async () => {
      await server.stop('SIGTERM');
      removeDir(dir);
    },
  };
}
