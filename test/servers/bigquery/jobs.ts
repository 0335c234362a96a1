import { QueryError } from './tables';

/** A job as INFORMATION_SCHEMA.JOBS_BY_PROJECT lists it. */
export interface FakeJob {
  job_id: string;
  user_email: string;
  query: string;
  total_bytes_billed: number | null;
  /** @default null */
  total_slot_ms?: number | null;
  /** Set when the job ran in a reservation, e.g. `admin-project:US.etl`. @default null (on demand) */
  reservation_id?: string | null;
  creation_time: Date;
  end_time: Date;
  /** @default 'QUERY' */
  job_type?: string;
  /** @default 'DONE' */
  state?: string;
  /** @default 'SELECT' */
  statement_type?: string | null;
}

/**
 * Jobs by `project.region` (e.g. `my-project.region-us`); a region listed in `errors` fails with that error, and
 * `project.region/queued` only its listing of the jobs that waited in the queue.
 */
export interface FakeJobs {
  jobs: Record<string, FakeJob[]>;
  errors?: Record<string, { status: number; reason: string; message: string }>;
}

export const JOBS_SCHEMA = {
  fields: [
    { name: 'total', type: 'BOOLEAN', mode: 'NULLABLE' },
    { name: 'job_id', type: 'STRING', mode: 'NULLABLE' },
    { name: 'user_email', type: 'STRING', mode: 'NULLABLE' },
    { name: 'query', type: 'STRING', mode: 'NULLABLE' },
    { name: 'reservation_id', type: 'STRING', mode: 'NULLABLE' },
    { name: 'bytes_billed', type: 'INTEGER', mode: 'NULLABLE' },
    { name: 'slot_ms', type: 'INTEGER', mode: 'NULLABLE' },
    { name: 'end_micros', type: 'INTEGER', mode: 'NULLABLE' },
    { name: 'job_count', type: 'INTEGER', mode: 'NULLABLE' },
  ],
};

/** What a dry run reports per job the view holds for the region (metadata is small, yet billed 10 MB). */
const BYTES_PER_LISTED_JOB = 4096;

const JOBS_QUERY = new RegExp(
  [
    // The columns the rows below stand for: a statement that does not select them gets no rows.
    String.raw`  SELECT job_id, user_email, query, reservation_id, IFNULL\(total_bytes_billed, 0\) AS bytes_billed,\n`,
    String.raw`    IFNULL\(total_slot_ms, 0\) AS slot_ms, UNIX_MICROS\(end_time\) AS end_micros,\n`,
    String.raw`    UNIX_MICROS\(creation_time\) AS created_micros\n`,
    String.raw`  FROM \x60([^\x60]+)\x60\.\x60(region-[a-z0-9-]+)\x60\.INFORMATION_SCHEMA\.JOBS_BY_PROJECT\n`,
    String.raw`  WHERE creation_time > TIMESTAMP_MICROS\((-?\d+)\) AND end_time > TIMESTAMP_MICROS\((\d+)\)\n`,
    String.raw`    AND job_type = 'QUERY' AND state = 'DONE' AND IFNULL\(statement_type, ''\) != 'SCRIPT'\n`,
    String.raw`(?:    AND UNIX_MICROS\(end_time\) - UNIX_MICROS\(creation_time\) > (\d+)\n)?`,
    String.raw`[\s\S]*FROM seen WHERE \(reservation_id IS NULL AND bytes_billed > (\d+)\)`,
    String.raw`(?: OR \(reservation_id IS NOT NULL AND slot_ms > (\d+)\))?\n`,
    String.raw`[\s\S]*FROM seen WHERE end_micros > (\d+)`,
    String.raw`(?: AND end_micros <= (\d+))?(?: AND end_micros - created_micros <= (\d+))?$`,
  ].join(''),
);

export function isJobsQuery(sql: string): boolean {
  return sql.includes('INFORMATION_SCHEMA.JOBS');
}

/** The job location a region qualifier needs: `region-us` → US, `region-asia-northeast3` → asia-northeast3. */
function locationOf(region: string): string {
  const l = region.slice('region-'.length);
  return l === 'us' || l === 'eu' ? l.toUpperCase() : l;
}

