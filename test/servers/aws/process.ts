import { fork, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import type { ChildStart } from './child';
import type { FakeAwsOptions, RecordedCall } from './server';

/** The fake AWS in a child process, so that answering never competes with the client for its event loop. */
export interface FakeAwsProcess {
  url: string;
  calls(): Promise<RecordedCall[]>;
  close(): Promise<void>;
}

const REGISTER_TS = join(__dirname, '../../../bench/register.js');

/** Starts `child.ts` with the given estate (frozen: item XML rendered once) and latency added to every call. */
export async function startFakeAwsProcess(options: FakeAwsOptions, latencyMs = 0): Promise<FakeAwsProcess> {
  const child = fork(join(__dirname, 'child.ts'), [], {
    execArgv: ['-r', REGISTER_TS],
    serialization: 'advanced',
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const start: ChildStart = { options, latencyMs };
  child.send(start);
  const { url } = (await reply(child)) as { url: string };
  return {
    url,
    async calls() {
      child.send('calls');
      return ((await reply(child)) as { calls: RecordedCall[] }).calls;
    },
    async close() {
      const exited = once(child, 'exit');
      child.send('close');
      await exited;
    },
  };
}

async function reply(child: ChildProcess): Promise<unknown> {
  const [message] = (await Promise.race([
    once(child, 'message'),
    once(child, 'exit').then(([code]) => {
      throw new Error(`fake AWS process exited (${String(code)})`);
    }),
  ])) as [unknown];
  return message;
}
