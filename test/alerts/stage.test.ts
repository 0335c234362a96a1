import { cpSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { loadConfig } from '../../src/config/load';
import { Agent } from '../../src/engine/agent';
import { startChatReceiver, type ChatReceiver } from '../servers/chat-receiver';

const QUICKSTART = join(__dirname, '../../examples/quickstart');

/** The quickstart's data and check, alerting to a Chat webhook first and the console for everything else. */
function configWithChat(webhookUrl: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'agent-health-'));
  cpSync(join(QUICKSTART, 'data'), join(dir, 'data'), { recursive: true });
  cpSync(join(QUICKSTART, 'tables'), join(dir, 'tables'), { recursive: true });
  const views = (side: string, schema: string) =>
    ['customers', 'orders', 'products', 'payments']
      .map((t) => `      ${schema}.${t}: data/${side}/${t}.csv`)
      .join('\n');
  writeFileSync(
    join(dir, 'guardrail.yaml'),
    `state: { url: "sqlite://state.db" }
connections:
  source: { type: duckdb, views: {} }
  target: { type: duckdb, views: {} }
checks:
  - { id: shop, kind: row-count-consistency, source: source, target: target, tables: [{ source: shop.orders, target: shop_raw.orders }] }
alerts:
  channels:
    chat: { type: google-chat, webhookUrl: "${webhookUrl}" }
    console: { type: console }
  routes:
    - { match: { check: shop }, channel: chat }
    - { channel: console }
  deliveryBudget: 5s
`
      .replace(
        'source: { type: duckdb, views: {} }',
        `source:\n    type: duckdb\n    views:\n${views('source', 'shop')}`,
      )
      .replace(
        'target: { type: duckdb, views: {} }',
        `target:\n    type: duckdb\n    views:\n${views('target', 'shop_raw')}`,
      ),
  );
  return join(dir, 'guardrail.yaml');
}

describe("the agent's own health", () => {
  let receiver: ChatReceiver;
  afterEach(() => receiver.close());

  // One 404: the short second pass that sends the health notice does not post to a channel found broken.
  it('reports a webhook answering 404 as a critical finding to the other channel, and resolves it once fixed', async () => {
    receiver = await startChatReceiver({ schedule: ['404'] });
    const printed: string[] = [];
    const config = loadConfig(configWithChat(receiver.webhookUrl()));
    const run = async () => {
      const agent = new Agent(config, { log: pino({ level: 'silent' }), out: (t) => printed.push(t) });
      try {
        return await agent.runOnce();
      } finally {
        await agent.close();
      }
    };

    const broken = await run();
    const printedWhileBroken = printed.splice(0).join('\n');
    const fixed = await run();

    expect(broken.checks.map((c) => [c.id, c.findings.map((f) => `${f.key}:${f.state}`)])).toEqual([
      ['shop', ['shop.orders:new']],
      ['guardrail-agent', ['channel-broken:chat:new']],
    ]);
    expect(printedWhileBroken).toContain("Alert channel 'chat' rejects messages (HTTP 404)");
    expect(printedWhileBroken).not.toContain(receiver.webhookUrl());
    expect(fixed.checks.find((c) => c.id === 'guardrail-agent')?.findings.map((f) => f.state)).toEqual([
      'resolved',
    ]);
    expect(receiver.messages).toHaveLength(1);
    expect(fixed.notifications).toMatchObject({ sent: 2, pending: 0 });
  });
});

describe('dry run with a Chat channel', () => {
  it('prints the card as readable text and posts nothing', async () => {
    const receiver = await startChatReceiver();
    const printed: string[] = [];
    const agent = new Agent(loadConfig(configWithChat(receiver.webhookUrl())), {
      log: pino({ level: 'silent' }),
      out: (t) => printed.push(t),
    });

    const report = await agent.runOnce({ dryRun: true });
    await agent.close();
    await receiver.close();

    expect(report.notifications).toMatchObject({ sent: 0, pending: 1 });
    expect(printed.join('\n')).toContain('--- would send to chat ---');
    expect(printed.join('\n')).toContain('shop.orders: target has 7 fewer rows than source');
    expect(printed.join('\n')).not.toContain(receiver.webhookUrl());
    expect(receiver.requests).toEqual([]);
  });
});
