import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { ExpensiveQueriesOutcome, ExpensiveQueriesScenario } from './child';

const NOW = new Date('2026-11-20T10:00:00Z');
const MINUTE = 60_000;
const TiB = 2 ** 40;
const GiB = 2 ** 30;
const MiB = 2 ** 20;
const at = (minutes: number) => new Date(NOW.getTime() + minutes * MINUTE).toISOString();
const ASIA = 'my-project.region-asia-northeast3';
const SLOT_HOUR = 3_600_000;
const RESERVATION = 'admin-project:asia-northeast3.etl';

/** A query job that ran from `start` to `end` minutes from NOW. */
const job = (id: string, bytes: number, start: number, end: number, extra: Record<string, unknown> = {}) => ({
  job_id: id,
  user_email: 'analyst@example.com',
  query: `SELECT * FROM sales -- ${id}`,
  total_bytes_billed: bytes,
  creation_time: at(start),
  end_time: at(end),
  ...extra,
});

const JOBS: ExpensiveQueriesScenario['jobs'] = {
  [ASIA]: [
    job('big', 2 * TiB, -50, -30),
    job('cheap', 100 * GiB, -25, -20),
    // 40 TiB would be $250 on demand; in a reservation it is 200 slot-hours, ~$12 at $0.06.
    job('reserved', 40 * TiB, -45, -40, { reservation_id: RESERVATION, total_slot_ms: 200 * SLOT_HOUR }),
    // $62.50 on demand, but 50 slot-hours (~$3) in the reservation: under the threshold.
    job('reserved-cheap', 10 * TiB, -44, -41, { reservation_id: RESERVATION, total_slot_ms: 50 * SLOT_HOUR }),
    job('before-lookback', 3 * TiB, -150, -120),
    job('script-parent', 4 * TiB, -15, -10, { statement_type: 'SCRIPT' }),
    job('load', 5 * TiB, -15, -10, { job_type: 'LOAD' }),
    job('huge', 9 * TiB, -9, -5, {
      user_email: 'etl@example.com',
      query: `SELECT ${'x, '.repeat(50)}y FROM t`,
    }),
  ],
  'my-project.region-us': [job('us-job', TiB, -40, -35)],
};
const DENIED = {
  status: 403,
  reason: 'accessDenied',
  message: 'Access Denied: Project other-project: User does not have bigquery.jobs.listAll permission',
};
const CONFIG = {
  connection: 'bq',
  projects: ['my-project', 'other-project'],
  regions: ['region-asia-northeast3', 'region-us'],
  maxSqlChars: 40,
};

async function scenario(input: ExpensiveQueriesScenario): Promise<ExpensiveQueriesOutcome> {
  const { stdout } = await promisify(execFile)(
    process.execPath,
    ['-r', join(__dirname, '../../../bench/register.js'), join(__dirname, 'child.ts'), JSON.stringify(input)],
    { timeout: 30_000 },
  );
  return JSON.parse(stdout) as ExpensiveQueriesOutcome;
}

