import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { Logger } from 'pino';
import { CHECKS, findCheck } from '../../checks/registry';
import { longestInterval } from '../core/cron-interval';
import type { CheckConfig } from '../config/types';
import type {
  CheckRunResult,
  CheckStatus,
  Finding,
  Measurement,
  MeasurementDeclaration,
} from '../core/types';
import { SEVERITIES } from '../core/severity';

const PREFIX = 'guardrail_';
const DURATION_BUCKETS = [0.1, 0.5, 1, 5, 15, 30, 60, 120, 300, 900];
const STATUSES: readonly CheckStatus[] = ['ok', 'firing', 'error', 'skipped'];
const OUTCOMES = ['sent', 'failed', 'dropped'] as const;
/** Why serve did not start or finish a scheduled run (guardrail_check_skipped_total's reason). */
export type SkipReason = 'overlap' | 'running-elsewhere' | 'lease-lost';
const SKIP_REASONS: readonly SkipReason[] = ['overlap', 'running-elsewhere', 'lease-lost'];

/** The agent's Prometheus metrics (DESIGN.md §6); check measurements become gauges on demand. */
export class Metrics {
  readonly registry = new Registry();
  private readonly runs = new Counter({
    name: `${PREFIX}check_runs_total`,
    help: 'Check runs by outcome.',
    labelNames: ['check', 'kind', 'status'],
    registers: [this.registry],
  });
  private readonly duration = new Histogram({
    name: `${PREFIX}check_duration_seconds`,
    help: 'How long each check run took.',
    labelNames: ['check', 'kind'],
    buckets: DURATION_BUCKETS,
    registers: [this.registry],
  });
  /**
   * The last run's duration: a `run` job pushing to a Pushgateway starts its histogram again each time (its _count
   * stays 1, so a mean over increase() divided by zero); the dashboard falls back on this (a review saw +Inf).
   */
  private readonly lastDuration = new Gauge({
    name: `${PREFIX}check_last_duration_seconds`,
    help: 'How long the last run of the check took.',
    labelNames: ['check', 'kind'],
    registers: [this.registry],
  });
  private readonly findings = new Gauge({
    name: `${PREFIX}findings`,
    help: 'Findings firing after the last run, by severity.',
    labelNames: ['check', 'kind', 'severity'],
    registers: [this.registry],
  });
  private readonly lastRun = new Gauge({
    name: `${PREFIX}last_run_timestamp_seconds`,
    help: 'When the last run of the check finished (Unix seconds), whatever its outcome.',
    labelNames: ['check', 'kind'],
    registers: [this.registry],
  });
  private readonly lastMeasured = new Gauge({
    name: `${PREFIX}last_measured_timestamp_seconds`,
    help: "When the last run of the check that measured (its gauges' values are of that run) finished (Unix seconds).",
    labelNames: ['check', 'kind'],
    registers: [this.registry],
  });
  private readonly lastSuccess = new Gauge({
    name: `${PREFIX}last_success_timestamp_seconds`,
    help:
      'When the last run of the check that could look (status ok or firing) finished (Unix seconds), in any ' +
      'process sharing the state store; for a check that never did, when its first run finished.',
    labelNames: ['check', 'kind'],
    registers: [this.registry],
  });
  /**
   * The longest time between two scheduled runs of each enabled check (its cron): GuardrailCheckNotSucceeding waits
   * two of them (at least 2 h), so that a daily check is not called stale three hours after its run (a review).
   */
  private readonly interval = new Gauge({
    name: `${PREFIX}check_interval_seconds`,
    help:
      'Longest time between two scheduled runs of the check, from its cron schedule, in whole hours (at least one; ' +
      'seconds).',
    labelNames: ['check', 'kind'],
    registers: [this.registry],
  });
  readonly notifications = new Counter({
    name: `${PREFIX}notifications_total`,
    help: 'Alert messages by channel and outcome (sent, failed attempt, dropped).',
    labelNames: ['channel', 'outcome'],
    registers: [this.registry],
  });
  /**
   * 1 while a channel is broken (it rejects messages) or failing (its oldest message failed 5 attempts), else 0:
   * a state, so that GuardrailChannelFailing fires whatever the checks' schedule (a rule on failed attempts in
   * 15 minutes never held for 15 minutes under hourly runs, a review found).
   */
  readonly channelFailing = new Gauge({
    name: `${PREFIX}channel_failing`,
    help: 'Whether the alert channel is broken or failing (1) or not (0), as the state store last said.',
    labelNames: ['channel'],
    registers: [this.registry],
  });
  readonly selfBytesBilled = new Counter({
    name: `${PREFIX}self_bytes_billed_total`,
    help: "Bytes billed by the agent's own BigQuery queries (dry-run first, capped by maximumBytesBilled).",
    registers: [this.registry],
  });
  readonly checkSkipped = new Counter({
    name: `${PREFIX}check_skipped_total`,
    help:
      'Scheduled runs of a check that serve did not start or did not finish: its previous run in this process ' +
      'was still going (reason="overlap"), another replica held its run lease for longer than the check may take ' +
      '(reason="running-elsewhere"), or the run stopped when another replica took its lease (reason="lease-lost").',
    labelNames: ['check', 'reason'],
    registers: [this.registry],
  });
  private readonly measured = new Map<string, { metric: Gauge | Counter; labelNames: string[] }>();
  /** The gauge series each check's last measuring run set, by check id, then metric name. */
  private readonly series = new Map<string, Map<string, Record<string, string>[]>>();

