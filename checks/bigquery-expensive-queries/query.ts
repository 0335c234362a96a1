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
 * A query may run for at most 6 hours, so a job that ended after the watermark and ran no longer than that was
 * created at most this long before it: the bound on `creation_time` (the views' partitioning column) that keeps
 * the agent's scan small.
 * @see https://cloud.google.com/bigquery/quotas#query_jobs (checked 2026-11)
 */
export const MAX_QUERY_RUNTIME_MS = 6 * 60 * 60_000;

/**
 * A query may wait in its project's queue before it runs: 6 hours by default for an interactive query and 24 for
 * a batch one, each settable up to 48 hours (default_interactive_query_queue_timeout_ms,
 * default_batch_query_queue_timeout_ms). A job that ended more than MAX_QUERY_RUNTIME_MS after it was created
 * waited; it was created at most this plus that before it ended.
 * @see https://cloud.google.com/bigquery/docs/default-configuration (checked 2026-12)
 */
export const MAX_QUEUE_MS = 48 * 60 * 60_000;

/**
 * How often the pass over queued jobs runs: it scans MAX_QUEUE_MS + MAX_QUERY_RUNTIME_MS of the view (9 times the
 * recent pass's span), so once an hour rather than on every run (about 15% more bytes than the recent pass run
 * each minute). A job that queued is thus reported within this long of ending, not within one run.
 */
export const QUEUED_PASS_EVERY_MS = 60 * 60_000;

/**
 * INFORMATION_SCHEMA can list a job a little after it ended, after a later-ending job has already moved the
 * watermark; expensive jobs are looked for this far behind it too (the alert lifecycle notifies an event key
 * once, so a job seen twice is reported once). The cost totals stay strictly after the watermark.
 */
export const LATE_JOB_OVERLAP_MS = 10 * 60_000;

/**
 * Which jobs a listing covers. `recent`: every job that ended after the watermark and was created within
 * MAX_QUERY_RUNTIME_MS before it, run on every check run; its totals count the jobs that ran no longer than
 * MAX_QUERY_RUNTIME_MS. `queued`: only the jobs that ended more than MAX_QUERY_RUNTIME_MS after they were created
 * (they waited in the queue), which `recent` may not see, up to `untilMicros`; its totals count those. So each
 * job's cost is counted by one pass, and every expensive job is reported by one or both (once, by its key).
 */
export type Pass = { kind: 'recent' } | { kind: 'queued'; untilMicros: number };

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
  pass: Pass = { kind: 'recent' },
): string {
  const lookFrom = sinceMicros - LATE_JOB_OVERLAP_MS * 1000;
  const longest = MAX_QUERY_RUNTIME_MS + (pass.kind === 'queued' ? MAX_QUEUE_MS : 0);
  const createdAfter = lookFrom - longest * 1000;
  const maxRunMicros = MAX_QUERY_RUNTIME_MS * 1000;
  const reserved =
    minSlotMs === undefined ? '' : ` OR (reservation_id IS NOT NULL AND slot_ms > ${minSlotMs})`;
  const totalled =
    pass.kind === 'queued'
      ? ` AND end_micros <= ${pass.untilMicros}`
      : ` AND end_micros - created_micros <= ${maxRunMicros}`;
  return [
    'WITH seen AS (',
    '  SELECT job_id, user_email, query, reservation_id, IFNULL(total_bytes_billed, 0) AS bytes_billed,',
    '    IFNULL(total_slot_ms, 0) AS slot_ms, UNIX_MICROS(end_time) AS end_micros,',
    '    UNIX_MICROS(creation_time) AS created_micros',
    `  FROM \`${project}\`.\`${region}\`.INFORMATION_SCHEMA.JOBS_BY_PROJECT`,
    `  WHERE creation_time > TIMESTAMP_MICROS(${createdAfter}) AND end_time > TIMESTAMP_MICROS(${lookFrom})`,
    "    AND job_type = 'QUERY' AND state = 'DONE' AND IFNULL(statement_type, '') != 'SCRIPT'",
    ...(pass.kind === 'queued'
      ? [`    AND UNIX_MICROS(end_time) - UNIX_MICROS(creation_time) > ${maxRunMicros}`]
      : []),
    ')',
    'SELECT FALSE AS total, job_id, user_email, query, reservation_id, bytes_billed, slot_ms, end_micros,',
    '  1 AS job_count',
    `FROM seen WHERE (reservation_id IS NULL AND bytes_billed > ${minBytes})${reserved}`,
    'UNION ALL',
    'SELECT TRUE, NULL, NULL, NULL, NULL, IFNULL(SUM(IF(reservation_id IS NULL, bytes_billed, 0)), 0),',
    '  IFNULL(SUM(IF(reservation_id IS NULL, 0, slot_ms)), 0), MAX(end_micros), COUNT(*)',
    `FROM seen WHERE end_micros > ${sinceMicros}${totalled}`,
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
