import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import pino from 'pino';
import { googleChatChannel } from '../../alerts/channels/google-chat';
import { GoogleChatChannelConfig } from '../../alerts/channels/google-chat/schema';
import { deliverOutbox, type DeliveryOptions } from '../../alerts/delivery';
import { processResults, toOutbox, type PipelineConfig } from '../../alerts/pipeline';
import type { Channel, Notification } from '../../alerts/types';
import type { Finding } from '../../src/core/types';
import type { CheckRunResult } from '../../src/core/types';
import { openStateStore } from '../../src/state/open-store';
import type { StateStore } from '../../src/state/types';
import { seeded } from '../servers/chat/outcomes';

export const MINUTE = 60_000;

export const PIPELINE: PipelineConfig = {
  routes: [{ channel: 'chat' }],
  silences: [],
  repeatInterval: 4 * 60 * MINUTE,
  sendResolved: true,
};

export function checkResult(id: string, findings: Finding[]): CheckRunResult {
  return {
    id,
    kind: 'row-count-consistency',
    status: findings.length ? 'firing' : 'ok',
    startedAt: new Date().toISOString(),
    durationMs: 1,
    findings,
    measurements: [],
  };
}

export function findings(prefix: string, count: number): Finding[] {
  return Array.from({ length: count }, (_, i) => ({
    key: `${prefix}.t${i}`,
    severity: 'warning' as const,
    title: `${prefix}.t${i} drifted`,
  }));
}

/** A Chat channel with a request timeout below what a config may set (1s), so hanging requests cost little. */
export function chatChannel(name: string, webhookUrl: string, timeoutMs = 250): Channel {
  const config = { ...GoogleChatChannelConfig.parse({ webhookUrl }), timeout: timeoutMs };
  return googleChatChannel.create(name, config, { log: pino({ level: 'silent' }), out: () => undefined });
}

/** A sqlite store in a temp dir and a fake clock that `sleep` advances (pacing and backoff cost no time). */
export async function deliveryWorld(start = Date.parse('2026-11-20T00:00:00Z')) {
  const dir = mkdtempSync(join(tmpdir(), 'guardrail-delivery-'));
  const store: StateStore = await openStateStore(`sqlite://${join(dir, 'state.db')}`, dir);
  let clock = start;
  const random = seeded(7);
  return {
    store,
    dir,
    now: () => clock,
    advance: (ms: number) => (clock += ms),
    run: (results: CheckRunResult[]) => processResults(results, PIPELINE, store, new Date(clock), false),
    deliver: (channels: Map<string, Channel>, extra: Partial<DeliveryOptions> = {}) =>
      deliverOutbox({
        store,
        channels,
        log: pino({ level: 'silent' }),
        budgetMs: 2 * MINUTE,
        maxAgeMs: 24 * 60 * MINUTE,
        sendTimeoutMs: 250,
        now: () => clock,
        sleep: async (ms) => void (clock += ms),
        random,
        ...extra,
      }),
    close: async () => {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A one-item notification for `channel`, created at `at`. */
export function note(id: string, channel: string, at: number): Notification {
  return {
    id,
    channel,
    checkId: `check-${id}`,
    checkKind: 'row-count-consistency',
    createdAt: new Date(at).toISOString(),
    items: [
      {
        key: 'k',
        status: 'new',
        severity: 'warning',
        title: 't',
        firingSince: new Date(at).toISOString(),
        lifecycle: 'condition',
      },
    ],
  };
}

/** Enqueues one message per id for `channel`, created (and due) at `at`. */
export async function enqueue(store: StateStore, channel: string, ids: string[], at: number): Promise<void> {
  await store.commitAlerts(
    [],
    ids.map((id) => toOutbox(note(id, channel, at), new Date(at))),
  );
}

export interface FakeChannel extends Channel {
  /** Every send: message id and the clock's time when it started. */
  attempts: { id: string; at: number }[];
  /** Ids the channel acknowledged, in order. */
  delivered: string[];
}

/** An in-process channel; `behave` may throw (a ChannelError) or wait, per message and attempt number. */
export function fakeChannel(
  name: string,
  options: {
    now?: () => number;
    minIntervalMs?: number;
    behave?: (id: string, attempt: number) => Promise<void> | void;
  } = {},
): FakeChannel {
  const attempts: { id: string; at: number }[] = [];
  const delivered: string[] = [];
  return {
    name,
    type: 'fake',
    pacingKey: `fake:${name}`,
    minIntervalMs: options.minIntervalMs ?? 0,
    preview: (n) => n.id,
    attempts,
    delivered,
    async send(n) {
      attempts.push({ id: n.id, at: (options.now ?? Date.now)() });
      await options.behave?.(n.id, attempts.filter((a) => a.id === n.id).length);
      delivered.push(n.id);
    },
  };
}

/** A pino logger whose lines (parsed) land in the returned array. */
export function capturedLog(level = 'debug') {
  const lines: { level: number; msg: string; [key: string]: unknown }[] = [];
  const log = pino(
    { level },
    new Writable({ write: (chunk, _enc, done) => (lines.push(JSON.parse(String(chunk))), done()) }),
  );
  return { log, lines, errors: () => lines.filter((line) => line.level >= 50) };
}
