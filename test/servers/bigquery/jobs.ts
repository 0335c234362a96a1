import { QueryError } from './tables';

/** A job as INFORMATION_SCHEMA.JOBS_BY_PROJECT lists it. */
export interface FakeJob {
  job_id: string;
  user_email: string;
  query: string;
  total_bytes_billed: number | null;
  creation_time: Date;
  end_time: Date;
  /** @default 'QUERY' */
  job_type?: string;
  /** @default 'DONE' */
  state?: string;
  /** @default 'SELECT' */
  statement_type?: string | null;
}

/** Jobs by `project.region` (e.g. `my-project.region-us`); a region listed in `errors` fails with that error. */
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
    { name: 'bytes_billed', type: 'INTEGER', mode: 'NULLABLE' },
    { name: 'end_micros', type: 'INTEGER', mode: 'NULLABLE' },
    { name: 'job_count', type: 'INTEGER', mode: 'NULLABLE' },
  ],
};

/** What a dry run reports per job the view holds for the region (metadata is small, yet billed 10 MB). */
const BYTES_PER_LISTED_JOB = 4096;

const JOBS_QUERY = new RegExp(
  [
    String.raw`FROM \x60([^\x60]+)\x60\.\x60(region-[a-z0-9-]+)\x60\.INFORMATION_SCHEMA\.JOBS_BY_PROJECT\n`,
    String.raw`  WHERE creation_time > TIMESTAMP_MICROS\((-?\d+)\) AND end_time > TIMESTAMP_MICROS\((\d+)\)\n`,
    String.raw`    AND job_type = 'QUERY' AND state = 'DONE' AND IFNULL\(statement_type, ''\) != 'SCRIPT'\n`,
    String.raw`[\s\S]*FROM seen WHERE bytes_billed > (\d+)\n`,
    String.raw`[\s\S]*FROM seen WHERE end_micros > (\d+)$`,
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
 * the rows of the expensive jobs plus one total row over every job matching the filters. The job must run in
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
  const [, project, region, created, ended, minBytes, totalsAfter] = m as unknown as [
    string,
    string,
    string,
    string,
    string,
    string,
    string,
  ];
  const key = `${project}.${region}`;
  const error = fake.errors?.[key];
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
  const seen = listed.filter(
    (j) =>
      micros(j.creation_time) > Number(created) &&
      micros(j.end_time) > Number(ended) &&
      (j.job_type ?? 'QUERY') === 'QUERY' &&
      (j.state ?? 'DONE') === 'DONE' &&
      (j.statement_type === undefined ? 'SELECT' : (j.statement_type ?? '')) !== 'SCRIPT',
  );
  const billedOf = (j: FakeJob) => j.total_bytes_billed ?? 0;
  const rows: unknown[][] = seen
    .filter((j) => billedOf(j) > Number(minBytes))
    .map((j) => [false, j.job_id, j.user_email, j.query, billedOf(j), micros(j.end_time), 1]);
  const totalled = seen.filter((j) => micros(j.end_time) > Number(totalsAfter));
  const ends = totalled.map((j) => micros(j.end_time));
  rows.push([
    true,
    null,
    null,
    null,
    totalled.reduce((sum, j) => sum + billedOf(j), 0),
    ends.length ? Math.max(...ends) : null,
    totalled.length,
  ]);
  const bytes = listed.length * BYTES_PER_LISTED_JOB;
  return { rows, bytes, billed: Math.max(10 * 1024 * 1024, bytes), referenced: [] };
}
