import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { delimiter, join } from 'node:path';

/** The uid/gid to run a server as: the given OS user when we are root (servers refuse root), else ourselves. */
export interface RunAs {
  uid: number;
  gid: number;
}

/** Finds each binary in the given folders, then on PATH; throws `installHint` when any is missing. */
export function findBinaries(names: string[], dirs: string[], installHint: string): string[] {
  const path = (process.env.PATH ?? '').split(delimiter);
  const found = names.map((name) =>
    [...dirs, ...path].map((dir) => join(dir, name)).find((file) => existsSync(file)),
  );
  if (found.some((file) => file === undefined)) throw new Error(installHint);
  return found as string[];
}

/** `<parent>/<version>/bin` for each installed version, newest first (Debian's layout for PostgreSQL). */
export function versionedBinDirs(parent: string): string[] {
  if (!existsSync(parent)) return [];
  return readdirSync(parent)
    .sort((a, b) => Number(b) - Number(a))
    .map((version) => join(parent, version, 'bin'));
}

export function runAsUser(user: string): RunAs | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const id = (flag: string) => Number(execFileSync('id', [flag, user], { encoding: 'utf8' }).trim());
  return { uid: id('-u'), gid: id('-g') };
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export function runToCompletion(file: string, args: string[], cwd: string, as?: RunAs): void {
  execFileSync(file, args, { cwd, stdio: 'pipe', ...as });
}

/** A started server process whose output is kept for the error message if it dies early. */
export interface ServerProcess {
  child: ChildProcess;
  output(): string;
  stop(signal: NodeJS.Signals): Promise<void>;
}

export function startServer(file: string, args: string[], cwd: string, as?: RunAs): ServerProcess {
  const child = spawn(file, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'], ...as });
  let output = '';
  const keep = (chunk: Buffer) => (output = (output + chunk.toString()).slice(-4000));
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  // A crashed or interrupted jest run must not leave servers behind.
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  return {
    child,
    output: () => output,
    stop: async (signal) => {
      process.removeListener('exit', killOnExit);
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      await exited;
    },
  };
}

/** Retries `attempt` until it resolves; fails with the server's output when it exits or time runs out. */
export async function waitUntilReady(
  server: ServerProcess,
  what: string,
  attempt: () => Promise<void>,
  timeoutMs = 60_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (server.child.exitCode !== null || server.child.signalCode !== null) {
      throw new Error(`${what} exited before accepting connections:\n${server.output()}`);
    }
    try {
      await attempt();
      return;
    } catch (error) {
      if (Date.now() > deadline) {
        throw new Error(`${what} did not accept connections in ${timeoutMs} ms:\n${server.output()}`, {
          cause: error,
        });
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

export function removeDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}
