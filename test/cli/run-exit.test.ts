import { spawn } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { startBlackHole, type BlackHole } from '../servers/black-hole';
import { startChatReceiver, type ChatReceiver } from '../servers/chat-receiver';
import { startFixedAnswer, type FixedAnswer } from '../servers/fixed-answer';

// The built entry point, run as the image runs it.
const CLI = join(__dirname, '../../dist/src/cli/main.js');
const QUICKSTART = join(__dirname, '../../examples/quickstart');

/** The quickstart with a second check whose source never answers (`hole`), and optionally a Chat channel. */
function config(hole: BlackHole, chatUrl?: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'guardrail-exit-'));
  cpSync(QUICKSTART, dir, { recursive: true, filter: (src) => !src.includes('.guardrail') });
  const file = join(dir, 'guardrail.yaml');
  let text = readFileSync(file, 'utf8')
    .replace(
      'connections:\n',
      `connections:\n  hole: { type: postgres, url: 'postgres://u:p@127.0.0.1:${hole.port}/db', statementTimeout: 60s }\n`,
    )
    .replace(
      'checks:\n',
      'checks:\n  - { id: hung, kind: row-count-consistency, source: hole, target: target, timeout: 60s,' +
        ' tables: [{ source: shop.orders, target: shop_raw.orders }] }\n',
    );
  if (chatUrl) {
    text = text
      .replace(
        '    console: { type: console }\n',
        `    console: { type: console }\n    chat: { type: google-chat, webhookUrl: '${chatUrl}' }\n`,
      )
      .replace(
        '    - { channel: console }\n',
        '    - { match: { check: shop-consistency }, channel: chat }\n    - { channel: console }\n',
      );
  }
  writeFileSync(file, text);
  return file;
}

interface Ended {
  code: number | null;
  stdout: string;
  stderr: string;
  ms: number;
}

/** Starts `guardrail run`, calls `during` once it has logged that it runs, and waits for the exit. */
/**
 * `guardrail run` with `args`; `during` is called with its pid once `ready()` holds (polled), or by default 300 ms
 * after the quickstart check has counted its tables.
 */
function run(
  args: string[],
  env: NodeJS.ProcessEnv,
  during?: (pid: number) => void,
  ready?: () => boolean,
): Promise<Ended> {
  const started = Date.now();
  const child = spawn(process.execPath, [CLI, 'run', ...args], {
    env: { PATH: process.env.PATH, GUARDRAIL_LOG_LEVEL: 'debug', ...env },
  });
  let stdout = '';
  let stderr = '';
  let signalled = false;
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => {
    stderr += d.toString();
    // The quickstart check has counted its tables: the run is under way and `hung` waits on the black hole.
    if (!signalled && during && !ready && stderr.includes('counting rows')) {
      signalled = true;
      setTimeout(() => during(child.pid!), 300);
    }
  });
  const poll =
    during && ready
      ? setInterval(() => {
          if (signalled || !ready()) return;
          signalled = true;
          during(child.pid!);
        }, 20)
      : undefined;
  return new Promise((resolve) =>
    child.on('close', (code) => {
      clearInterval(poll);
      resolve({ code, stdout, stderr, ms: Date.now() - started });
    }),
  );
}

