import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// The built entry point, as the Docker image runs it (`npm run build` first).
const CLI = join(__dirname, '../../dist/src/cli/main.js');
const QUICKSTART = join(__dirname, '../../examples/quickstart');

/** A private copy of the quickstart (its state file must not be shared), with text replaced and appended. */
export function quickstartCopy(change: { append?: string; edits?: [string, string][] } = {}): string {
  const dir = mkdtempSync(join(tmpdir(), 'guardrail-serve-'));
  cpSync(QUICKSTART, dir, { recursive: true, filter: (src) => !src.includes('.guardrail') });
  const file = join(dir, 'guardrail.yaml');
  let text = readFileSync(file, 'utf8');
  for (const [from, to] of change.edits ?? []) {
    if (!text.includes(from)) throw new Error(`quickstart has no '${from}'`);
    text = text.replace(from, to);
  }
  writeFileSync(file, text + (change.append ?? ''));
  return file;
}

/** One `guardrail serve` child: its port once it listens, its output so far, its exit. */
export interface ServeProcess {
  child: ChildProcessWithoutNullStreams;
  port: number;
  stdout(): string;
  /** The JSON log lines on stderr so far. */
  logs(): Record<string, unknown>[];
  exited: Promise<number | null>;
}

export async function startServe(config: string, args: string[] = []): Promise<ServeProcess> {
  const child = spawn(process.execPath, [CLI, 'serve', '--config', config, ...args], {
    env: { PATH: process.env.PATH, GUARDRAIL_LOG_LEVEL: 'info' },
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const port = await new Promise<number>((resolve, reject) => {
    const onData = () => {
      const match = /"port":(\d+)/.exec(stderr);
      if (match) resolve(Number(match[1]));
    };
    child.stderr.on('data', onData);
    void exited.then((code) => reject(new Error(`serve exited early (${code}): ${stderr}`)));
  });
  const logs = () =>
    stderr
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as Record<string, unknown>);
  return { child, port, stdout: () => stdout, logs, exited };
}

export function get(port: number, path: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    request({ host: '127.0.0.1', port, path }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    })
      .on('error', reject)
      .end();
  });
}

/** Polls `probe` until it returns a value (not undefined), or fails after `timeoutMs`. */
export async function waitFor<T>(
  probe: () => Promise<T | undefined> | T | undefined,
  timeoutMs: number,
  what: string,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Resolves the exit code, or 'running' when the process is still alive after `ms`. */
export async function exitWithin(serve: ServeProcess, ms: number): Promise<number | null | 'running'> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<'running'>((resolve) => (timer = setTimeout(() => resolve('running'), ms)));
  try {
    return await Promise.race([serve.exited, late]);
  } finally {
    clearTimeout(timer);
  }
}