  /**
   * Every counter series the config names starts at 0: runs of each enabled check by status, messages of each
   * channel by outcome, and the checks' own counters it lists in advance (`counterSeries`). Prometheus's
   * increase() does not count a series' first sample, so a series born at 1 made the first error run, dropped
   * message or skipped tick read as none, on the dashboards and in the rules.
   */
  startSeries(checks: readonly CheckConfig[], channels: readonly string[]): void {
    for (const check of checks.filter((c) => c.enabled)) {
      for (const status of STATUSES) this.runs.inc({ check: check.id, kind: check.kind, status }, 0);
      this.interval.set({ check: check.id, kind: check.kind }, longestInterval(check.schedule) / 1000);
      for (const { name, labels } of findCheck(check.kind)?.counterSeries?.(check) ?? []) {
        const declared = this.measured.get(name);
        if (declared?.metric instanceof Counter)
          declared.metric.inc(this.labelsOf(declared.labelNames, check.id, labels), 0);
      }
    }
    for (const channel of channels)
      for (const outcome of OUTCOMES) this.notifications.inc({ channel, outcome }, 0);
    this.recordChannels(channels, new Set());
  }

  /** guardrail_channel_failing of every channel: 1 for those in `troubled`. */
  recordChannels(channels: Iterable<string>, troubled: ReadonlySet<string>): void {
    for (const channel of channels) this.channelFailing.set({ channel }, troubled.has(channel) ? 1 : 0);
  }

  /** serve's skipped runs of each enabled check start at 0 by reason (see startSeries). */
  startSkipSeries(checks: readonly CheckConfig[]): void {
    for (const check of checks.filter((c) => c.enabled))
      for (const reason of SKIP_REASONS) this.checkSkipped.inc({ check: check.id, reason }, 0);
  }

  private labelsOf(names: readonly string[], checkId: string, labels: Record<string, string>) {
    return Object.fromEntries(names.map((l) => [l, l === 'check' ? checkId : (labels[l] ?? '')]));
  }

  /** Each declared measurement becomes a metric at once, with its help text (`# HELP` before any run). */
  constructor(
    private readonly log?: Logger,
    declarations: readonly MeasurementDeclaration[] = CHECKS.flatMap((c) => c.measurements),
  ) {
    for (const d of declarations) {
      if (this.measured.has(d.name)) continue; // kinds may share one (the idle checks' cost gauges)
      const labelNames = [...new Set(['check', ...d.labels])].sort();
      const options = { name: `${PREFIX}${d.name}`, help: d.help, labelNames, registers: [this.registry] };
      const metric = d.type === 'counter' ? new Counter(options) : new Gauge(options);
      this.measured.set(d.name, { metric, labelNames });
    }
  }

  /**
   * Alert messages waiting in the outbox. Made on first use, once the store was read: a `serve` still waiting for
   * its store at start-up showed 0, a count no one had read.
   */
  get outboxPending(): Gauge {
    return this.gaugeOnFirstUse('outbox_pending', 'Alert messages waiting in the outbox.');
  }

  /**
   * 1 while serve's state store answers, 0 once it stops (see StoreProbe). Made on first use, so that a `run`
   * pushing its metrics never reports a store it does not watch.
   */
  get stateStoreUp(): Gauge {
    return this.gaugeOnFirstUse(
      'state_store_up',
      "Whether the state store answered serve's last probe (1) or not (0).",
    );
  }

