import type { BigQueryQueryOptions } from '../../src/connectors/bigquery';
import { errorMessage } from '../../src/connectors/errors';
import { mapLimit } from '../../src/core/limit';
import type { Finding, Measurement, MeasurementDeclaration } from '../../src/core/types';
import { defineCheck } from '../types';
import { costUsd, jobCostUsd, jobFinding, slotCostUsd, thresholdBytes, thresholdSlotMs } from './format';
import {
  jobsSql,
  LATE_JOB_OVERLAP_MS,
  locationOf,
  QUEUED_PASS_EVERY_MS,
  readListing,
  type JobListing,
  type JobRow,
  type Pass,
} from './query';
import { BigQueryExpensiveQueriesConfig } from './schema';

/** Project × region listings in flight at once. */
const CONCURRENCY = 4;

interface Target {
  project: string;
  region: string;
}

/** One pass's listing of a target, or why it failed; `through` is where its watermark moves. */
interface Listed extends Target {
  watermark: string;
  through?: number;
  listing?: JobListing;
  error?: string;
}

const BIGQUERY_COST_MEASUREMENTS: readonly MeasurementDeclaration[] = [
  {
    name: 'bigquery_query_cost_usd_total',
    help: 'Cost of the query jobs seen, per project (added per run): on-demand bytes billed, plus the estimated slot time of jobs run in a reservation unless reservations: skip.',
    labels: ['project'],
    type: 'counter',
  },
  {
    name: 'bigquery_expensive_queries',
    help: 'Query jobs over the cost threshold seen in the last run, per project.',
    labels: ['project'],
    type: 'gauge',
  },
];

/** The `bigquery-expensive-queries` check. */
export const bigqueryExpensiveQueries = defineCheck({
  kind: 'bigquery-expensive-queries',
  description:
    'Reports each BigQuery query that cost more than a threshold (bytes billed, or slot time in a reservation), with its user and SQL',
  configSchema: BigQueryExpensiveQueriesConfig,
  // GCP, not AWS: the role is in the readme (roles/bigquery.resourceViewer, for bigquery.jobs.listAll).
  permissions: [],
  measurements: BIGQUERY_COST_MEASUREMENTS,
  counterSeries: (config) =>
    config.projects.map((project) => ({ name: 'bigquery_query_cost_usd_total', labels: { project } })),
  connectionsOf: (config) => [{ name: config.connection, path: ['connection'] }],
  example: {
    connection: 'bq',
    thresholdUsd: 5,
    pricePerTiB: 6.25,
    projects: ['my-project'],
    regions: ['region-asia-northeast3'],
  },
  async run(ctx, config) {
    const connector = await ctx.connections.get(config.connection);
    if (connector.type !== 'bigquery' || !connector.query) {
      throw new Error(
        `connection '${config.connection}' is ${connector.type}; this check needs a bigquery one`,
      );
    }
    const query = connector.query.bind(connector);
    const minBytes = thresholdBytes(config.thresholdUsd, config.pricePerTiB);
    const pricesSlots = config.reservations === 'price';
    const minSlotMs = pricesSlots ? thresholdSlotMs(config.thresholdUsd, config.slotHourUsd) : undefined;
    const firstSince = (ctx.now.getTime() - config.lookback) * 1000;
    const targets: Target[] = config.projects.flatMap((project) =>
      config.regions.map((region) => ({ project, region })),
    );

    // The jobs that waited in the queue are listed by a pass of their own, once an hour (query.ts: Pass).
    const queuedUntil = (ctx.now.getTime() - LATE_JOB_OVERLAP_MS) * 1000;
    let done = 0;
    const list = async (target: Target, pass: Pass, watermark: string): Promise<Listed> => {
      const { project, region } = target;
      const since = Number((await ctx.state.getWatermark(watermark)) ?? firstSince);
      const options: BigQueryQueryOptions = { signal: ctx.signal, location: locationOf(region) };
      const what = pass.kind === 'queued' ? 'jobs that waited in the queue' : 'jobs';
      try {
        const rows = await query(jobsSql(project, region, since, minBytes, minSlotMs, pass), [], options);
        const listing = readListing(rows);
        // The queued pass has covered up to its bound, whether or not a job ended there.
        const through = pass.kind === 'queued' ? pass.untilMicros : listing.lastEndMicros;
        return { ...target, watermark, through, listing };
      } catch (err) {
        ctx.signal.throwIfAborted();
        return {
          ...target,
          watermark,
          error: `cannot list BigQuery ${what} of ${project} in ${region}: ${errorMessage(err)}`,
        };
      }
    };
    const perTarget = await mapLimit(targets, CONCURRENCY, async (target) => {
      const key = `${target.project}/${target.region}`;
      try {
        const recent = await list(target, { kind: 'recent' }, key);
        const queuedKey = `${key}/queued`;
        const queuedSince = await ctx.state.getWatermark(queuedKey);
        const due =
          queuedSince === undefined || queuedUntil - Number(queuedSince) >= QUEUED_PASS_EVERY_MS * 1000;
        // A target whose recent jobs cannot be listed is one error; its queued pass waits for the next run.
        if (!due || recent.error !== undefined) return [recent];
        return [recent, await list(target, { kind: 'queued', untilMicros: queuedUntil }, queuedKey)];
      } finally {
        ctx.progress({ done: ++done, total: targets.length, unit: 'regions' });
      }
    });
    const listings = perTarget.flat();

    const findings: Finding[] = [];
    const measurements: Measurement[] = [];
    // A project and region whose jobs could not be listed (permission, region, budget) makes the run an error.
    const errors: string[] = [];
    const byProject = new Map<string, { cost: number; expensive: number }>();
    const reported = new Set<string>();
    for (const { project, region, listing, error } of listings) {
      if (!listing) {
        errors.push(error ?? `cannot list BigQuery jobs of ${project} in ${region}: no result`);
        continue;
      }
      const totals = byProject.get(project) ?? { cost: 0, expensive: 0 };
      byProject.set(project, totals);
      const { thresholdUsd, pricePerTiB, slotHourUsd, maxSqlChars } = config;
      const at = {
        project,
        region,
        location: locationOf(region),
        thresholdUsd,
        pricePerTiB,
        slotHourUsd,
        maxSqlChars,
      };
      // Never priced by on-demand bytes: a reservation job is costed by slot time, or not at all (skip).
      const expensive: JobRow[] = [];
      for (const job of listing.expensive) {
        // A job just over 6 hours from creation to end can be in both passes of one run: one finding of it.
        const key = `${project}:${job.jobId}`;
        if (reported.has(key)) continue;
        if ((pricesSlots || job.reservationId === undefined) && jobCostUsd(job, at) > thresholdUsd) {
          reported.add(key);
          expensive.push(job);
        }
      }
      findings.push(...expensive.map((job) => jobFinding(job, at)));
      totals.cost += costUsd(listing.bytesBilled, pricePerTiB);
      if (pricesSlots) totals.cost += slotCostUsd(listing.reservationSlotMs, slotHourUsd);
      totals.expensive += expensive.length;
    }
    for (const [project, totals] of byProject) {
      measurements.push(
        { name: 'bigquery_query_cost_usd_total', value: totals.cost, labels: { project } },
        { name: 'bigquery_expensive_queries', value: totals.expensive, labels: { project } },
      );
    }

    // Only once the findings are built: a run that fails before here lists the same jobs again next time.
    for (const { watermark, through } of listings) {
      if (through !== undefined) await ctx.state.setWatermark(watermark, String(through));
    }
    return { findings, measurements, errors };
  },
});
