// `run --dry-run` changes no state (DESIGN §3, the CLI's help, the report's banner). A trial found it moved the
// BigQuery check's watermark past the jobs it showed, so the next real run never reported the older ones.
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { dryRunCheckState } from '../../src/state/check-state';
import { openStateStore } from '../../src/state/open-store';
import type { FakeJob } from '../servers/bigquery/jobs';
import { startBigQuery, type BigQueryServer } from '../servers/bigquery/server';

const CLI = join(__dirname, '../../dist/src/cli/main.js');
const TiB = 2 ** 40;

interface Report {
  dryRun?: boolean;
  checks: { id: string; status: string; findings: { key: string; state: string }[] }[];
}

describe('run --dry-run leaves check state as it was', () => {
  let server: BigQueryServer;
  let config: string;

  beforeAll(async () => {
    const now = Date.now();
    const job = (id: string, ago: number): FakeJob => ({
      job_id: id,
      user_email: 'analyst@example.com',
      query: `SELECT * FROM sales -- ${id}`,
      total_bytes_billed: 2 * TiB,
      creation_time: new Date(now - (ago + 5) * 60_000),
      end_time: new Date(now - ago * 60_000),
    });
    server = await startBigQuery(
      {},
      { jobs: { jobs: { 'my-project.region-us': [job('older', 30), job('recent', 1)] } } },
    );
    const dir = mkdtempSync(join(tmpdir(), 'guardrail-dry-run-'));
    config = join(dir, 'guardrail.yaml');
    writeFileSync(
      config,
      [
        "state: { url: 'sqlite://state.db' }",
        `gcp: { apiEndpoint: '${server.apiEndpoint}' }`,
        'connections:',
        '  bq: { type: bigquery, projectId: agent-project, location: US }',
        'checks:',
        '  - { id: bq-cost, kind: bigquery-expensive-queries, connection: bq, projects: [my-project], regions: [region-us] }',
        'alerts:',
        '  channels: { console: { type: console } }',
        '  routes: [{ channel: console }]',
        '',
      ].join('\n'),
    );
  });

  afterAll(async () => {
    await server.close();
  });

  async function run(...args: string[]): Promise<Report> {
    const { stdout } = await promisify(execFile)(
      process.execPath,
      [CLI, 'run', '--config', config, '--format', 'json', ...args],
      { env: { ...process.env, METADATA_SERVER_DETECTION: 'none' }, encoding: 'utf8', timeout: 60_000 },
    );
    return JSON.parse(stdout) as Report;
  }
  const keys = (report: Report) => report.checks[0]!.findings.map((f) => f.key).sort();

  it('a real run after a dry run reports every job the dry run showed', async () => {
    const dry = await run('--dry-run');
    const real = await run();

    expect(dry.dryRun).toBe(true);
    expect(keys(dry)).toEqual(['my-project:older', 'my-project:recent']);
    expect(keys(real)).toEqual(keys(dry));
  });
});

describe('a dry run’s view of check state', () => {
  it('keeps the watermarks it sets and the sightings it makes in the run, and reads the stored ones', async () => {
    const store = await openStateStore('sqlite://:memory:', tmpdir());
    try {
      await store.setWatermark('c', 'w', 'stored');
      const seenAt = new Date('2026-12-01T00:00:00Z');
      await store.observe('c', 'scope', ['vol-1'], seenAt);
      const state = dryRunCheckState(store, 'c');

      await state.setWatermark('w', 'moved');
      const sightings = await state.observe('scope', ['vol-1', 'vol-2'], new Date('2026-12-03T00:00:00Z'));

      expect(await state.getWatermark('w')).toBe('moved');
      expect(await store.getWatermark('c', 'w')).toBe('stored');
      expect(sightings).toEqual(
        new Map([
          ['vol-1', seenAt],
          ['vol-2', new Date('2026-12-03T00:00:00Z')],
        ]),
      );
      // The store still knows vol-1 only, since the dry run's own sighting was not kept.
      expect(await store.firstSeen('c', 'scope')).toEqual(new Map([['vol-1', seenAt]]));
    } finally {
      await store.close();
    }
  });
});