describe('guardrail run: signals and exit codes', () => {
  let hole: BlackHole;
  beforeEach(async () => {
    hole = await startBlackHole();
  });
  afterEach(() => hole.close());

  it('on SIGTERM lets the checks run for the grace period, then aborts the hung one and still alerts (exit 3)', async () => {
    const file = config(hole);

    const ended = await run(
      ['--config', file, '--format', 'json'],
      { GUARDRAIL_SHUTDOWN_GRACE: '1s' },
      (pid) => process.kill(pid, 'SIGTERM'),
    );

    expect(ended.code).toBe(3);
    expect(ended.ms).toBeLessThan(15_000);
    const report = JSON.parse(ended.stdout);
    const statuses = Object.fromEntries(
      report.checks.map((c: { id: string; status: string }) => [c.id, c.status]),
    );
    expect(statuses).toEqual({ 'shop-consistency': 'firing', hung: 'skipped' });
    expect(report.notifications).toMatchObject({ sent: 1, pending: 0 });
  }, 30_000);

  it('exits at once on a second signal during the grace period', async () => {
    const file = config(hole);

    const ended = await run(['--config', file], { GUARDRAIL_SHUTDOWN_GRACE: '60s' }, (pid) => {
      process.kill(pid, 'SIGTERM');
      setTimeout(() => process.kill(pid, 'SIGTERM'), 300);
    });

    expect(ended.code).toBe(143);
    expect(ended.ms).toBeLessThan(15_000);
    expect(ended.stderr).toContain('second signal: exiting at once');
  }, 30_000);

  describe('with a Chat webhook that rejects every message', () => {
    let chat: ChatReceiver;
    beforeEach(async () => {
      chat = await startChatReceiver({ schedule: Array(10).fill('404') });
    });
    afterEach(() => chat.close());

    it('exits 4 and says which channel did not deliver and why, after one attempt', async () => {
      const file = config(hole, chat.webhookUrl());
      writeFileSync(file, readFileSync(file, 'utf8').replace(/\n {2}- \{ id: hung[^\n]*\n/, '\n'));

      const ended = await run(['--config', file, '--format', 'json'], {});

      expect(ended.code).toBe(4);
      // The agent's health notice goes to the console in a second delivery pass: the 404 webhook is not retried.
      expect(chat.requests.map((r) => r.outcome)).toEqual(['404']);
      const report = JSON.parse(ended.stdout);
      expect(report.notifications).toMatchObject({ failed: 1, pending: 1 });
      expect(report.notifications.undelivered).toEqual([
        expect.objectContaining({ channel: 'chat', pending: 1, reason: expect.stringContaining('HTTP 404') }),
      ]);
      expect(ended.stdout).not.toContain(chat.webhookUrl());
    }, 30_000);

    it('a dry run afterwards counts the waiting message as pending, posts nothing and exits 0', async () => {
      const file = config(hole, chat.webhookUrl());
      writeFileSync(file, readFileSync(file, 'utf8').replace(/\n {2}- \{ id: hung[^\n]*\n/, '\n'));
      await run(['--config', file], {});
      const posted = chat.requests.length;

      const dry = await run(['--config', file, '--dry-run', '--format', 'json'], {});

      expect(dry.code).toBe(0);
      expect(JSON.parse(dry.stdout).notifications).toMatchObject({ sent: 0, failed: 0, pending: 1 });
      expect(dry.stderr).toContain(
        '--- 1 message of an earlier run waits in the outbox: a run would deliver it ---',
      );
      expect(chat.requests).toHaveLength(posted);
    }, 30_000);
  });

  describe('with a slow Chat webhook and two runs at the same moment', () => {
    let chat: FixedAnswer;
    beforeEach(async () => {
      const created = JSON.stringify({ name: 'spaces/AAAAproxy/messages/m1' });
      chat = await startFixedAnswer(200, 'application/json', created, 6000);
    });
    afterEach(() => chat.close());

    it('the run that finds the message claimed by the other says so and exits 0; the other delivers it', async () => {
      const file = config(hole, chat.webhookUrl);
      const text = readFileSync(file, 'utf8').replace(/\n {2}- \{ id: hung[^\n]*\n/, '\n');
      writeFileSync(file, text.replace('alerts:\n', 'alerts:\n  deliveryBudget: 20s\n'));
      // The same state store (the config's folder), with a delivery budget shorter than a 30 s claim.
      const second = join(dirname(file), 'second.yaml');
      writeFileSync(second, text.replace('alerts:\n', 'alerts:\n  deliveryBudget: 1s\n'));

      const first = run(['--config', file, '--format', 'json'], {});
      while (chat.requests === 0) await new Promise((resolve) => setTimeout(resolve, 20));
      const late = await run(['--config', second], {});
      const early = await first;

      expect(late.code).toBe(0);
      expect(late.stdout).toContain(
        'LEFT TO ANOTHER RUN: chat (1 waiting): another run holds the delivery claim of its message; that run or the next delivers it',
      );
      expect(late.stdout).not.toContain('NOT DELIVERED');
      expect(early.code).toBe(0);
      expect(JSON.parse(early.stdout).notifications).toMatchObject({ sent: 1, pending: 0 });
      expect(chat.requests).toBe(1);
    }, 30_000);
  });

  describe('with a Chat webhook that never answers', () => {
    let chat: ChatReceiver;
    beforeEach(async () => {
      chat = await startChatReceiver({ schedule: Array(10).fill('hang') });
    });
    afterEach(() => chat.close());

    it('on SIGTERM after the checks, delivers for 5 s more at most, not the grace nor the budget', async () => {
      const file = config(hole, chat.webhookUrl());
      writeFileSync(
        file,
        readFileSync(file, 'utf8')
          .replace(/\n {2}- \{ id: hung[^\n]*\n/, '\n')
          .replace('alerts:\n', 'alerts:\n  deliveryBudget: 40s\n'),
      );

      // Once the webhook has the first post: the checks have ended (a fixed delay raced a slow count under load).
      const ended = await run(
        ['--config', file],
        { GUARDRAIL_SHUTDOWN_GRACE: '30s' },
        (pid) => process.kill(pid, 'SIGTERM'),
        () => chat.requests.length > 0,
      );

      expect(ended.stderr).toContain('stopping: delivering what it has');
      expect(ended.code).toBe(4);
      expect(ended.ms).toBeLessThan(15_000);
    }, 60_000);
  });

  describe('with a Chat webhook that rejects the message itself (HTTP 400)', () => {
    let chat: ChatReceiver;
    beforeEach(async () => {
      chat = await startChatReceiver({ schedule: ['400'] });
    });
    afterEach(() => chat.close());

    it('exits 4, names the 400 and raises the agent finding on the console: the alert is not lost unseen', async () => {
      const file = config(hole, chat.webhookUrl());
      writeFileSync(file, readFileSync(file, 'utf8').replace(/\n {2}- \{ id: hung[^\n]*\n/, '\n'));

      const ended = await run(['--config', file, '--format', 'json'], {});

      expect(ended.code).toBe(4);
      const report = JSON.parse(ended.stdout);
      expect(report.notifications).toMatchObject({ failed: 1, dropped: 1 });
      expect(report.notifications.undelivered).toEqual([
        expect.objectContaining({
          channel: 'chat',
          pending: 0,
          reason: expect.stringMatching(/^rejected 1 message \(HTTP 400\), dropped: /),
        }),
      ]);
      const agent = report.checks.find((c: { id: string }) => c.id === 'guardrail-agent');
      expect(agent.findings).toEqual([
        expect.objectContaining({
          key: expect.stringMatching(/^message-rejected:chat:/),
          severity: 'critical',
        }),
      ]);
      expect(ended.stdout).not.toContain(chat.webhookUrl());
    }, 30_000);
  });
});
