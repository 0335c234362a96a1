import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { openStateStore } from '../../src/state/open-store';
import { freshPgDatabase } from '../harness/databases';
import { announce, announcedKeys, roundKeys } from './announce-run';
import { engines, removeTempDirs } from './engines';

const ROOT = join(__dirname, '../..');
const HOOK = join(ROOT, 'test/servers/chat/register-ts.js');
const CHILD = join(__dirname, 'fixtures', 'announce-rounds.ts');
const ROUNDS = 50;

afterAll(removeTempDirs);

describe.each(engines)('%s: two stores deciding on the same check at once', (_engine, newUrl) => {
  it(`announce a new finding once per round, over ${ROUNDS} rounds`, async () => {
    const url = await newUrl();
    const stores = [await openStateStore(url, '/'), await openStateStore(url, '/')];
    const enqueued: number[] = [];

    try {
      for (let round = 0; round < ROUNDS; round++) {
        enqueued.push(
          (await Promise.all(stores.map((store) => announce(store, round)))).reduce((a, b) => a + b),
        );
      }
      expect(await announcedKeys(stores[0]!)).toEqual(roundKeys(ROUNDS));
    } finally {
      await Promise.all(stores.map((store) => store.close()));
    }
    expect(enqueued).toEqual(Array.from({ length: ROUNDS }, () => 1));
  });
});

describe('two processes running the pipeline on one PostgreSQL state store', () => {
  it('announce each new finding once', async () => {
    const url = await freshPgDatabase('race_processes');
    await (await openStateStore(url, '/')).close(); // migrated once, so both children start on the same schema
    const rounds = 30;

    const children = await Promise.all([1, 2].map(() => startChild(url, rounds)));
    children.forEach((child) => child.go());
    const enqueued = await Promise.all(children.map((child) => child.done));

    expect(enqueued.reduce((a, b) => a + b)).toBe(rounds);
    const store = await openStateStore(url, '/');
    try {
      expect(await announcedKeys(store)).toEqual(roundKeys(rounds));
    } finally {
      await store.close();
    }
  });
});

interface Child {
  go(): void;
  /** The number of messages the child enqueued. */
  done: Promise<number>;
}

async function startChild(url: string, rounds: number): Promise<Child> {
  const child = spawn(process.execPath, ['-r', HOOK, CHILD, url, String(rounds)], { stdio: 'pipe' });
  let stdout = '';
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  await new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      if (stdout.includes('ready')) resolve();
    });
    void exited.then((code) => reject(new Error(`child exited with ${code} before it was ready: ${stderr}`)));
  });
  const done = exited.then((code) => {
    const match = /enqueued (\d+)/.exec(stdout);
    if (code !== 0 || !match) throw new Error(`child exited with ${code}: ${stderr}`);
    return Number(match[1]);
  });
  return { go: () => child.stdin.write('go\n'), done };
}
