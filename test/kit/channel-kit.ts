import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import BetterSqlite3 from 'better-sqlite3';
import pino from 'pino';
import { deliverOutbox } from '../../alerts/delivery';
import { toOutbox } from '../../alerts/pipeline';
import { ChannelError, type Channel, type ChannelDefinition, type Notification } from '../../alerts/types';
import { Metrics } from '../../src/engine/metrics';
import { openStateStore } from '../../src/state/open-store';
import { startChatReceiver, type ChatOutcome, type ChatReceiver } from '../servers/chat-receiver';

export interface ChannelKitOptions {
  /** False for channels that never leave the process (console): only the metadata and success cases run. */
  remote: boolean;
  /** Per-attempt timeout for the 'hang' case. */
  timeoutMs?: number;
}

const KEY = 'kit-key-AIzaSyKITKITKITKITKIT';
const TOKEN = 'kit-token-c2VjcmV0LXRva2Vu';

/** Status → retryable, as every channel must report it (STYLE.md rule 3). */
export const RETRY_TABLE: [ChatOutcome, boolean, number | undefined][] = [
  ['400', false, 400],
  ['401', false, 401],
  ['403', false, 403],
  ['404', false, 404],
  ['429', true, 429],
  ['429-retry-after', true, 429],
  ['500', true, 500],
  ['503', true, 503],
  ['hang', true, undefined],
  ['reset', true, undefined],
];

const NOTIFICATION: Notification = {
  id: '0f1e2d3c-4b5a-4978-8695-a4b3c2d1e0f9',
  channel: 'kit',
  checkId: 'kit-check',
  checkKind: 'row-count-consistency',
  createdAt: new Date().toISOString(),
  items: [
    {
      key: 'k1',
      status: 'new',
      severity: 'warning',
      title: 'something drifted',
      firingSince: new Date().toISOString(),
      lifecycle: 'condition',
    },
  ],
};

/**
 * The same table of cases for every channel: metadata, a config from `makeConfig` that validates, the
 * status → retry table, and that the webhook secret (URL, key, token) never shows in an error message, a log
 * line, the outbox's lastError or a metric label.
 */
export function testChannel(
  def: ChannelDefinition,
  makeConfig: (webhookUrl: string) => Record<string, unknown>,
  options: ChannelKitOptions,
): void {
  describe(`channel kit: ${def.type}`, () => {
    let receiver: ChatReceiver;
    let dir: string;
    beforeEach(async () => {
      receiver = await startChatReceiver({ key: KEY, token: TOKEN, retryAfterSeconds: 7 });
      dir = mkdtempSync(join(tmpdir(), 'guardrail-kit-'));
    });
    afterEach(async () => {
      await receiver.close();
      rmSync(dir, { recursive: true, force: true });
    });
    const secrets = () => [receiver.webhookUrl(), KEY, TOKEN];
    const create = (out: string[] = []) => {
      const config = def.configSchema.parse(makeConfig(receiver.webhookUrl()));
      return def.create('kit', config, { log: pino({ level: 'silent' }), out: (t) => out.push(t) });
    };

    it('has complete metadata and a kebab-case type', () => {
      expect(def.type).toMatch(/^[a-z]+(-[a-z]+)*$/);
      expect(def.description.length).toBeGreaterThan(10);
      expect(def.configSchema.safeParse(makeConfig(receiver.webhookUrl())).success).toBe(true);
      expect(
        Array.isArray(def.warnings?.(def.configSchema.parse(makeConfig(receiver.webhookUrl()))) ?? []),
      ).toBe(true);
    });

    it('delivers a notification and previews it without the secret', async () => {
      const out: string[] = [];
      const channel = create(out);

      await channel.send(NOTIFICATION, { signal: AbortSignal.timeout(5000) });

      expect(channel.pacingKey).toBeTruthy();
      expect(leaks(channel.pacingKey + channel.preview(NOTIFICATION) + out.join(''), secrets())).toEqual([]);
      if (options.remote) expect(receiver.messages.map((m) => m.requestId)).toEqual([NOTIFICATION.id]);
    });

    if (!options.remote) return;

    it.each(RETRY_TABLE)(
      'reports %s as retryable=%s (status %s) without leaking the secret',
      async (outcome, retryable, status) => {
        receiver.schedule([outcome]);
        const channel = create();

        const error = await channel
          .send(NOTIFICATION, { signal: AbortSignal.timeout(options.timeoutMs ?? 500) })
          .then(
            () => undefined,
            (e: unknown) => e,
          );

        expect(error).toBeInstanceOf(ChannelError);
        const e = error as ChannelError;
        expect({ retryable: e.retryable, status: e.status }).toEqual({ retryable, status });
        if (outcome === '429-retry-after') expect(e.retryAfterMs).toBe(7000);
        expect(leaks(`${e.message}\n${e.stack}\n${JSON.stringify(e)}`, secrets())).toEqual([]);
      },
    );

    it.each(RETRY_TABLE)(
      'keeps the secret out of logs, outbox and metrics when delivery meets %s',
      async (outcome) => {
        receiver.schedule([outcome]);
        const channel = create();
        const { text, metrics, lastErrors } = await deliverOnce(channel, dir, options.timeoutMs ?? 500);

        expect(lastErrors.length).toBe(1);
        expect(leaks(text, secrets())).toEqual([]);
        expect(leaks(metrics, secrets())).toEqual([]);
        expect(leaks(lastErrors.join('\n'), secrets())).toEqual([]);
      },
    );
  });
}

async function deliverOnce(channel: Channel, dir: string, timeoutMs: number) {
  const lines: string[] = [];
  const sink = new Writable({ write: (chunk, _enc, done) => (lines.push(String(chunk)), done()) });
  const log = pino({ level: 'trace' }, sink);
  const metrics = new Metrics();
  const store = await openStateStore(`sqlite://${join(dir, 'state.db')}`, dir);
  try {
    await store.commitAlerts([], [toOutbox(NOTIFICATION, new Date())]);
    await deliverOutbox({
      store,
      channels: new Map([[NOTIFICATION.channel, channel]]),
      log,
      budgetMs: 100,
      maxAgeMs: 86_400_000,
      sendTimeoutMs: timeoutMs,
      onOutcome: (name, outcome) => metrics.notifications.inc({ channel: name, outcome }),
    });
    // Every row, whatever its status: a 400 drops the message, with its error.
    const db = new BetterSqlite3(join(dir, 'state.db'), { readonly: true });
    const rows = db.prepare('SELECT last_error FROM guardrail_outbox').all() as {
      last_error: string | null;
    }[];
    db.close();
    return {
      text: lines.join(''),
      metrics: await metrics.registry.metrics(),
      lastErrors: rows.map((r) => r.last_error ?? ''),
    };
  } finally {
    await store.close();
  }
}

/** Which secrets (or their URL-encoded forms) appear in `text`. */
export function leaks(text: string, secrets: string[]): string[] {
  return secrets.flatMap((s) => [s, encodeURIComponent(s)]).filter((s) => text.includes(s));
}