  /** A gauge without labels registered when first asked for: until then it is not exported (a bare gauge reads 0). */
  private gaugeOnFirstUse(name: string, help: string): Gauge {
    const full = `${PREFIX}${name}`;
    const known = this.registry.getSingleMetric(full);
    return known instanceof Gauge ? known : new Gauge({ name: full, help, registers: [this.registry] });
  }

  /** $/month saved by applied cleanup plans, from the state store (every process that reads it agrees). */
  private readonly cleanupSaved = new Gauge({
    name: `${PREFIX}cleanup_saved_monthly_usd`,
    help: 'List-price $/month saved by the resources that guardrail cleanup apply removed, per check and action.',
    labelNames: ['check', 'action'],
    registers: [this.registry],
  });

  recordCleanupSavings(
    savings: readonly { checkId: string; action: string; monthlySavingUsd: number }[],
  ): void {
    this.cleanupSaved.reset();
    for (const s of savings)
      this.cleanupSaved.set({ check: s.checkId, action: s.action }, s.monthlySavingUsd);
  }

  /** One run of a check; `firing`: its alerts firing after the run (see firingAfter). */
  recordRun(result: CheckRunResult, firing: readonly Finding[]): void {
    const labels = { check: result.id, kind: result.kind };
    this.runs.inc({ ...labels, status: result.status });
    if (result.status === 'skipped') return;
    this.duration.observe(labels, result.durationMs / 1000);
    this.lastDuration.set(labels, result.durationMs / 1000);
    const finishedAt = (Date.parse(result.startedAt) + result.durationMs) / 1000;
    this.lastRun.set(labels, finishedAt);
    if (result.status !== 'error') this.lastSuccess.set(labels, finishedAt);
    for (const severity of SEVERITIES) {
      this.findings.set({ ...labels, severity }, firing.filter((f) => f.severity === severity).length);
    }
    // A partial error (a region, a table) still measured the rest; a check that threw measured nothing.
    if (result.status !== 'error' || result.partial) {
      this.recordMeasurements(result.id, result.measurements);
      this.lastMeasured.set(labels, finishedAt);
    }
  }

  /** A run that failed before its check could report (in `serve`: the state store down): an error run. */
  recordRunFailure(check: { id: string; kind: string }): void {
    this.runs.inc({ check: check.id, kind: check.kind, status: 'error' });
  }

  /** The last success of a check that errored now, as the state store knows it (see recordSuccessTimes). */
  recordLastSuccess(result: Pick<CheckRunResult, 'id' | 'kind'>, unixSeconds: number): void {
    this.lastSuccess.set({ check: result.id, kind: result.kind }, unixSeconds);
  }

  /**
   * Gauges replace the check's previous series, whatever their name (a dropped table must not linger);
   * counters add this run's amounts. A name no check kind declares is skipped with a warning.
   */
  recordMeasurements(checkId: string, measurements: Measurement[]): void {
    const byName = new Map<string, Measurement[]>();
    for (const m of measurements) byName.set(m.name, [...(byName.get(m.name) ?? []), m]);
    // Every gauge series of the check's last measuring run goes, then this run's are set: a gauge it measured then
    // and not now goes too (a table whose every side failed reports no difference, and its old 0 read as "in sync"
    // on the dashboard for as long as it could not be counted: a soak).
    for (const [name, old] of this.series.get(checkId) ?? []) {
      const gauge = this.measured.get(name)?.metric;
      if (gauge instanceof Gauge) for (const labels of old) gauge.remove(labels);
    }
    const current = new Map<string, Record<string, string>[]>();
    this.series.set(checkId, current);
    for (const [name, list] of byName) {
      const declared = this.measured.get(name);
      if (!declared) {
        this.log?.warn(
          { metric: name, check: checkId },
          'measurement not declared by any check kind; skipped',
        );
        continue;
      }
      const labelsOf = (m: Measurement) => this.labelsOf(declared.labelNames, checkId, m.labels);
      if (declared.metric instanceof Counter) {
        // A 0 too: the series then exists before its first amount (see startSeries).
        for (const m of list) if (m.value >= 0) declared.metric.inc(labelsOf(m), m.value);
        continue;
      }
      const gauge = declared.metric as Gauge;
      const labels = list.map(labelsOf);
      list.forEach((m, i) => gauge.set(labels[i]!, m.value));
      current.set(name, labels);
    }
  }
}
