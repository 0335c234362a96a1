import type { Logger } from 'pino';
import { findChannel } from '../../alerts/channels/registry';
import { alertStage } from '../../alerts/stage';
import { firingAfter, mergePipelines, processResults, type PipelineResult } from '../../alerts/pipeline';
import type { Channel, NotificationItem } from '../../alerts/types';
import { matches } from '../../alerts/match';
import type { CheckRunResult } from '../core/types';
import { createAwsProvider } from '../aws/provider';
import type { AwsProvider } from '../aws/types';
import type { GuardrailConfig, CheckConfig } from '../config/load';
import { createConnectionProvider } from '../connectors/provider';
import type { ConnectionProvider } from '../connectors/types';
import { type CheckContext } from '../../checks/types';
import { openStateStore } from '../state/open-store';
import { checkStateFor, dryRunCheckState } from '../state/check-state';
import type { StateStore } from '../state/types';
import type { Metrics } from './metrics';
import type { RunReport } from './report';
import { runChecks } from './runner';
import { recordSuccessTimes } from './success-times';
import { progressPrinter } from './progress';
import { UsageError } from '../core/errors';
import { errorMessage } from '../core/redact';

export interface AgentOptions {
  log: Logger;
  /** stdout writer (console channel, dry-run previews). */
  out: (text: string) => void;
  /** Overrides `state.url` (`--state`). */
  stateUrl?: string;
  /** Where a relative sqlite path lands (`GUARDRAIL_STATE_DIR`). @default the config file's folder */
  stateDir?: string;
  /** Progress lines on stderr (TTY only). */
  progress?: boolean;
  concurrency?: number;
  /**
   * Where runs are recorded for Prometheus: `serve` always has them; `run` and `cleanup` only for a Pushgateway.
   * Without it nothing is recorded and prom-client is never loaded (about 35 ms and 18 MB of a short run).
   */
  metrics?: Metrics;
  /**
   * The only checks this process runs (`run --check`): its counter series start at 0 for them alone, since its
   * push goes to a group of its own, where other checks' series would stand beside those of their own jobs.
   */
  onlyChecks?: readonly string[];
}

export interface RunOptions {
  checkIds?: string[];
  dryRun?: boolean;
  /** Aborts the checks (a stopping process, after its grace period). */
  signal?: AbortSignal;
  /** Aborts the alerting stage (delivery stops, the outbox keeps the rest). @default `signal` */
  alertSignal?: AbortSignal;
  /** Called once the checks have ended, before alerting. */
  onChecksDone?: () => void;
}

const DEFAULT_CONCURRENCY = 4;

/** Metrics for a short process that pushes them: prom-client loads only then (`serve` imports it for /metrics). */
export async function pushgatewayMetrics(log: Logger): Promise<Metrics> {
  const { Metrics } = await import('./metrics.js');
  return new Metrics(log);
}

/** Everything one process needs to run checks: state, connections, clients, channels, metrics. */
export class Agent {
  readonly metrics: Metrics | undefined;
  private store?: StateStore;
  private connections?: ConnectionProvider;
  private readonly channels = new Map<string, Channel>();
  private readonly aws: AwsProvider;
  private bytesBilledSeen = 0;
  /** Runs between opening the connections and their checks' end (serve starts one per tick, side by side). */
  private runsChecking = 0;
  /** Connections being closed after the last run checked (see releaseConnections). */
  private closing: Promise<unknown> = Promise.resolve();
  private alerting: Promise<unknown> = Promise.resolve();

  constructor(
    readonly config: GuardrailConfig,
    private readonly options: AgentOptions,
  ) {
    this.metrics = options.metrics;
    const only = options.onlyChecks;
    this.metrics?.startSeries(
      only ? config.checks.filter((c) => only.includes(c.id)) : config.checks,
      config.channels.map((c) => c.name),
    );
    this.aws = createAwsProvider(config.aws);
    for (const c of config.channels) {
      const def = findChannel(c.type);
      if (def)
        this.channels.set(c.name, def.create(c.name, c.config, { log: options.log, out: options.out }));
    }
  }

  async open(): Promise<void> {
    this.store ??= await openStateStore(
      this.options.stateUrl ?? this.config.state.url,
      this.options.stateDir ?? this.config.dir,
    );
    this.connections ??= createConnectionProvider(this.config.connections, {
      configDir: this.config.dir,
      gcp: this.config.gcp,
      log: this.options.log,
      aws: this.aws,
    });
  }

