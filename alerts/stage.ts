import type { Logger } from 'pino';
import { AGENT_CHECK_ID, type CheckRunResult, type Finding } from '../src/core/types';
import { ANY_TIME, type OutboxRecord, type StateStore } from '../src/state/types';
import { agentHealthResult } from './agent-health';
import type { AlertsConfig } from './config';
import {
  deliverOutbox,
  heldByAnotherDeliverer,
  type BrokenChannel,
  type DeliverySummary,
  type RejectedMessages,
} from './delivery';
import { mergePipelines, processResults, type PipelineResult, type ReportedFinding } from './pipeline';
import { renderText } from './render-text';
import type { Channel } from './types';

/** The agent's own health messages get a shorter delivery budget of their own after the run's. */
const HEALTH_DELIVERY_BUDGET_MS = 10_000;
/** Delivery passes after the first for the agent's own notices (see alertStage). */
const MAX_HEALTH_PASSES = 3;

export interface AlertingOptions {
  store: StateStore;
  channels: Map<string, Channel>;
  config: AlertsConfig;
  log: Logger;
  /** The run's start time: the lifecycle's clock. */
  now: Date;
  /** Render what would be sent (to `out`) instead of committing and sending. */
  dryRun?: boolean;
  signal?: AbortSignal;
  /** stdout writer, for dry-run previews. */
  out: (text: string) => void;
  onOutcome?: (channel: string, outcome: 'sent' | 'failed' | 'dropped') => void;
  onPending?: (pending: number) => void;
}

export interface NotificationCounts {
  sent: number;
  failed: number;
  pending: number;
  suppressed: number;
  dropped: number;
  /** Channels with messages this run could not deliver (pending after the budget, rejected, dropped), and why. */
  undelivered: UndeliveredChannel[];
}

export interface UndeliveredChannel {
  channel: string;
  /** Messages of the channel still waiting in the outbox after this run. */
  pending: number;
  /**
   * Of `pending`, those whose delivery claim another run held when this one ended (a `run` or `serve` at the same
   * moment on this store): that run delivers them, or reports them, or the next run does. Absent when none.
   */
  claimed?: number;
  /** Messages of the channel dropped in this run (rejected with 400, or older than maxDeliveryAge). */
  dropped: number;
  /** The channel's last (redacted) error, or why its messages wait. */
  reason: string;
}

/**
 * Whether this run failed to deliver some of the channel's messages: what makes `guardrail run` exit 4. Messages
 * another run holds the claim of are that run's to deliver (or report), not this one's failure.
 */
export function failedToDeliver(u: UndeliveredChannel): boolean {
  return u.dropped > 0 || u.pending > (u.claimed ?? 0);
}

/** Enough to tell how many of one channel's messages wait; a backlog beyond it is reported as "1000+". */
const PENDING_SCAN_LIMIT = 1000;

export interface AlertingResult {
  /** Per check id (the agent's own included when it has findings), the findings with their lifecycle state. */
  findings: Map<string, ReportedFinding[]>;
  /** Per check id, the alerts the run left firing as they were (PipelineResult.kept). */
  kept: Map<string, Finding[]>;
  /** The agent's own check result, when it reported something this run (a broken or failing channel). */
  health?: CheckRunResult;
  notifications: NotificationCounts;
  /** Channels found broken or failing by the run's last delivery pass; undefined in a dry run, which delivers nothing. */
  troubled?: Set<string>;
}

/**
 * The alerting stage of one run: findings → lifecycle → outbox → delivery; then the agent's own health from
 * that delivery (a channel that rejects or keeps failing is a finding, routed like any other but never to an
 * unusable channel, so a dead data-eng webhook still reaches finops or the console); then retention.
 */
