import type { BrokenChannel } from '../../alerts/delivery';
import { AGENT_CHECK_ID, type Finding } from '../core/types';
import type { CheckRunResult } from './runner';

/** The agent's own check result: one critical finding per alert channel that rejects messages. */
export function agentHealthResult(broken: Map<string, BrokenChannel>, now: Date): CheckRunResult {
  const findings: Finding[] = [...broken].map(([name, b]) => ({
    key: `channel-broken:${name}`,
    severity: 'critical',
    title: `Alert channel '${name}' rejects messages${b.status ? ` (HTTP ${b.status})` : ''}: fix its configuration`,
    summary: `${b.error}. Broken since ${b.since}; its messages stay queued until it works or they expire.`,
    labels: { channel: name },
  }));
  return {
    id: AGENT_CHECK_ID,
    kind: 'agent-health',
    status: findings.length ? 'firing' : 'ok',
    startedAt: now.toISOString(),
    durationMs: 0,
    findings,
    measurements: [],
  };
}
