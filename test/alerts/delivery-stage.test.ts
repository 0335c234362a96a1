import { tmpdir } from 'node:os';
import pino from 'pino';
import { AlertsConfig } from '../../alerts/config';
import { alertStage, failedToDeliver, type AlertingOptions } from '../../alerts/stage';
import type { Channel } from '../../alerts/types';
import { AGENT_CHECK_ID, type CheckRunResult } from '../../src/core/types';
import { openStateStore } from '../../src/state/open-store';
import type { StateStore } from '../../src/state/types';
import { startChatReceiver, type ChatReceiver } from '../servers/chat-receiver';
import { startFixedAnswer, type FixedAnswer } from '../servers/fixed-answer';
import { engines, removeTempDirs } from '../state/engines';
import { chatChannel, checkResult, deliveryWorld, enqueue, findings, MINUTE } from './delivery-world';

type World = Awaited<ReturnType<typeof deliveryWorld>>;

/** The alerting stage of one run, with the real clock (as `guardrail run` has it). */
function stage(
  store: StateStore,
  channels: Map<string, Channel>,
  results: CheckRunResult[],
  extra: Partial<AlertingOptions> & { deliveryBudget?: string } = {},
) {
  const { deliveryBudget = '5s', ...options } = extra;
  const config = AlertsConfig.parse({
    routes: [{ match: { check: 'orders' }, channel: 'team' }, { channel: 'ops' }],
    deliveryBudget,
  });
  return alertStage(results, {
    store,
    channels,
    config,
    log: pino({ level: 'silent' }),
    now: new Date(),
    out: () => undefined,
    ...options,
  });
}

describe('the alerting stage of a run', () => {
  let world: World;
  const receivers: ChatReceiver[] = [];
  const receiver = async (options: Parameters<typeof startChatReceiver>[0] = {}) => {
    const started = await startChatReceiver(options);
    receivers.push(started);
    return started;
  };
  beforeEach(async () => (world = await deliveryWorld(Date.now())));
  afterEach(async () => {
    await Promise.all(receivers.splice(0).map((r) => r.close()));
    await world.close();
  });

  it('posts to a webhook answering 404 once per run, though the health notice takes a second delivery pass', async () => {
    const gone = await receiver({ schedule: Array(5).fill('404') });
    const ops = await receiver();
    const channels = new Map([
      ['team', chatChannel('team', gone.webhookUrl())],
      ['ops', chatChannel('ops', ops.webhookUrl('BBBBops'))],
    ]);

    const result = await stage(world.store, channels, [checkResult('orders', findings('orders', 1))]);

    expect(gone.requests.map((r) => r.outcome)).toEqual(['404']);
    expect(ops.messages).toHaveLength(1);
    expect(result.notifications).toMatchObject({ sent: 1, failed: 1, pending: 1, dropped: 0 });
    expect(result.notifications.undelivered).toEqual([
      { channel: 'team', pending: 1, dropped: 0, reason: expect.stringContaining('(HTTP 404)') },
    ]);
    // guardrail_channel_failing's source: a state that outlives the run, not attempts in a window.
    expect(result.troubled).toEqual(new Set(['team']));
  });

  // A review: a message whose retry came due after the first pass was rejected in the health pass, and dropped with
  // only a log line; the run's card said "rejected 1 message".
  it('tells of a message the health pass rejects too, in one more pass', async () => {
    const team = await receiver({ schedule: Array(10).fill('400') });
    const ops = await receiver();
    const channels = new Map([
      ['team', chatChannel('team', team.webhookUrl())],
      ['ops', chatChannel('ops', ops.webhookUrl('BBBBops'))],
    ]);
    // Due after the first pass (its budget is 1 s, and it ends once nothing is due within it), within the second's.
    await enqueue(world.store, 'team', ['late-1'], Date.now() + 1_500);

    const result = await stage(world.store, channels, [checkResult('orders', findings('orders', 1))], {
      deliveryBudget: '1s',
    });

    expect(team.requests.map((r) => r.outcome)).toEqual(['400', '400']);
    const rejected = (result.findings.get(AGENT_CHECK_ID) ?? []).filter((f) =>
      f.key.startsWith('message-rejected:'),
    );
    expect(rejected.map((f) => f.key)).toEqual([
      expect.stringMatching(/^message-rejected:team:(?!late-1)/),
      'message-rejected:team:late-1',
    ]);
    expect(ops.messages).toHaveLength(2);
    expect(ops.messages.map((m) => JSON.stringify(m))).toEqual([
      expect.stringContaining("Alert channel 'team' rejected 1 message (HTTP 400)"),
      expect.stringContaining("Alert channel 'team' rejected 1 message (HTTP 400)"),
    ]);
    expect(result.notifications).toMatchObject({ sent: 2, dropped: 2, pending: 0 });
    expect(result.notifications.undelivered).toEqual([
      { channel: 'team', pending: 0, dropped: 2, reason: expect.stringContaining('rejected 2 messages') },
    ]);
  }, 20_000);

  it('dry run: counts what earlier runs left in the outbox as pending, and sends and changes nothing', async () => {
    const team = await receiver();
    const ops = await receiver();
    const channels = new Map([
      ['team', chatChannel('team', team.webhookUrl())],
      ['ops', chatChannel('ops', ops.webhookUrl('BBBBops'))],
    ]);
    await enqueue(world.store, 'team', ['earlier-1', 'earlier-2'], Date.now() - 10 * MINUTE);
    const printed: string[] = [];

    const result = await stage(world.store, channels, [checkResult('orders', findings('orders', 1))], {
      dryRun: true,
      out: (text) => printed.push(text),
    });

    expect(result.notifications).toMatchObject({ sent: 0, failed: 0, pending: 3, undelivered: [] });
    expect(printed.map((text) => text.split('\n')[0])).toEqual([
      '--- 2 messages of earlier runs wait in the outbox: a run would deliver them ---',
      '--- would send to team ---',
    ]);
    expect([...team.requests, ...ops.requests]).toEqual([]);
    expect(await world.store.countPending()).toBe(2);
    expect(await world.store.alertStates('orders', ['orders.t0'])).toEqual([]);
  });
});

