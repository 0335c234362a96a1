import { Metrics } from '../../src/engine/metrics';
import type { CheckRunResult } from '../../src/core/types';

describe('metrics from measurements', () => {
  it('replaces a gauge series per run (a dropped table disappears) and adds counter amounts up', async () => {
    const metrics = new Metrics();

    metrics.recordMeasurements('c', [
      { name: 'table_rows', value: 10, labels: { table: 'a', side: 'source' } },
      { name: 'table_rows', value: 20, labels: { table: 'b', side: 'source' } },
      { name: 'bigquery_query_cost_usd_total', value: 6.5, labels: { project: 'p' } },
    ]);
    metrics.recordMeasurements('c', [
      { name: 'table_rows', value: 11, labels: { table: 'a', side: 'source' } },
      { name: 'bigquery_query_cost_usd_total', value: 5.25, labels: { project: 'p' } },
    ]);
    const text = await metrics.registry.metrics();

    expect(text).toContain('guardrail_table_rows{check="c",side="source",table="a"} 11');
    expect(text).not.toContain('table="b"');
    expect(text).toContain('guardrail_bigquery_query_cost_usd_total{check="c",project="p"} 11.75');
    expect(text).toContain('# TYPE guardrail_bigquery_query_cost_usd_total counter');
  });
});

describe('run timestamps', () => {
  const run = (status: CheckRunResult['status'], startedAt: string): CheckRunResult => ({
    id: 'c',
    kind: 'lambda-errors',
    status,
    startedAt,
    durationMs: 1500,
    findings: [],
    measurements: [],
  });
  const series = (text: string, name: string) =>
    new RegExp(`^guardrail_${name}\\{check="c",kind="lambda-errors"\\} (\\S+)$`, 'm').exec(text)?.[1];

  it('keep the last finished run of any outcome, and the last one that could look (ok or firing)', async () => {
    const metrics = new Metrics();

    metrics.recordRun(run('firing', '2026-01-01T00:00:00.000Z'));
    metrics.recordRun(run('error', '2026-01-01T00:05:00.000Z'));
    metrics.recordRun(run('skipped', '2026-01-01T00:10:00.000Z'));
    const text = await metrics.registry.metrics();

    expect({
      lastRun: series(text, 'last_run_timestamp_seconds'),
      lastSuccess: series(text, 'last_success_timestamp_seconds'),
    }).toEqual({
      lastRun: String(Date.parse('2026-01-01T00:05:01.500Z') / 1000),
      lastSuccess: String(Date.parse('2026-01-01T00:00:01.500Z') / 1000),
    });
  });
});