  /** Runs the selected checks once, routes their alerts, delivers the outbox (unless dry-run). */
  async runOnce(run: RunOptions = {}): Promise<RunReport> {
    const started = new Date();
    const checks = this.select(run.checkIds);
    const early = this.decideEarly(started, !!run.dryRun);
    const results = await this.checking(async () => {
      const done = await runChecks(checks, {
        concurrency: this.options.concurrency ?? DEFAULT_CONCURRENCY,
        log: this.options.log,
        ...(run.signal ? { signal: run.signal } : {}),
        context: (check, signal) => this.context(check, signal, started, !!run.dryRun),
        onResult: early.decide,
      });
      run.onChecksDone?.();
      if (this.metrics) await this.countBytesBilled(this.metrics);
      return done;
    });
    const store = this.store!;
    const decided = await early.done();
    if (this.metrics) this.metrics.recordCleanupSavings(await store.cleanupSavings());

    // One alerting pass at a time per process: in `serve` checks finish concurrently, and two passes would
    // read the same alert states and deliver the same outbox rows side by side.
    const alerted = await this.exclusive(() =>
      alertStage(
        results,
        {
          store,
          channels: this.channels,
          config: this.config.alerts,
          log: this.options.log,
          now: started,
          ...(run.dryRun ? { dryRun: true } : {}),
          ...((run.alertSignal ?? run.signal) ? { signal: run.alertSignal ?? run.signal } : {}),
          out: this.options.out,
          onOutcome: (channel, outcome) => this.metrics?.notifications.inc({ channel, outcome }),
          onPending: (pending) => this.metrics?.outboxPending.set(pending),
        },
        decided,
      ),
    );
    if (alerted.troubled) this.metrics?.recordChannels(this.channels.keys(), alerted.troubled);
    // After the lifecycle: guardrail_findings counts what fires, not a finding still pending (`for:`), and the
    // alerts a run could not see (a table it could not count, a check that failed) still fire.
    for (const r of results)
      this.metrics?.recordRun(r, firingAfter(alerted.findings.get(r.id) ?? [], alerted.kept.get(r.id) ?? []));
    if (this.metrics && !run.dryRun) await recordSuccessTimes(store, this.metrics, results, this.options.log);
    const reported = alerted.health ? [...results, alerted.health] : results;
    const { notifications } = alerted;
    return {
      startedAt: started.toISOString(),
      finishedAt: new Date().toISOString(),
      ...(run.dryRun ? { dryRun: true } : {}),
      checks: reported.map((r) => {
        const findings = alerted.findings.get(r.id) ?? [];
        const kept = (alerted.kept.get(r.id) ?? []).map(({ key, severity, title }) => ({
          key,
          severity,
          title,
        }));
        // A check whose every finding waits out its `for:` fires nothing yet (a trial: JSON said firing).
        const live = findings.filter((f) => f.state !== 'resolved' && f.state !== 'retired');
        const pending = r.status === 'firing' && live.length > 0 && live.every((f) => f.state === 'pending');
        return {
          id: r.id,
          kind: r.kind,
          status: pending ? ('pending' as const) : r.status,
          durationMs: r.durationMs,
          ...(r.error ? { error: r.error } : {}),
          findings,
          ...(kept.length ? { kept } : {}),
        };
      }),
      notifications: {
        sent: notifications.sent,
        failed: notifications.failed,
        pending: notifications.pending,
        suppressed: notifications.suppressed,
        ...(notifications.dropped ? { dropped: notifications.dropped } : {}),
        ...(notifications.undelivered.length ? { undelivered: notifications.undelivered } : {}),
      },
    };
  }

  /**
   * Each check's alerts decided and committed (states and outbox) as soon as it finishes, not when the slowest check
   * of the run does: a run killed meanwhile (a scheduler's deadline, an OOM kill) lost the alerts of the checks that
   * had finished (a trial), where the next run now delivers them from the outbox. One that fails (the store down) is
   * left to the run's alerting pass, which reports the error.
   */
  private decideEarly(now: Date, dryRun: boolean) {
    const parts: PipelineResult[] = [];
    const checks = new Set<CheckRunResult>();
    let deciding = Promise.resolve();
    return {
      decide: (result: CheckRunResult): void => {
        if (result.status === 'skipped') return;
        const decide = () => processResults([result], this.config.alerts, this.store!, now, dryRun);
        deciding = deciding.then(() =>
          this.exclusive(decide).then(
            (part) => void (parts.push(part), checks.add(result)),
            (err: unknown) =>
              this.options.log.warn(
                { check: result.id, err: errorMessage(err) },
                "alerts not decided as the check finished; the run's alerting pass decides them",
              ),
          ),
        );
      },
      done: async () => {
        await deciding;
        return { decided: mergePipelines(parts), checks };
      },
    };
  }