describe.each(engines)('two runs at the same moment on one %s store', (_engine, newStoreUrl) => {
  let chat: FixedAnswer;
  const stores: StateStore[] = [];
  afterEach(async () => {
    await chat.close();
    await Promise.all(stores.splice(0).map((s) => s.close()));
  });
  afterAll(removeTempDirs);

  it.each([
    [
      'holds the claim past the end of the other run: that run says so, and has not failed',
      { chatAnswersAfterMs: 2500, secondBudget: '1s' },
      {
        pending: 1,
        undelivered: [
          {
            channel: 'team',
            pending: 1,
            claimed: 1,
            dropped: 0,
            reason: 'another run holds the delivery claim of its message; that run or the next delivers it',
          },
        ],
      },
    ],
    [
      'sends within the budget of the other run: that run sees it delivered',
      { chatAnswersAfterMs: 500, secondBudget: '5s' },
      { pending: 0, undelivered: [] },
    ],
  ])('the run that claimed the message %s', async (_case, timing, second) => {
    const url = await newStoreUrl();
    // Two handles, as two processes have: the first run's, then the second's.
    stores.push(await openStateStore(url, tmpdir()), await openStateStore(url, tmpdir()));
    const created = JSON.stringify({ name: 'spaces/AAAAproxy/messages/m1' });
    chat = await startFixedAnswer(200, 'application/json', created, timing.chatAnswersAfterMs);
    const channels = new Map([['team', chatChannel('team', chat.webhookUrl, 10_000)]]);
    const results = [checkResult('orders', findings('orders', 1))];

    const first = stage(stores[0]!, channels, results, { deliveryBudget: '10s' });
    while (chat.requests === 0) await new Promise((resolve) => setTimeout(resolve, 10));
    const late = await stage(stores[1]!, channels, results, { deliveryBudget: timing.secondBudget });
    const early = await first;

    expect(chat.requests).toBe(1);
    expect(early.notifications).toMatchObject({ sent: 1, failed: 0, pending: 0, undelivered: [] });
    expect(late.notifications).toMatchObject({ sent: 0, failed: 0, ...second });
    expect(late.notifications.undelivered.some(failedToDeliver)).toBe(false);
  });

  // An upgrade trial: a message retried before (its webhook had refused), claimed by one of two runs at the same
  // moment. Its later due time read as a retry's backoff in the other run, which said "not delivered" and exited 4.
  it('the run that claimed a message retried before holds the claim: the other says so, and has not failed', async () => {
    const url = await newStoreUrl();
    stores.push(await openStateStore(url, tmpdir()), await openStateStore(url, tmpdir()));
    await enqueue(stores[0]!, 'team', ['retried'], Date.now() - 10 * MINUTE);
    for (let i = 0; i < 3; i++)
      await stores[0]!.markFailed('retried', 'ECONNREFUSED', new Date(Date.now() - 1000));
    const created = JSON.stringify({ name: 'spaces/AAAAproxy/messages/m1' });
    chat = await startFixedAnswer(200, 'application/json', created, 2500);
    const channels = new Map([['team', chatChannel('team', chat.webhookUrl, 10_000)]]);
    const results = [checkResult('orders', [])];

    const first = stage(stores[0]!, channels, results, { deliveryBudget: '10s' });
    while (chat.requests === 0) await new Promise((resolve) => setTimeout(resolve, 10));
    const late = await stage(stores[1]!, channels, results, { deliveryBudget: '1s' });
    const early = await first;

    expect(chat.requests).toBe(1);
    expect(early.notifications).toMatchObject({ sent: 1, pending: 0 });
    expect(late.notifications.undelivered).toEqual([
      expect.objectContaining({ channel: 'team', pending: 1, claimed: 1 }),
    ]);
    expect(late.notifications.undelivered.some(failedToDeliver)).toBe(false);
  });
});