describe('bigquery-expensive-queries through the real client', () => {
  let outcome: ExpensiveQueriesOutcome;

  beforeAll(async () => {
    outcome = await scenario({
      jobs: JOBS,
      errors: { 'other-project.region-asia-northeast3': DENIED },
      config: CONFIG,
      runs: [
        { now: NOW.toISOString() },
        {
          now: at(1),
          addJobs: { [ASIA]: [job('late', 1.5 * TiB, -1, 0.5)] },
        },
      ],
    });
  });

  it('reports the expensive jobs of the lookback window, costed exactly, and not the cheap, old, script or load ones', () => {
    const [first] = outcome.results;
    const jobs = first?.findings.filter((f) => f.lifecycle === 'event') ?? [];

    expect(jobs.map((f) => [f.key, f.severity, f.metrics?.costUsd])).toEqual([
      ['my-project:big', 'warning', 12.5],
      ['my-project:reserved', 'warning', 12],
      ['my-project:huge', 'critical', 56.25], // more than 10 × the $5 threshold
      ['my-project:us-job', 'warning', 6.25],
    ]);
    expect(jobs[0]).toEqual({
      key: 'my-project:big',
      severity: 'warning',
      lifecycle: 'event',
      title: 'analyst@example.com ran a $12.50 query in my-project (2.00 TiB billed)',
      summary: 'SELECT * FROM sales -- big',
      resource: { project: 'my-project', region: 'region-asia-northeast3', jobId: 'big' },
      labels: { project: 'my-project', region: 'region-asia-northeast3', user: 'analyst@example.com' },
      metrics: { costUsd: 12.5, bytesBilled: 2 * TiB },
      links: [
        {
          label: 'Job in the BigQuery console',
          url: 'https://console.cloud.google.com/bigquery?project=my-project&j=bq:asia-northeast3:big&page=queryresults',
        },
      ],
    });
    expect(jobs[3]?.links?.[0]?.url).toContain('j=bq:US:us-job');
  });

  it('prices a job run in a reservation by its slot time, as an estimate, never by its bytes', () => {
    const reserved = outcome.results[0]?.findings.find((f) => f.key === 'my-project:reserved');

    expect(reserved).toMatchObject({
      severity: 'warning',
      title: `analyst@example.com ran a query in my-project: ~$12.00 est. slot time in reservation ${RESERVATION} (200.0 slot-hours)`,
      resource: {
        project: 'my-project',
        region: 'region-asia-northeast3',
        jobId: 'reserved',
        reservation: RESERVATION,
      },
      labels: { reservation: RESERVATION },
      metrics: { costUsd: 12, slotMs: 200 * SLOT_HOUR },
    });
  });

  it('cuts the SQL at maxSqlChars', () => {
    const huge = outcome.results[0]?.findings.find((f) => f.key === 'my-project:huge');

    expect(huge?.summary).toHaveLength(40);
    expect(huge?.summary).toBe(`SELECT ${'x, '.repeat(10)}x,…`);
  });

  it('reports a project and region it cannot list as an error of the run, not a finding, and still reports the others', () => {
    const [first] = outcome.results;

    expect(first?.errors).toEqual([
      `cannot list BigQuery jobs of other-project in region-asia-northeast3: ${DENIED.message}`,
    ]);
    expect(first?.findings.filter((f) => f.lifecycle !== 'event')).toEqual([]);
  });

  it('counts the cost of every job seen, expensive or not, per project', () => {
    const measurements = outcome.results[0]?.measurements;

    expect(measurements).toEqual([
      {
        name: 'bigquery_query_cost_usd_total',
        // on demand by bytes; the reservation jobs by slot time (250 slot-hours at $0.06), not by their 50 TiB
        value: 12.5 + 56.25 + 6.25 + (100 / 1024) * 6.25 + 250 * 0.06,
        labels: { project: 'my-project' },
      },
      { name: 'bigquery_expensive_queries', value: 4, labels: { project: 'my-project' } },
      {
        name: 'bigquery_query_cost_usd_total',
        value: 0,
        labels: { project: 'other-project' },
      },
      { name: 'bigquery_expensive_queries', value: 0, labels: { project: 'other-project' } },
    ]);
  });

  it('looks 10 minutes behind the watermark on the next run, for jobs listed late (each is notified once)', () => {
    const second = outcome.results[1];

    // `huge` and `us-job` ended within 10 minutes of their region's watermark: listed again, as events with
    // the same key, which the alert lifecycle does not notify twice; `late` is new.
    expect(second?.findings.map((f) => [f.key, f.title])).toEqual([
      ['my-project:huge', 'etl@example.com ran a $56.25 query in my-project (9.00 TiB billed)'],
      ['my-project:late', 'analyst@example.com ran a $9.38 query in my-project (1.50 TiB billed)'],
      ['my-project:us-job', 'analyst@example.com ran a $6.25 query in my-project (1.00 TiB billed)'],
    ]);
    expect(second?.errors).toHaveLength(1);
    expect(second?.measurements[0]).toMatchObject({ name: 'bigquery_query_cost_usd_total', value: 9.375 });
    // The pass over queued jobs ran on the first run only (once an hour), up to 10 minutes before it; not for the
    // project and region it could not list.
    const queuedThrough = String(new Date(at(-10)).getTime() * 1000);
    expect(outcome.watermarks).toEqual({
      'my-project/region-asia-northeast3': String(new Date(at(0.5)).getTime() * 1000),
      'my-project/region-asia-northeast3/queued': queuedThrough,
      'my-project/region-us': String(new Date(at(-35)).getTime() * 1000),
      'my-project/region-us/queued': queuedThrough,
      'other-project/region-us/queued': queuedThrough,
    });
  });

  it('dry-runs its own listing first, then runs it capped at the estimate plus the 10 MB minimum', () => {
    const inserts = outcome.calls.filter((c) =>
      c.startsWith('POST /bigquery/v2/projects/agent-project/jobs'),
    );
    const capped = inserts.filter((c) => c.includes('maximumBytesBilled='));

    // 4 listings per run, and on the first the 3 passes over queued jobs; the denied one fails at its dry run
    // (and its queued pass waits for a run that can list it).
    expect(inserts.filter((c) => c.endsWith(' dryRun'))).toHaveLength(4 + 3 + 4);
    expect(capped.map((c) => Number(c.split('=')[1])).sort((a, b) => a - b)).toEqual([
      10 * MiB,
      10 * MiB,
      10 * MiB,
      10 * MiB + 4096,
      10 * MiB + 4096,
      10 * MiB + 4096,
      10 * MiB + 8 * 4096, // the 8 jobs of asia-northeast3
      10 * MiB + 8 * 4096,
      10 * MiB + 9 * 4096, // and `late`
    ]);
    expect(outcome.bytesBilled).toBe(9 * 10 * MiB);
  });
});