  private exclusive<T>(work: () => Promise<T>): Promise<T> {
    const next = this.alerting.then(work, work);
    this.alerting = next.catch(() => undefined);
    return next;
  }

  /** Connectors count bytes billed since they opened; the counter gets what is new since the last reading. */
  private async countBytesBilled(metrics: Metrics): Promise<void> {
    const total = await this.connections!.bytesBilled();
    if (total > this.bytesBilledSeen) metrics.selfBytesBilled.inc(total - this.bytesBilledSeen);
    this.bytesBilledSeen = total;
  }

  /**
   * Runs `work` (checks) with the connections open; the last run to finish checking closes them, and the next run
   * opens them again. `serve` kept them for the life of the process, and a DuckDB instance holds native memory for
   * each statement run on it until it is closed: the quickstart at a check a second grew about 95 KB a run (1,000
   * runs: 45 to 187 MB of anonymous RSS; closed after each run, it levelled off near 99 MB by run 400).
   */
  private async checking<T>(work: () => Promise<T>): Promise<T> {
    this.runsChecking++;
    try {
      await this.open();
      return await work();
    } finally {
      if (--this.runsChecking === 0) this.releaseConnections();
    }
  }

  /** Closes the connections in the background (each close is bounded): the run's alerts do not wait on it. */
  private releaseConnections(): void {
    const connections = this.connections;
    if (!connections) return;
    this.connections = undefined;
    // The connectors count bytes billed since they opened: the next ones start from 0.
    this.bytesBilledSeen = 0;
    const closing = connections
      .closeAll()
      .catch((err: unknown) =>
        this.options.log.warn({ err: errorMessage(err) }, 'closing connections failed'),
      );
    this.closing = Promise.all([this.closing, closing]);
  }

  async close(): Promise<void> {
    this.releaseConnections();
    await this.closing;
    await this.store?.close();
    this.store = undefined;
  }

  private select(ids?: string[]): CheckConfig[] {
    if (!ids?.length) return this.config.checks;
    const unknown = ids.filter((id) => !this.config.checks.some((c) => c.id === id));
    if (unknown.length) {
      const known = this.config.checks.map((c) => c.id).join(', ') || 'none';
      throw new UsageError(`unknown check id(s): ${unknown.join(', ')}; the config's checks: ${known}`);
    }
    return this.config.checks.filter((c) => ids.includes(c.id)).map((c) => ({ ...c, enabled: true }));
  }

  private context(check: CheckConfig, signal: AbortSignal, now: Date, dryRun = false): CheckContext {
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
      state: dryRun ? dryRunCheckState(store, check.id) : checkStateFor(store, check.id),
      progress: this.options.progress ? progressPrinter(check.id) : () => undefined,
    };
  }

  /** Runs the selected checks without alerting and returns what they report now (cleanup plans). */
  async observe(checkIds: string[], signal?: AbortSignal): Promise<CheckRunResult[]> {
    const started = new Date();
    return this.checking(() =>
      runChecks(this.select(checkIds), {
        concurrency: this.options.concurrency ?? DEFAULT_CONCURRENCY,
        log: this.options.log,
        ...(signal ? { signal } : {}),
        context: (check, s) => this.context(check, s, started),
      }),
    );
  }

  /** The AWS clients of the config (cleanup apply acts through them). */
  get awsProvider(): AwsProvider {
    return this.aws;
  }

  /**
   * Sends one message about a check straight to the channel its routes pick (cleanup plan summaries); resolves
   * the channel name, or undefined when no route matches.
   */
  async announce(
    check: { id: string; kind: string },
    item: NotificationItem,
    signal: AbortSignal,
  ): Promise<string | undefined> {
    const finding = { key: item.key, severity: item.severity, title: item.title, labels: item.labels ?? {} };
    const route = this.config.alerts.routes.find((r) => matches(r.match, check, finding));
    const channel = route ? this.channels.get(route.channel) : undefined;
    if (!channel) return undefined;
    await channel.send(
      {
        id: `${check.id}-${item.key}`,
        channel: channel.name,
        checkId: check.id,
        checkKind: check.kind,
        createdAt: new Date().toISOString(),
        items: [item],
      },
      { signal },
    );
    return channel.name;
  }

  /** The open state store (opens it first): `serve` pings it for readiness and takes its leases. */
  async stateStore(): Promise<StateStore> {
    await this.open();
    return this.store!;
  }
}
