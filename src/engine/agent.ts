import type { Logger } from 'pino';
import { deliverOutbox } from '../../alerts/delivery';
import { processResults } from '../../alerts/pipeline';
import { findChannel } from '../../alerts/channels/registry';
import type { Channel } from '../../alerts/types';
import { createAwsProvider } from '../aws/provider';
import type { AwsProvider } from '../aws/types';
import type { GuardrailConfig, CheckConfig } from '../config/load';
import { createConnectionProvider } from '../connectors/provider';
import type { ConnectionProvider } from '../connectors/types';
import { AGENT_CHECK_ID, type CheckContext } from '../core/types';
import { openStateStore } from '../state/open-store';
import type { StateStore } from '../state/types';
import { Metrics } from './metrics';
import type { RunReport } from './report';
import { runChecks, type CheckRunResult } from './runner';
import { agentHealthResult } from './agent-health';
import { progressPrinter } from './progress';
import { UsageError } from '../core/errors';
import { renderText } from '../../alerts/render-text';

export interface AgentOptions {
  log: Logger;
  /** stdout writer (console channel, dry-run previews). */
  out: (text: string) => void;
  /** Overrides `state.url` (`--state`). */
  stateUrl?: string;
  /** Progress lines on stderr (TTY only). */
  progress?: boolean;
  concurrency?: number;
}

export interface RunOptions {
  checkIds?: string[];
  dryRun?: boolean;
  signal?: AbortSignal;
}

const DEFAULT_CONCURRENCY = 4;
const HEALTH_DELIVERY_BUDGET_MS = 10_000;

/** Everything one process needs to run checks: state, connections, clients, channels, metrics. */
export class Agent {
  readonly metrics: Metrics;
  private store?: StateStore;
  private connections?: ConnectionProvider;
  private readonly channels = new Map<string, Channel>();
  private readonly aws: AwsProvider;
  private bytesBilledSeen = 0;
  private alerting: Promise<unknown> = Promise.resolve();

  constructor(
    readonly config: GuardrailConfig,
    private readonly options: AgentOptions,
  ) {
    this.metrics = new Metrics(options.log);
    this.aws = createAwsProvider(config.aws);
    for (const c of config.channels) {
      const def = findChannel(c.type);
      if (def)
        this.channels.set(c.name, def.create(c.name, c.config, { log: options.log, out: options.out }));
    }
  }

  async open(): Promise<void> {
    this.store ??= await openStateStore(this.options.stateUrl ?? this.config.state.url, this.config.dir);
    this.connections ??= createConnectionProvider(this.config.connections, {
      configDir: this.config.dir,
      gcp: this.config.gcp,
      log: this.options.log,
      aws: this.aws,
    });
  }

  /** Runs the selected checks once, routes their alerts, delivers the outbox (unless dry-run). */
  async runOnce(run: RunOptions = {}): Promise<RunReport> {
    await this.open();
    const store = this.store!;
    const started = new Date();
    const checks = this.select(run.checkIds);
    const results = await runChecks(checks, {
      concurrency: this.options.concurrency ?? DEFAULT_CONCURRENCY,
      log: this.options.log,
      ...(run.signal ? { signal: run.signal } : {}),
      context: (check, signal) => this.context(check, signal, started),
    });
    for (const r of results) this.metrics.recordRun(r);
    await this.countBytesBilled();

    // One alerting pass at a time per process: in `serve` checks finish concurrently, and two passes would
    // read the same alert states and deliver the same outbox rows side by side.
    const { pipeline, notifications } = await this.exclusive(() => this.alert(results, store, started, run));
    return {
      startedAt: started.toISOString(),
      finishedAt: new Date().toISOString(),
      ...(run.dryRun ? { dryRun: true } : {}),
      checks: results.map((r) => ({
        id: r.id,
        kind: r.kind,
        status: r.status,
        durationMs: r.durationMs,
        ...(r.error ? { error: r.error } : {}),
        findings: pipeline.findings.get(r.id) ?? [],
      })),
      notifications: {
        sent: notifications.sent,
        failed: notifications.failed,
        pending: notifications.pending,
        suppressed: notifications.suppressed,
        ...(notifications.dropped ? { dropped: notifications.dropped } : {}),
      },
    };
  }

