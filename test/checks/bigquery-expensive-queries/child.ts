// Runs the check with the real BigQuery client against the loopback server in a plain Node process and
// prints the outcome as JSON: the client's HTTP layer loads node-fetch with a dynamic import(), which jest's
// module sandbox refuses (as in test/connectors/bigquery-child.ts).
import { bigqueryExpensiveQueries } from '../../../checks/bigquery-expensive-queries';
import { BigQueryExpensiveQueriesConfig } from '../../../checks/bigquery-expensive-queries/schema';
import type { CheckResult } from '../../../src/core/types';
import { checkContext, provider } from '../../kit/check-context';
import { startBigQuery } from '../../servers/bigquery/server';
import type { FakeJob, FakeJobs } from '../../servers/bigquery/jobs';

type Dated<T> = Omit<T, 'creation_time' | 'end_time'> & { creation_time: string; end_time: string };

export interface ExpensiveQueriesScenario {
  jobs: Record<string, Array<Dated<FakeJob>>>;
  errors?: FakeJobs['errors'];
  config: Record<string, unknown>;
  /** One check run per time, sharing the state store; `jobsBefore[i]` are added to the server before run i. */
  /** `errors`, when given, replace the server's errors from that run on. */
  runs: Array<{ now: string; addJobs?: Record<string, Array<Dated<FakeJob>>>; errors?: FakeJobs['errors'] }>;
}

export interface ExpensiveQueriesOutcome {
  results: CheckResult[];
  calls: string[];
  watermarks: Record<string, string>;
  bytesBilled: number;
}

const dated = (jobs: Array<Dated<FakeJob>>): FakeJob[] =>
  jobs.map((j) => ({ ...j, creation_time: new Date(j.creation_time), end_time: new Date(j.end_time) }));

async function main(): Promise<void> {
  process.env.METADATA_SERVER_DETECTION = 'none';
  const scenario = JSON.parse(process.argv[2] as string) as ExpensiveQueriesScenario;
  const fake: FakeJobs = { jobs: {}, errors: scenario.errors };
  for (const [key, jobs] of Object.entries(scenario.jobs)) fake.jobs[key] = dated(jobs);
  const server = await startBigQuery({}, { jobs: fake, pageSize: 2 });
  const connections = provider(
    { bq: { type: 'bigquery', projectId: 'agent-project', location: 'US' } },
    process.cwd(),
    { gcp: { apiEndpoint: server.apiEndpoint } },
  );
  const watermarks = new Map<string, string>();
  const config = {
    ...BigQueryExpensiveQueriesConfig.parse(scenario.config),
    id: 'bq-cost',
    kind: bigqueryExpensiveQueries.kind,
    enabled: true,
    schedule: '* * * * *',
    timeoutMs: 20_000,
  };
  try {
    const results: CheckResult[] = [];
    for (const run of scenario.runs) {
      for (const [key, jobs] of Object.entries(run.addJobs ?? {})) {
        fake.jobs[key] = [...(fake.jobs[key] ?? []), ...dated(jobs)];
      }
      if (run.errors) fake.errors = run.errors;
      const ctx = {
        ...checkContext(connections, { now: new Date(run.now) }),
        checkId: 'bq-cost',
        kind: bigqueryExpensiveQueries.kind,
        state: {
          getWatermark: async (name: string) => watermarks.get(name),
          setWatermark: async (name: string, value: string) => void watermarks.set(name, value),
          observe: async () => new Map<string, Date>(),
        },
      };
      results.push(await bigqueryExpensiveQueries.run(ctx, config));
    }
    const connector = await connections.get('bq');
    const outcome: ExpensiveQueriesOutcome = {
      results,
      calls: server.calls,
      watermarks: Object.fromEntries(watermarks),
      bytesBilled: connector.stats?.().bytesBilled ?? 0,
    };
    process.stdout.write(JSON.stringify(outcome));
  } finally {
    await connections.closeAll();
    await server.close();
  }
}

void main();