export async function alertStage(
  results: CheckRunResult[],
  o: AlertingOptions,
  early?: { decided: PipelineResult; checks: ReadonlySet<CheckRunResult> },
): Promise<AlertingResult> {
  // What `early` holds was decided and committed as its check finished (see decideEarly); the rest is decided here.
  const rest = early ? results.filter((r) => !early.checks.has(r)) : results;
  const decided = await processResults(rest, o.config, o.store, o.now, !!o.dryRun);
  const pipeline = early ? mergePipelines([early.decided, decided]) : decided;
  // In the checks' order, not the order they finished in: a dry run's previews read as the config does.
  const order = new Map(results.map((r, i) => [r.id, i]));
  pipeline.notifications.sort((a, b) => (order.get(a.checkId) ?? 0) - (order.get(b.checkId) ?? 0));
  const counts: NotificationCounts = {
    sent: 0,
    failed: 0,
    pending: 0,
    suppressed: pipeline.suppressed,
    dropped: 0,
    undelivered: [],
  };
  if (o.dryRun) {
    // Read-only: what earlier runs left in the outbox is pending as well, and a real run would deliver it too.
    const waiting = await o.store.countPending();
    const earlier =
      waiting === 1 ? '1 message of an earlier run waits' : `${waiting} messages of earlier runs wait`;
    if (waiting)
      o.out(`--- ${earlier} in the outbox: a run would deliver ${waiting === 1 ? 'it' : 'them'} ---`);
    for (const n of pipeline.notifications) {
      const channel = o.channels.get(n.channel);
      o.out(`--- would send to ${n.channel} ---\n${(channel?.preview ?? renderText)(n)}`);
    }
    return {
      findings: pipeline.findings,
      kept: pipeline.kept,
      notifications: { ...counts, pending: waiting + pipeline.notifications.length },
    };
  }

  const droppedBy = new Map<string, number>();
  const outcomes: AlertingOptions = {
    ...o,
    onOutcome: (channel, outcome) => {
      if (outcome === 'dropped') droppedBy.set(channel, (droppedBy.get(channel) ?? 0) + 1);
      o.onOutcome?.(channel, outcome);
    },
  };
  const delivered = await deliver(outcomes, o.config.deliveryBudget);
  const unusable = (channel: string) => delivered.broken.has(channel) || delivered.failing.has(channel);
  const healthConfig = { ...o.config, routes: o.config.routes.filter((r) => !unusable(r.channel)) };
  // Each message a pass rejects is told as an event of its own. The health pass delivers whatever is due by then, so it
  // may reject more (a message whose retry came due after the first pass): those are told in one more pass, up to
  // MAX_HEALTH_PASSES, and past that queued for the next run (a review saw one dropped with only a log line).
  const passes = [delivered];
  const healthOf = () =>
    agentHealthResult(
      { ...delivered, rejected: passes.flatMap((p) => [...p.rejected]) },
      o.now,
      o.channels.keys(),
    );
  let health = healthOf();
  let healthPipeline = await processResults([health], healthConfig, o.store, o.now, false);
  const suppressed = healthPipeline.suppressed;
  for (let pass = 0; healthPipeline.notifications.length && pass < MAX_HEALTH_PASSES; pass++) {
    // A channel found broken stays so for the rest of the run: the health pass does not post to it again.
    const next = await deliver(outcomes, HEALTH_DELIVERY_BUDGET_MS, delivered.broken.keys());
    passes.push(next);
    if (!next.rejected.size) break;
    health = healthOf();
    healthPipeline = await processResults([health], healthConfig, o.store, o.now, false);
  }
  const healthFindings = healthPipeline.findings.get(AGENT_CHECK_ID) ?? [];
  if (healthFindings.length) pipeline.findings.set(AGENT_CHECK_ID, healthFindings);

  await o.store.prune(new Date(o.now.getTime() - o.config.retention));
  const last = passes[passes.length - 1]!;
  const sum = (count: (p: DeliverySummary) => number) => passes.reduce((total, p) => total + count(p), 0);
  return {
    findings: pipeline.findings,
    kept: pipeline.kept,
    ...(healthFindings.length ? { health } : {}),
    troubled: new Set([...last.broken.keys(), ...last.failing.keys()]),
    notifications: {
      sent: sum((p) => p.sent),
      failed: sum((p) => p.failed),
      pending: last.pending,
      suppressed: pipeline.suppressed + suppressed,
      dropped: sum((p) => p.dropped),
      undelivered: await undelivered(o, last, droppedBy, rejectedIn(passes)),
    },
  };
}

