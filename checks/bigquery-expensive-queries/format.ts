import type { Finding } from '../../src/core/types';
import type { Severity } from '../../src/core/severity';
import type { JobRow } from './query';

const TiB = 2 ** 40;
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

export function severityOf(cost: number, thresholdUsd: number): Severity {
  return cost > thresholdUsd * CRITICAL_MULTIPLE ? 'critical' : 'warning';
}

/** `2.00 TiB`, `512.00 GiB`: bytes in the largest binary unit that keeps a whole part. */
export function formatBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${unit === 0 ? value : value.toFixed(2)} ${units[unit]}`;
}

export function truncate(text: string, maxChars: number): string {
  return text.length <= maxChars ? text : `${text.slice(0, maxChars - 1)}…`;
}

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
  maxSqlChars: number;
}

/** An expensive job as an event: reported once, never resolved. */
export function jobFinding(job: JobRow, at: JobContext): Finding {
  const cost = costUsd(job.bytesBilled, at.pricePerTiB);
  return {
    key: `${at.project}:${job.jobId}`,
    severity: severityOf(cost, at.thresholdUsd),
    lifecycle: 'event',
    title: `${job.userEmail} ran a $${cost.toFixed(2)} query in ${at.project} (${formatBytes(job.bytesBilled)} billed)`,
    summary: truncate(job.query, at.maxSqlChars),
    resource: { project: at.project, region: at.region, jobId: job.jobId },
    labels: { project: at.project, region: at.region, user: job.userEmail },
    metrics: { costUsd: cost, bytesBilled: job.bytesBilled },
    links: [{ label: 'Job in the BigQuery console', url: jobUrl(at.project, at.location, job.jobId) }],
  };
}