describe('bigquery-expensive-queries with reservations: skip', () => {
  let outcome: ExpensiveQueriesOutcome;

  beforeAll(async () => {
    outcome = await scenario({
      jobs: {
        [ASIA]: [
          job('reserved', 40 * TiB, -45, -40, {
            reservation_id: RESERVATION,
            total_slot_ms: 200 * SLOT_HOUR,
          }),
          job('keyed', 2 * TiB, -30, -25, {
            query: "SELECT * FROM EXTERNAL_QUERY('conn', 'SELECT 1') WHERE api_key = 'sk-live-123'",
          }),
        ],
      },
      config: { ...CONFIG, projects: ['my-project'], reservations: 'skip', maxSqlChars: 1000 },
      runs: [{ now: NOW.toISOString() }],
    });
  });

  it('reports no reservation job and leaves their slot time out of the cost counter', () => {
    const [first] = outcome.results;

    expect(first?.findings.map((f) => f.key)).toEqual(['my-project:keyed']);
    expect(first?.measurements[0]).toEqual({
      name: 'bigquery_query_cost_usd_total',
      value: 12.5,
      labels: { project: 'my-project' },
    });
    expect(first?.errors).toEqual([]);
  });

  it('hides the secret literals of the SQL it shows', () => {
    expect(outcome.results[0]?.findings[0]?.summary).toBe(
      "SELECT * FROM EXTERNAL_QUERY('conn', 'SELECT 1') WHERE api_key = '***'",
    );
  });
});

