import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { Logger } from 'pino';
import type { Measurement } from '../core/types';
import type { CheckRunResult } from './runner';

const PREFIX = 'guardrail_';
const DURATION_BUCKETS = [0.1, 0.5, 1, 5, 15, 30, 60, 120, 300, 900];

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
  private readonly findings = new Gauge({
    name: `${PREFIX}findings`,
    help: 'Findings firing after the last run, by severity.',
    labelNames: ['check', 'kind', 'severity'],
    registers: [this.registry],
  });
  readonly notifications = new Counter({
    name: `${PREFIX}notifications_total`,
    help: 'Alert messages by channel and outcome (sent, failed attempt, dropped).',
    labelNames: ['channel', 'outcome'],
    registers: [this.registry],
  });
  readonly outboxPending = new Gauge({
    name: `${PREFIX}outbox_pending`,
    help: 'Alert messages waiting in the outbox.',
    registers: [this.registry],
  });
  readonly selfBytesBilled = new Counter({
    name: `${PREFIX}self_bytes_billed_total`,
    help: "Bytes billed by the agent's own BigQuery queries (dry-run first, capped by maximumBytesBilled).",
    registers: [this.registry],
  });
  private readonly measured = new Map<string, Gauge | Counter>();
  private readonly series = new Map<string, Record<string, string>[]>();

  constructor(private readonly log?: Logger) {}

  recordRun(result: CheckRunResult): void {
    const labels = { check: result.id, kind: result.kind };
    this.runs.inc({ ...labels, status: result.status });
    if (result.status === 'skipped') return;
    this.duration.observe(labels, result.durationMs / 1000);
    for (const severity of ['info', 'warning', 'critical'] as const) {
      this.findings.set(
        { ...labels, severity },
        result.findings.filter((f) => f.severity === severity).length,
      );
    }
    if (result.status !== 'error') this.recordMeasurements(result.id, result.measurements);
  }

  /**
   * Gauges replace the check's previous series of each measured name (a dropped table must not linger);
   * counters add this run's amounts.
   */
  recordMeasurements(checkId: string, measurements: Measurement[]): void {
    const byName = new Map<string, Measurement[]>();
    for (const m of measurements) byName.set(m.name, [...(byName.get(m.name) ?? []), m]);
    for (const [name, list] of byName) {
      const labelNames = [...new Set(['check', ...list.flatMap((m) => Object.keys(m.labels))])].sort();
      if (list[0]?.type === 'counter') {
        this.addToCounter(name, labelNames, checkId, list);
        continue;
      }
      const gauge = this.gauge(name, labelNames);
      if (!gauge) continue;
      const seriesKey = `${name}\u0000${checkId}`;
      for (const old of this.series.get(seriesKey) ?? []) gauge.remove(old);
      const current: Record<string, string>[] = [];
      for (const m of list) {
        const labels: Record<string, string> = { check: checkId };
        for (const l of labelNames) if (l !== 'check') labels[l] = m.labels[l] ?? '';
        gauge.set(labels, m.value);
        current.push(labels);
      }
      this.series.set(seriesKey, current);
    }
  }

  private addToCounter(name: string, labelNames: string[], checkId: string, list: Measurement[]): void {
    const counter = this.metric(name, labelNames, 'counter') as Counter | undefined;
    for (const m of list) {
      const labels: Record<string, string> = { check: checkId };
      for (const l of labelNames) if (l !== 'check') labels[l] = m.labels[l] ?? '';
      if (m.value > 0) counter?.inc(labels, m.value);
    }
  }

  private gauge(name: string, labelNames: string[]): Gauge | undefined {
    return this.metric(name, labelNames, 'gauge') as Gauge | undefined;
  }

  /** The gauge or counter behind a measurement name, created on first use with the labels it first had. */
  private metric(name: string, labelNames: string[], type: 'gauge' | 'counter'): Gauge | Counter | undefined {
    const existing = this.measured.get(name);
    if (existing) {
      const known = (existing as unknown as { labelNames: string[] }).labelNames;
      if (known.join() === labelNames.join()) return existing;
      this.log?.warn(
        { metric: name, labels: labelNames, expected: known },
        'measurement labels changed; skipped',
      );
      return undefined;
    }
    const options = {
      name: `${PREFIX}${name}`,
      help: `Measured by checks: ${name.replace(/_/g, ' ')}.`,
      labelNames,
      registers: [this.registry],
    };
    const metric = type === 'counter' ? new Counter(options) : new Gauge(options);
    this.measured.set(name, metric);
    return metric;
  }
}
