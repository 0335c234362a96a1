import { formatBytes } from '../../src/core/bytes';
import { sqlExcerpt } from '../../src/core/redact';
import type { Finding } from '../../src/core/types';
import type { Severity } from '../../src/core/severity';
import type { JobRow } from './query';

const TiB = 2 ** 40;
const SLOT_MS_PER_HOUR = 3_600_000;
/** A job costing this many times the threshold is critical rather than a warning. */
export const CRITICAL_MULTIPLE = 10;

/** Cost in USD of `bytesBilled` at `pricePerTiB` (on-demand billing is per byte billed, in TiB of 2⁴⁰ bytes). */
export function costUsd(bytesBilled: number, pricePerTiB: number): number {
  return (bytesBilled * pricePerTiB) / TiB;
}

/** The fewest bytes billed that cost more than `thresholdUsd`, less one: a job is expensive when it bills more. */
export function thresholdBytes(thresholdUsd: number, pricePerTiB: number): number {
  return Math.floor((thresholdUsd * TiB) / pricePerTiB);
}

/** Estimated cost in USD of `slotMs` of slot time at `slotHourUsd` (reservations bill slot-hours, not bytes). */
export function slotCostUsd(slotMs: number, slotHourUsd: number): number {
  return (slotMs * slotHourUsd) / SLOT_MS_PER_HOUR;
}

/** The most slot time that costs no more than `thresholdUsd`: a reservation job is expensive when it uses more. */
export function thresholdSlotMs(thresholdUsd: number, slotHourUsd: number): number {
  return Math.floor((thresholdUsd * SLOT_MS_PER_HOUR) / slotHourUsd);
}

export function severityOf(cost: number, thresholdUsd: number): Severity {
  return cost > thresholdUsd * CRITICAL_MULTIPLE ? 'critical' : 'warning';
}

export { formatBytes };

/** The console page that shows the job's SQL and results. */
export function jobUrl(project: string, location: string, jobId: string): string {
  const [p, l, j] = [project, location, jobId].map(encodeURIComponent);
  return `https://console.cloud.google.com/bigquery?project=${p}&j=bq:${l}:${j}&page=queryresults`;
}

export interface JobContext {
  project: string;
  region: string;
  location: string;
  thresholdUsd: number;
  pricePerTiB: number;
  slotHourUsd: number;
  maxSqlChars: number;
}

/** What a job cost: bytes billed at the on-demand price, or, in a reservation, its slot time (an estimate). */
export function jobCostUsd(job: JobRow, at: Pick<JobContext, 'pricePerTiB' | 'slotHourUsd'>): number {
  return job.reservationId === undefined
    ? costUsd(job.bytesBilled, at.pricePerTiB)
    : slotCostUsd(job.slotMs, at.slotHourUsd);
}

/** An expensive job as an event: reported once, never resolved. */
export function jobFinding(job: JobRow, at: JobContext): Finding {
  const cost = jobCostUsd(job, at);
  const reservation = job.reservationId;
  const billed = reservation
    ? `: ~$${cost.toFixed(2)} est. slot time in reservation ${reservation} (${(job.slotMs / SLOT_MS_PER_HOUR).toFixed(1)} slot-hours)`
    : ` (${formatBytes(job.bytesBilled)} billed)`;
  return {
    key: `${at.project}:${job.jobId}`,
    severity: severityOf(cost, at.thresholdUsd),
    lifecycle: 'event',
    title: reservation
      ? `${job.userEmail} ran a query in ${at.project}${billed}`
      : `${job.userEmail} ran a $${cost.toFixed(2)} query in ${at.project}${billed}`,
    // Scrubbed before it is cut, so a cut cannot split a secret literal out of the scrubber's sight.
    summary: sqlExcerpt(job.query, at.maxSqlChars),
    resource: {
      project: at.project,
      region: at.region,
      jobId: job.jobId,
      ...(reservation ? { reservation } : {}),
    },
    labels: {
      project: at.project,
      region: at.region,
      user: job.userEmail,
      ...(reservation ? { reservation } : {}),
    },
    metrics: reservation
      ? { costUsd: cost, slotMs: job.slotMs }
      : { costUsd: cost, bytesBilled: job.bytesBilled },
    links: [{ label: 'Job in the BigQuery console', url: jobUrl(at.project, at.location, job.jobId) }],
  };
}