/**
 * Evaluates the listing statement of the bigquery-expensive-queries check against `fake`, as BigQuery would:
 * the rows of the expensive jobs (on demand by bytes billed, in a reservation by slot time) plus one total row
 * over every job matching the filters (on-demand bytes, reservation slot time). The job must run in
 * the region's location, as BigQuery requires for a region-qualified INFORMATION_SCHEMA view.
 */
export function evaluateJobs(
  sql: string,
  location: string,
  fake: FakeJobs,
): { rows: unknown[][]; bytes: number; billed: number; referenced: string[] } {
  const m = JOBS_QUERY.exec(sql);
  if (!m)
    throw new QueryError(400, 'invalidQuery', `Syntax error: unexpected query at [1:1]: ${sql.slice(0, 80)}`);
  const [
    ,
    project,
    region,
    created,
    ended,
    waitedOver,
    minBytes,
    minSlotMs,
    totalsAfter,
    totalsUntil,
    ranAtMost,
  ] = m as unknown as [
    string,
    string,
    string,
    string,
    string,
    string | undefined,
    string,
    string | undefined,
    string,
    string | undefined,
    string | undefined,
  ];
  const key = `${project}.${region}`;
  // `project.region/queued` fails only the listing of jobs that waited in the queue.
  const error = fake.errors?.[key] ?? (waitedOver === undefined ? undefined : fake.errors?.[`${key}/queued`]);
  if (error) throw new QueryError(error.status, error.reason, error.message);
  if (locationOf(region) !== location) {
    throw new QueryError(
      404,
      'notFound',
      `Not found: Dataset ${project}:${region} was not found in location ${location}`,
    );
  }
  const listed = fake.jobs[key] ?? [];
  const micros = (d: Date) => d.getTime() * 1000;
  const took = (j: FakeJob) => micros(j.end_time) - micros(j.creation_time);
  const seen = listed.filter(
    (j) =>
      micros(j.creation_time) > Number(created) &&
      micros(j.end_time) > Number(ended) &&
      (j.job_type ?? 'QUERY') === 'QUERY' &&
      (j.state ?? 'DONE') === 'DONE' &&
      (j.statement_type === undefined ? 'SELECT' : (j.statement_type ?? '')) !== 'SCRIPT' &&
      (waitedOver === undefined || took(j) > Number(waitedOver)),
  );
  const billedOf = (j: FakeJob) => j.total_bytes_billed ?? 0;
  const slotsOf = (j: FakeJob) => j.total_slot_ms ?? 0;
  const reserved = (j: FakeJob) => (j.reservation_id ?? null) !== null;
  const expensive = (j: FakeJob) =>
    reserved(j) ? minSlotMs !== undefined && slotsOf(j) > Number(minSlotMs) : billedOf(j) > Number(minBytes);
  const rows: unknown[][] = seen
    .filter(expensive)
    .map((j) => [
      false,
      j.job_id,
      j.user_email,
      j.query,
      j.reservation_id ?? null,
      billedOf(j),
      slotsOf(j),
      micros(j.end_time),
      1,
    ]);
  const totalled = seen.filter(
    (j) =>
      micros(j.end_time) > Number(totalsAfter) &&
      (totalsUntil === undefined || micros(j.end_time) <= Number(totalsUntil)) &&
      (ranAtMost === undefined || took(j) <= Number(ranAtMost)),
  );
  const ends = totalled.map((j) => micros(j.end_time));
  const sum = (jobs: FakeJob[], of: (j: FakeJob) => number) => jobs.reduce((total, j) => total + of(j), 0);
  rows.push([
    true,
    null,
    null,
    null,
    null,
    sum(
      totalled.filter((j) => !reserved(j)),
      billedOf,
    ),
    sum(totalled.filter(reserved), slotsOf),
    ends.length ? Math.max(...ends) : null,
    totalled.length,
  ]);
  const bytes = listed.length * BYTES_PER_LISTED_JOB;
  return { rows, bytes, billed: Math.max(10 * 1024 * 1024, bytes), referenced: [] };
}