/** Why a channel's messages wait or were dropped, the first that applies. */
function reasonFor(c: {
  waiting: readonly OutboxRecord[];
  dropped: number;
  claimed: number;
  broken: BrokenChannel | undefined;
  rejected: RejectedMessages | undefined;
}): string {
  const { waiting, dropped, claimed, broken, rejected } = c;
  const http = (status?: number) => (status ? ` (HTTP ${status})` : '');
  if (broken) return `rejects messages${http(broken.status)}: ${broken.error}`;
  if (rejected && !waiting.length) {
    const messages = `${rejected.count} message${rejected.count === 1 ? '' : 's'}`;
    return `rejected ${messages}${http(rejected.status)}, dropped: ${rejected.error}`;
  }
  // Only when another run holds every waiting message, and none was dropped here, is nothing this run's failure.
  if (claimed && claimed === waiting.length && !dropped) {
    const [them, it] = claimed === 1 ? ['its message', 'it'] : [`its ${claimed} messages`, 'them'];
    return `another run holds the delivery claim of ${them}; that run or the next delivers ${it}`;
  }
  const lastError = waiting.find((r) => r.lastError)?.lastError;
  if (lastError) return `not delivered within the delivery budget; last error: ${lastError}`;
  if (waiting.length) return 'not delivered within the delivery budget (alerts.deliveryBudget)';
  return 'messages rejected or older than alerts.maxDeliveryAge were dropped';
}

/**
 * Every channel of this process that ends the run with messages waiting or dropped: what `guardrail run` turns
 * into its own exit code, so a scheduled job whose alerts do not arrive does not look healthy.
 */
async function undelivered(
  o: AlertingOptions,
  delivery: DeliverySummary,
  droppedBy: Map<string, number>,
  rejectedBy: DeliverySummary['rejected'],
): Promise<UndeliveredChannel[]> {
  const out: UndeliveredChannel[] = [];
  const now = Date.now();
  for (const channel of [...o.channels.keys()].sort()) {
    const waiting = await o.store.pendingOutbox(ANY_TIME, PENDING_SCAN_LIMIT, [channel]);
    const dropped = droppedBy.get(channel) ?? 0;
    if (!waiting.length && !dropped) continue;
    const broken = delivery.broken.get(channel);
    const rejected = rejectedBy.get(channel);
    const claimed = waiting.filter((r) => heldByAnotherDeliverer(r, now)).length;
    const reason = reasonFor({ waiting, dropped, claimed, broken, rejected });
    out.push({ channel, pending: waiting.length, ...(claimed ? { claimed } : {}), dropped, reason });
  }
  return out;
}

/** The messages each channel rejected over every delivery pass of the run. */
function rejectedIn(passes: readonly DeliverySummary[]): DeliverySummary['rejected'] {
  const all: DeliverySummary['rejected'] = new Map();
  for (const [channel, r] of passes.flatMap((p) => [...p.rejected])) {
    const before = all.get(channel);
    all.set(channel, before ? { ...before, count: before.count + r.count } : r);
  }
  return all;
}

async function deliver(
  o: AlertingOptions,
  budgetMs: number,
  broken?: Iterable<string>,
): Promise<DeliverySummary> {
  const delivered = await deliverOutbox({
    store: o.store,
    channels: o.channels,
    log: o.log,
    budgetMs,
    ...(broken ? { broken } : {}),
    maxAgeMs: o.config.maxDeliveryAge,
    ...(o.signal ? { signal: o.signal } : {}),
    ...(o.onOutcome ? { onOutcome: o.onOutcome } : {}),
  });
  o.onPending?.(delivered.pending);
  return delivered;
}
