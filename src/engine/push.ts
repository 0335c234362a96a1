import { Counter, Pushgateway, Registry } from 'prom-client';
import type { Logger } from 'pino';
import { errorMessage } from '../core/redact';
import type { Metrics } from './metrics';

const JOB = 'guardrail';
const PUSH_TIMEOUT_MS = 10_000;
/** A push with less time than this left is not tried. */
const MIN_PUSH_MS = 1_000;

/**
 * Pushes a run-once job's metrics; a failed push is logged, never fails the run. Counters first continue from the
 * values the group holds (see carryCounters).
 */
export async function pushMetrics(
  url: string,
  metrics: Metrics,
  log: Logger,
  checkIds?: readonly string[],
): Promise<void> {
  const group = groupOf(checkIds);
  // One budget for both requests: a gateway that accepts and never answers costs the run 10 s, not 20.
  const deadline = Date.now() + PUSH_TIMEOUT_MS;
  try {
    await carryCounters(url, metrics, AbortSignal.timeout(PUSH_TIMEOUT_MS), group);
  } catch (error) {
    log.warn(
      { err: errorMessage(error) },
      "could not read the Pushgateway's counters; this push starts them again (Prometheus reads a reset)",
    );
  }
  const left = deadline - Date.now();
  if (left < MIN_PUSH_MS) {
    log.warn('could not push metrics to the Pushgateway: it did not answer within 10s');
    return;
  }
  const push = (registry: Registry, groupings?: { instance: string }) =>
    new Pushgateway(url, { timeout: Math.max(MIN_PUSH_MS, deadline - Date.now()) }, registry).pushAdd({
      jobName: JOB,
      ...(groupings ? { groupings } : {}),
    });
  try {
    // With a group of checks, the store's own figures go to the shared group, where the latest job's push replaces
    // them; kept in each check group, a daily job's stale outbox count would keep GuardrailOutboxBackingUp firing
    // after another job had drained the outbox.
    const [own, shared] = group ? splitStoreWide(metrics.registry) : [metrics.registry];
    await push(own, group);
    if (shared) await push(shared);
  } catch (error) {
    log.warn({ err: errorMessage(error) }, 'could not push metrics to the Pushgateway');
  }
}

/** Metrics of the whole state store, the same whichever checks a job ran. */
const STORE_WIDE = new Set(['guardrail_outbox_pending', 'guardrail_cleanup_saved_monthly_usd']);

/** The job's metrics, and the state store's. */
function splitStoreWide(registry: Registry): [Registry, Registry] {
  const own = new Registry();
  const shared = new Registry();
  for (const { name } of registry.getMetricsAsArray()) {
    const metric = registry.getSingleMetric(name);
    if (metric) (STORE_WIDE.has(name) ? shared : own).registerMetric(metric);
  }
  return [own, shared];
}

/**
 * The group a job pushes to: `{job="guardrail"}` for a run of every check; with `--check`, also
 * `instance="<the checks, sorted>"`. A push replaces each family it sends within its group, so two CronJobs of
 * different checks sharing one group erased each other's series (last success, findings) within a schedule.
 */
export function groupOf(checkIds?: readonly string[]): { instance: string } | undefined {
  return checkIds?.length ? { instance: [...new Set(checkIds)].sort().join(',') } : undefined;
}

/** One metric family of a group, as the Pushgateway's API gives it (values as text). */
interface PushedFamily {
  type?: string;
  metrics?: { labels?: Record<string, string>; value?: string }[];
}

/**
 * Adds to each counter what the group already holds for it. Each `run` job is a new process whose counters start
 * at 0, and a Pushgateway replaces a pushed family rather than adding to it: the series would hold one run's count
 * for ever, so that increase() never saw a channel fail or a message dropped run after run
 * (GuardrailChannelFailing, GuardrailNotificationsDropped). Series this run did not touch are carried too (a push
 * replaces the whole family). Two jobs pushing at the same moment may lose one's increments: the counter still
 * only rises. Histograms start again each run.
 */
export async function carryCounters(
  url: string,
  metrics: Metrics,
  signal: AbortSignal,
  group?: { instance: string },
): Promise<void> {
  const api = new URL('api/v1/metrics', url.endsWith('/') ? url : `${url}/`);
  // fetch refuses a URL with credentials in it; the Pushgateway takes them as basic auth.
  const headers: Record<string, string> = {};
  if (api.username || api.password) {
    const user = `${decodeURIComponent(api.username)}:${decodeURIComponent(api.password)}`;
    headers.authorization = `Basic ${Buffer.from(user).toString('base64')}`;
    api.username = api.password = '';
  }
  const answer = await fetch(api, { headers, signal });
  if (!answer.ok) throw new Error(`GET /api/v1/metrics answered ${answer.status}`);
  const body = (await answer.json()) as { data?: Record<string, unknown>[] };
  const wanted: Record<string, string> = { job: JOB, ...group };
  const held = body.data?.find((g) => {
    const labels = (g.labels ?? {}) as Record<string, string>;
    const names = Object.keys(labels);
    return names.length === Object.keys(wanted).length && names.every((n) => labels[n] === wanted[n]);
  });
  if (!held) return; // nothing pushed yet
  for (const [name, family] of Object.entries(held) as [string, PushedFamily][]) {
    const counter = metrics.registry.getSingleMetric(name);
    if (!(counter instanceof Counter) || family.type !== 'COUNTER') continue;
    const labelNames = new Set(counterLabelNames(counter));
    for (const sample of family.metrics ?? []) {
      const value = Number(sample.value);
      if (!Number.isFinite(value) || value <= 0) continue;
      const entries = Object.entries(sample.labels ?? {}).filter(([key]) => labelNames.has(key));
      counter.inc(Object.fromEntries(entries), value);
    }
  }
}

/** prom-client keeps a counter's label names on the instance, not in its public type. */
function counterLabelNames(counter: Counter): string[] {
  return (counter as unknown as { labelNames?: string[] }).labelNames ?? [];
}
