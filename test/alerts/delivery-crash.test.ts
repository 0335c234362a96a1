import { spawn, type ChildProcess } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { startChatReceiver, type ChatReceiver } from '../servers/chat-receiver';
import { FAILURES } from '../servers/chat/outcomes';
import { checkResult, deliveryWorld, findings } from './delivery-world';

const ROOT = resolve(__dirname, '../..');
const HOOK = join(ROOT, 'test/servers/chat/register-ts.js');
const DRIVER = join(ROOT, 'test/servers/chat/crash-driver.ts');

function deliverInChild(
  db: string,
  url: string,
  start: number,
): { child: ChildProcess; done: Promise<string> } {
  const child = spawn(process.execPath, ['-r', HOOK, DRIVER, db, url, String(start)], { cwd: ROOT });
  let out = '';
  child.stdout!.on('data', (chunk: Buffer) => (out += String(chunk)));
  child.stderr!.on('data', (chunk: Buffer) => (out += String(chunk)));
  const done = new Promise<string>((resolve) =>
    child.on('exit', (code, signal) => resolve(`${code ?? signal} ${out}`)),
  );
  return { child, done };
}

describe('delivery killed with SIGKILL mid-way', () => {
  let receiver: ChatReceiver;
  afterEach(() => receiver?.close());

  it('delivers every message exactly once after a restart, including the one Chat created just before the kill', async () => {
    const running: { child?: ChildProcess } = {};
    let killedAt: string | undefined;
    receiver = await startChatReceiver({
      random: { seed: 3, failureRate: 0.3, failures: FAILURES },
      // Kill the process after Chat created the 25th message but before it hears back: the worst moment.
      onCreate: (message, count) => {
        if (count !== 25) return;
        killedAt = message.requestId;
        running.child?.kill('SIGKILL');
      },
    });
    const world = await deliveryWorld();
    const results = Array.from({ length: 60 }, (_, c) => checkResult(`check-${c}`, findings(`c${c}`, 17)));
    const enqueued = (await world.run(results)).notifications.map((n) => n.id);
    await world.store.close();
    const db = join(world.dir, 'state.db');

    const first = deliverInChild(db, receiver.webhookUrl(), world.now());
    running.child = first.child;
    const killed = await first.done;
    const second = await deliverInChild(db, receiver.webhookUrl(), world.now() + 3_600_000).done;

    const received = receiver.messages.map((m) => m.requestId);
    expect(killed).toMatch(/^SIGKILL/);
    expect(second).toMatch(/^0 /);
    expect(JSON.parse(second.slice(2))).toMatchObject({ pending: 0 });
    expect(new Set(received).size).toBe(received.length);
    expect([...received].sort()).toEqual([...enqueued].sort());
    expect(
      receiver.requests
        .filter((r) => r.requestId === killedAt)
        .map((r) => r.outcome)
        .at(-1),
    ).toBe('duplicate');
    rmSync(world.dir, { recursive: true, force: true });
  }, 60_000);
});