  /** Findings → lifecycle → outbox → delivery, then the agent's own health (broken channels). */
  private async alert(results: CheckRunResult[], store: StateStore, started: Date, run: RunOptions) {
    const pipeline = await processResults(results, this.config.alerts, store, started, !!run.dryRun);
    let notifications = { sent: 0, failed: 0, pending: 0, suppressed: pipeline.suppressed, dropped: 0 };
    if (run.dryRun) {
      for (const n of pipeline.notifications) {
        const channel = this.channels.get(n.channel);
        this.options.out(`--- would send to ${n.channel} ---\n${(channel?.preview ?? renderText)(n)}`);
      }
      notifications = { ...notifications, pending: pipeline.notifications.length };
    } else {
      const delivered = await this.deliver(store, run.signal, this.config.alerts.deliveryBudget);
      // The agent's own health: a channel that rejects messages is a finding, routed like any other but never
      // to a broken channel (so a dead data-eng webhook still reaches finops or the console), resolved when the
      // channel works again.
      const health = agentHealthResult(delivered, started);
      const unusable = (channel: string) => delivered.broken.has(channel) || delivered.failing.has(channel);
      const healthRoutes = this.config.alerts.routes.filter((r) => !unusable(r.channel));
      const healthConfig = { ...this.config.alerts, routes: healthRoutes };
      const healthPipeline = await processResults([health], healthConfig, store, started, false);
      const again = healthPipeline.notifications.length
        ? await this.deliver(store, run.signal, HEALTH_DELIVERY_BUDGET_MS)
        : undefined;
      const healthFindings = healthPipeline.findings.get(AGENT_CHECK_ID) ?? [];
      if (healthFindings.length) {
        results.push(health);
        pipeline.findings.set(AGENT_CHECK_ID, healthFindings);
      }
      notifications = {
        sent: delivered.sent + (again?.sent ?? 0),
        failed: delivered.failed + (again?.failed ?? 0),
        pending: (again ?? delivered).pending,
        suppressed: pipeline.suppressed + healthPipeline.suppressed,
        dropped: delivered.dropped + (again?.dropped ?? 0),
      };
      await store.prune(new Date(started.getTime() - this.config.alerts.retention));
    }
    return { pipeline, notifications };
  }

  private exclusive<T>(work: () => Promise<T>): Promise<T> {
    const next = this.alerting.then(work, work);
    this.alerting = next.catch(() => undefined);
    return next;
  }

  /** Connectors count bytes billed since they opened; the counter gets what is new since the last reading. */
  private async countBytesBilled(): Promise<void> {
    const total = await this.connections!.bytesBilled();
    if (total > this.bytesBilledSeen) this.metrics.selfBytesBilled.inc(total - this.bytesBilledSeen);
    this.bytesBilledSeen = total;
  }

  private async deliver(store: StateStore, signal: AbortSignal | undefined, budgetMs: number) {
    const delivered = await deliverOutbox({
      store,
      channels: this.channels,
      log: this.options.log,
      budgetMs,
      maxAgeMs: this.config.alerts.maxDeliveryAge,
      ...(signal ? { signal } : {}),
      onOutcome: (channel, outcome) => this.metrics.notifications.inc({ channel, outcome }),
    });
    this.metrics.outboxPending.set(delivered.pending);
    return delivered;
  }

  async close(): Promise<void> {
    await this.connections?.closeAll();
    await this.store?.close();
    this.connections = undefined;
    this.store = undefined;
    this.bytesBilledSeen = 0;
  }

  private select(ids?: string[]): CheckConfig[] {
    if (!ids?.length) return this.config.checks;
    const unknown = ids.filter((id) => !this.config.checks.some((c) => c.id === id));
    if (unknown.length) throw new UsageError(`unknown check id(s): ${unknown.join(', ')}`);
    return this.config.checks.filter((c) => ids.includes(c.id)).map((c) => ({ ...c, enabled: true }));
  }

  private context(check: CheckConfig, signal: AbortSignal, now: Date): CheckContext {
    const store = this.store!;
    const log = this.options.log.child({ check: check.id });
    return {
      checkId: check.id,
      kind: check.kind,
      signal,
      log,
      now,
      configDir: this.config.dir,
      connections: this.connections!,
      aws: this.aws,
      state: {
        getWatermark: (name) => store.getWatermark(check.id, name),
        setWatermark: (name, value) => store.setWatermark(check.id, name, value),
        observe: (scope, keys, at) => store.observe(check.id, scope, keys, at),
      },
      progress: this.options.progress ? progressPrinter(check.id) : () => undefined,
    };
  }
}
