import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { googleChatChannel } from '../../alerts/channels/google-chat';
import { GoogleChatChannelConfig } from '../../alerts/channels/google-chat/schema';
import { deliverOutbox, type DeliveryOptions } from '../../alerts/delivery';
import { processResults, type PipelineConfig } from '../../alerts/pipeline';
import type { Channel } from '../../alerts/types';
import type { Finding } from '../../src/core/types';
import type { CheckRunResult } from '../../src/engine/runner';
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

export function chatChannel(name: string, webhookUrl: string, timeout = '250ms'): Channel {
  const config = GoogleChatChannelConfig.parse({ webhookUrl, timeout });
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
