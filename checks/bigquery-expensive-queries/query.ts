/** A query job as JOBS_BY_PROJECT lists it. */
export interface JobRow {
  jobId: string;
  userEmail: string;
  query: string;
  bytesBilled: number;
  slotMs: number;
  /** Set when the job ran in a reservation (billed by slot time, not bytes): `admin-project:US.name`. */
  reservationId?: string;
}

/** What one project and region's listing holds: the expensive jobs, and totals over every job seen. */
export interface JobListing {
  expensive: JobRow[];
  jobs: number;
  /** Bytes billed by the on-demand jobs only. */
  bytesBilled: number;
  /** Slot time of the jobs run in a reservation. */
  reservationSlotMs: number;
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
 * are the sum of their child statements', which are listed too. A job with a `reservation_id` ran in a
 * reservation and is expensive by its slot time (`minSlotMs`; undefined lists none); the others by bytes.
 * @see https://cloud.google.com/bigquery/docs/information-schema-jobs
 */
export function jobsSql(
  project: string,
  region: string,
  sinceMicros: number,
  minBytes: number,
  minSlotMs?: number,
): string {
  const lookFrom = sinceMicros - LATE_JOB_OVERLAP_MS * 1000;
  const createdAfter = lookFrom - MAX_QUERY_RUNTIME_MS * 1000;
  const reserved =
    minSlotMs === undefined ? '' : ` OR (reservation_id IS NOT NULL AND slot_ms > ${minSlotMs})`;
  return [
    'WITH seen AS (',
    '  SELECT job_id, user_email, query, reservation_id, IFNULL(total_bytes_billed, 0) AS bytes_billed,',
    '    IFNULL(total_slot_ms, 0) AS slot_ms, UNIX_MICROS(end_time) AS end_micros',
    `  FROM \`${project}\`.\`${region}\`.INFORMATION_SCHEMA.JOBS_BY_PROJECT`,
    `  WHERE creation_time > TIMESTAMP_MICROS(${createdAfter}) AND end_time > TIMESTAMP_MICROS(${lookFrom})`,
    "    AND job_type = 'QUERY' AND state = 'DONE' AND IFNULL(statement_type, '') != 'SCRIPT'",
    ')',
    'SELECT FALSE AS total, job_id, user_email, query, reservation_id, bytes_billed, slot_ms, end_micros,',
    '  1 AS job_count',
    `FROM seen WHERE (reservation_id IS NULL AND bytes_billed > ${minBytes})${reserved}`,
    'UNION ALL',
    'SELECT TRUE, NULL, NULL, NULL, NULL, IFNULL(SUM(IF(reservation_id IS NULL, bytes_billed, 0)), 0),',
    '  IFNULL(SUM(IF(reservation_id IS NULL, 0, slot_ms)), 0), MAX(end_micros), COUNT(*)',
    `FROM seen WHERE end_micros > ${sinceMicros}`,
  ].join('\n');
}

/** Reads the statement's rows: one per expensive job, and one `total` row over every job seen. */
export function readListing(rows: Record<string, unknown>[]): JobListing {
  const listing: JobListing = { expensive: [], jobs: 0, bytesBilled: 0, reservationSlotMs: 0 };
  for (const row of rows) {
    if (row.total === true) {
      listing.jobs = Number(row.job_count);
      listing.bytesBilled = Number(row.bytes_billed);
      listing.reservationSlotMs = Number(row.slot_ms);
      if (row.end_micros !== null && row.end_micros !== undefined)
        listing.lastEndMicros = Number(row.end_micros);
    } else {
      listing.expensive.push({
        jobId: String(row.job_id),
        userEmail: String(row.user_email ?? 'unknown user'),
        query: String(row.query ?? ''),
        bytesBilled: Number(row.bytes_billed),
        slotMs: Number(row.slot_ms ?? 0),
        ...(typeof row.reservation_id === 'string' ? { reservationId: row.reservation_id } : {}),
      });
    }
  }
  return listing;
}
