import type { BrokenChannel, DeliverySummary, RejectedMessages } from './delivery';
import { AGENT_CHECK_ID, type CheckRunResult, type Finding } from '../src/core/types';

/**
 * The agent's own check result: a critical finding per alert channel that rejects messages (broken
 * configuration) or keeps failing with retryable errors (a mistyped host, an outage): alerts that do not
 * arrive must page someone through another channel.
 */
export function agentHealthResult(
  delivery: Pick<DeliverySummary, 'broken' | 'failing'> & {
    /** Per channel, what one delivery pass rejected; a channel may come more than once (one per pass). */
    rejected?: Iterable<[string, RejectedMessages]>;
  },
  now: Date,
  /** The channels of the config: an alert about one taken out of it is retired, not resolved (a trial). */
  channels?: Iterable<string>,
): CheckRunResult {
  const broken: Finding[] = [...delivery.broken].map(([name, b]: [string, BrokenChannel]) => ({
    key: `channel-broken:${name}`,
    severity: 'critical',
    title: `Alert channel '${name}' rejects messages${b.status ? ` (HTTP ${b.status})` : ''}: fix its configuration`,
    summary: `${b.error}. Broken since ${b.since}; its messages stay queued until it works or they expire.`,
    labels: { channel: name },
  }));
  const failing: Finding[] = [...delivery.failing].map(([name, f]) => ({
    key: `channel-failing:${name}`,
    severity: 'critical',
    title: `Alert channel '${name}' has failed ${f.attempts} attempts to deliver; messages are waiting since ${f.since}`,
    summary: `Last error: ${f.error}. Delivery keeps retrying; messages older than alerts.maxDeliveryAge are dropped.`,
    labels: { channel: name },
  }));
  // An event, once per rejection (keyed by the first message it dropped): the alert it carried will not arrive.
  const rejected: Finding[] = [...(delivery.rejected ?? [])].map(([name, r]) => ({
    key: `message-rejected:${name}:${r.firstId}`,
    severity: 'critical',
    lifecycle: 'event',
    title: `Alert channel '${name}' rejected ${r.count} message${r.count === 1 ? '' : 's'}${r.status ? ` (HTTP ${r.status})` : ''}; ${r.count === 1 ? 'it was' : 'they were'} dropped`,
    summary: `${r.error}. The alerts they carried were not delivered there; \`guardrail alerts\` lists them.`,
    labels: { channel: name },
  }));
  const findings = [...broken, ...failing, ...rejected];
  const keys = channels
    ? new Set([...channels].flatMap((name) => [`channel-broken:${name}`, `channel-failing:${name}`]))
    : undefined;
  return {
    ...(keys ? { scope: { keys } } : {}),
    id: AGENT_CHECK_ID,
    kind: 'agent-health',
    status: findings.length ? 'firing' : 'ok',
    startedAt: now.toISOString(),
    durationMs: 0,
    findings,
    measurements: [],
  };
}
