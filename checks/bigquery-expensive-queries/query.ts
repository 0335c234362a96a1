/** A query job as JOBS_BY_PROJECT lists it. */
export interface JobRow {
  jobId: string;
  userEmail: string;
  query: string;
  bytesBilled: number;
}

/** What one project and region's listing holds: the expensive jobs, and totals over every job seen. */
export interface JobListing {
  expensive: JobRow[];
  jobs: number;
  bytesBilled: number;
  /** Latest end_time seen, in microseconds since the epoch; undefined when no job ended. */
  lastEndMicros?: number;
}

/**
 * A query may run for at most 6 hours, so a job that ended after the watermark was created at most this long
 * before it: the bound on `creation_time` (the views' partitioning column) that keeps the agent's scan small.
 * @see https://cloud.google.com/bigquery/quotas#query_jobs (checked 2026-11)
 */
export const MAX_QUERY_RUNTIME_MS = 6 * 60 * 60_000;

/**
 * INFORMATION_SCHEMA can list a job a little after it ended, after a later-ending job has already moved the
 * watermark; expensive jobs are looked for this far behind it too (the alert lifecycle notifies an event key
 * once, so a job seen twice is reported once). The cost totals stay strictly after the watermark.
 */
export const LATE_JOB_OVERLAP_MS = 10 * 60_000;

/** The job location a region qualifier stands for: `region-us` → `US`, `region-asia-northeast3` → `asia-northeast3`. */
export function locationOf(region: string): string {
  const location = region.replace(/^region-/, '');
  return location === 'us' || location === 'eu' ? location.toUpperCase() : location;
}

/**
 * The listing statement. Project and region are validated by the schema; the bounds and byte threshold are
 * integers, so nothing from outside is spliced in as text. Script parents are left out: their bytes billed
 * are the sum of their child statements', which are listed too.
 * @see https://cloud.google.com/bigquery/docs/information-schema-jobs
 */
export function jobsSql(project: string, region: string, sinceMicros: number, minBytes: number): string {
  const lookFrom = sinceMicros - LATE_JOB_OVERLAP_MS * 1000;
  const createdAfter = lookFrom - MAX_QUERY_RUNTIME_MS * 1000;
  return [
    'WITH seen AS (',
    '  SELECT job_id, user_email, query, IFNULL(total_bytes_billed, 0) AS bytes_billed,',
    '    UNIX_MICROS(end_time) AS end_micros',
    `  FROM \`${project}\`.\`${region}\`.INFORMATION_SCHEMA.JOBS_BY_PROJECT`,
    `  WHERE creation_time > TIMESTAMP_MICROS(${createdAfter}) AND end_time > TIMESTAMP_MICROS(${lookFrom})`,
    "    AND job_type = 'QUERY' AND state = 'DONE' AND IFNULL(statement_type, '') != 'SCRIPT'",
    ')',
    'SELECT FALSE AS total, job_id, user_email, query, bytes_billed, end_micros, 1 AS job_count',
    `FROM seen WHERE bytes_billed > ${minBytes}`,
    'UNION ALL',
    'SELECT TRUE, NULL, NULL, NULL, IFNULL(SUM(bytes_billed), 0), MAX(end_micros), COUNT(*)',
    `FROM seen WHERE end_micros > ${sinceMicros}`,
  ].join('\n');
}

/** Reads the statement's rows: one per expensive job, and one `total` row over every job seen. */
export function readListing(rows: Record<string, unknown>[]): JobListing {
  const listing: JobListing = { expensive: [], jobs: 0, bytesBilled: 0 };
  for (const row of rows) {
    if (row.total === true) {
      listing.jobs = Number(row.job_count);
      listing.bytesBilled = Number(row.bytes_billed);
      if (row.end_micros !== null && row.end_micros !== undefined)
        listing.lastEndMicros = Number(row.end_micros);
    } else {
      listing.expensive.push({
        jobId: String(row.job_id),
        userEmail: String(row.user_email ?? 'unknown user'),
        query: String(row.query ?? ''),
        bytesBilled: Number(row.bytes_billed),
      });
    }
  }
  return listing;
}