describe('bigquery-expensive-queries and jobs that waited in the queue', () => {
  let outcome: ExpensiveQueriesOutcome;
  const HOUR = 60;
  const queuedScans = (calls: string[]) => calls.filter((c) => c.endsWith(' dryRun')).length;

  beforeAll(async () => {
    outcome = await scenario({
      jobs: {
        [ASIA]: [
          // Queued 7 hours (a batch query), then ran 40 minutes: created before the recent pass's 6-hour bound.
          job('batch', 2 * TiB, -8 * HOUR, -20),
          // Ran 5 hours without waiting: the recent pass's, and counted by it alone.
          job('long', 1 * TiB, -5 * HOUR - 30, -30),
          // 6 hours 5 minutes from creation to end: within the recent pass's bound and the queued pass's filter.
          job('edge', 1 * TiB, -6 * HOUR - 7, -2),
        ],
      },
      config: { ...CONFIG, projects: ['my-project'], regions: ['region-asia-northeast3'] },
      runs: [
        { now: NOW.toISOString() },
        // A minute later another queued job ends: the pass over queued jobs is not due for an hour.
        { now: at(1), addJobs: { [ASIA]: [job('nightly', 3 * TiB, -30 * HOUR, 0.5)] } },
        { now: at(30) },
        { now: at(HOUR + 1) },
      ],
    });
  });

  it('reports a job created more than 6 hours before it ended, on the first run', () => {
    const [first] = outcome.results;

    // `edge` is in both passes of the run: one finding, one expensive job in the gauge.
    expect(first?.findings.map((f) => [f.key, f.metrics?.costUsd])).toEqual([
      ['my-project:long', 6.25],
      ['my-project:edge', 6.25],
      ['my-project:batch', 12.5],
    ]);
    expect(first?.measurements[1]).toEqual({
      name: 'bigquery_expensive_queries',
      value: 3,
      labels: { project: 'my-project' },
    });
    expect(first?.errors).toEqual([]);
  });

  it('counts each job once in the cost counter, by the pass that owns it', () => {
    expect(outcome.results[0]?.measurements[0]).toEqual({
      name: 'bigquery_query_cost_usd_total',
      value: 6.25 + 12.5,
      labels: { project: 'my-project' },
    });
    // `edge` (6 h 5 min, $6.25) is the queued pass's, and ended within its 10-minute margin: counted by its next
    // pass; `nightly` (3 TiB, $18.75) too. Neither by the recent pass.
    expect(outcome.results.map((r) => r.measurements[0]?.value)).toEqual([18.75, 0, 0, 6.25 + 18.75]);
  });

  it('lists queued jobs once an hour, and reports one that ended between two passes at the next', () => {
    // `long` is listed again within 10 minutes of the recent pass's watermark (its own end), and notified once.
    expect(outcome.results.map((r) => r.findings.map((f) => f.key))).toEqual([
      ['my-project:long', 'my-project:edge', 'my-project:batch'],
      ['my-project:long', 'my-project:edge'],
      ['my-project:long', 'my-project:edge'],
      ['my-project:long', 'my-project:edge', 'my-project:nightly'],
    ]);
    // Two listings (recent, queued) on the first and the last run, one on the two between.
    expect(queuedScans(outcome.calls)).toBe(2 + 1 + 1 + 2);
    expect(outcome.watermarks['my-project/region-asia-northeast3/queued']).toBe(
      String(new Date(at(HOUR + 1 - 10)).getTime() * 1000),
    );
  });
});

describe('bigquery-expensive-queries when the pass over queued jobs fails', () => {
  let outcome: ExpensiveQueriesOutcome;

  beforeAll(async () => {
    outcome = await scenario({
      jobs: { [ASIA]: [job('batch', 2 * TiB, -8 * 60, -20)] },
      errors: { [`${ASIA}/queued`]: { status: 500, reason: 'backendError', message: 'Backend error' } },
      config: { ...CONFIG, projects: ['my-project'], regions: ['region-asia-northeast3'] },
      // The next run, a minute later, finds the pass due again: its watermark did not move.
      runs: [{ now: NOW.toISOString() }, { now: at(1), errors: {} }],
    });
  });

  it('makes the run an error, keeps the recent listing, and lists the queued jobs on the next run', () => {
    const [first, second] = outcome.results;

    expect(first?.errors).toEqual([
      'cannot list BigQuery jobs that waited in the queue of my-project in region-asia-northeast3: Backend error',
    ]);
    expect(first?.findings).toEqual([]);
    expect(second?.errors).toEqual([]);
    expect(second?.findings.map((f) => f.key)).toEqual(['my-project:batch']);
    expect(outcome.watermarks['my-project/region-asia-northeast3/queued']).toBe(
      String(new Date(at(1 - 10)).getTime() * 1000),
    );
  });
});
