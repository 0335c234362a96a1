import { Metrics } from '../../src/engine/metrics';
import { longestInterval } from '../../src/core/cron-interval';
import type { CheckRunResult } from '../../src/core/types';
import type { CheckConfig } from '../../src/config/types';

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

describe('gauges a check stops measuring', () => {
  it('go, rather than keep their last value (a table that cannot be counted showed 0 difference)', async () => {
    const metrics = new Metrics();

    metrics.recordMeasurements('c', [
      { name: 'table_row_diff', value: 0, labels: { table: 'a' } },
      { name: 'table_rows', value: 10, labels: { table: 'a', side: 'source' } },
    ]);
    metrics.recordMeasurements('other', [{ name: 'table_row_diff', value: 3, labels: { table: 'b' } }]);
    metrics.recordMeasurements('c', [
      { name: 'table_rows', value: 10, labels: { table: 'a', side: 'source' } },
    ]);
    const text = await metrics.registry.metrics();

    expect(text).not.toContain('guardrail_table_row_diff{check="c"');
    expect(text).toContain('guardrail_table_row_diff{check="other",table="b"} 3');
    expect(text).toContain('guardrail_table_rows{check="c",side="source",table="a"} 10');
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

    metrics.recordRun(run('firing', '2026-01-01T00:00:00.000Z'), []);
    metrics.recordRun(run('error', '2026-01-01T00:05:00.000Z'), []);
    metrics.recordRun(run('skipped', '2026-01-01T00:10:00.000Z'), []);
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

describe('counter series the config names', () => {
  const check = (id: string, kind: string, own: Record<string, unknown> = {}, enabled = true) =>
    ({ id, kind, enabled, schedule: '* * * * *', timeoutMs: 1000, ...own }) as CheckConfig;

  it('start at 0, so that increase() counts the first error run, dropped message, skip and cost', async () => {
    const metrics = new Metrics();
    const checks = [
      check('bq', 'bigquery-expensive-queries', { projects: ['shop-prod', 'shop-dev'] }),
      check('old', 'lambda-errors', {}, false),
    ];

    metrics.startSeries(checks, ['data-eng']);
    metrics.startSkipSeries(checks);
    const text = await metrics.registry.metrics();

    for (const status of ['ok', 'firing', 'error', 'skipped'])
      expect(text).toContain(
        `guardrail_check_runs_total{check="bq",kind="bigquery-expensive-queries",status="${status}"} 0`,
      );
    for (const outcome of ['sent', 'failed', 'dropped'])
      expect(text).toContain(`guardrail_notifications_total{channel="data-eng",outcome="${outcome}"} 0`);
    for (const reason of ['overlap', 'running-elsewhere', 'lease-lost'])
      expect(text).toContain(`guardrail_check_skipped_total{check="bq",reason="${reason}"} 0`);
    expect(text).toContain('guardrail_bigquery_query_cost_usd_total{check="bq",project="shop-prod"} 0');
    expect(text).toContain('guardrail_bigquery_query_cost_usd_total{check="bq",project="shop-dev"} 0');
    // A disabled check never runs: no series of its own.
    expect(text).not.toContain('check="old"');
    expect(text).toContain('guardrail_channel_failing{channel="data-eng"} 0');
    // For GuardrailCheckNotSucceeding: to the hour, so a per-minute check reads one hour.
    expect(text).toContain(
      'guardrail_check_interval_seconds{check="bq",kind="bigquery-expensive-queries"} 3600',
    );
  });

  it.each([
    ['0 9 * * *', 24],
    ['0 9 * * 1-5', 72],
    ['*/5 9-17 * * 1-5', 64],
    ['30 */6 * * *', 6],
    ['* * * * * *', 1],
    ['0 9 * * MON-FRI', 72],
    // Nicknames node-cron validates but its task parser refuses (a serve whose config used one would not start).
    ['@daily', 24],
    ['@weekly', 168],
    ['@hourly', 1],
  ])('give the longest gap of %s, to the hour and never less: %d h', (schedule, hours) => {
    expect(longestInterval(schedule)).toBe(hours * 3_600_000);
  });

  it('say which channels are broken or failing, as a state that stays until it changes', async () => {
    const metrics = new Metrics();
    metrics.startSeries([], ['data-eng', 'finops']);

    metrics.recordChannels(['data-eng', 'finops'], new Set(['finops']));
    const failing = await metrics.registry.metrics();
    metrics.recordChannels(['data-eng', 'finops'], new Set());
    const recovered = await metrics.registry.metrics();

    expect(failing).toContain('guardrail_channel_failing{channel="data-eng"} 0');
    expect(failing).toContain('guardrail_channel_failing{channel="finops"} 1');
    expect(recovered).toContain('guardrail_channel_failing{channel="finops"} 0');
  });

  it('a counter measured at 0 exists from that run on, and later amounts add to it', async () => {
    const metrics = new Metrics();

    metrics.recordMeasurements('bq', [
      { name: 'bigquery_query_cost_usd_total', value: 0, labels: { project: 'new' } },
    ]);
    expect(await metrics.registry.metrics()).toContain(
      'guardrail_bigquery_query_cost_usd_total{check="bq",project="new"} 0',
    );
    metrics.recordMeasurements('bq', [
      { name: 'bigquery_query_cost_usd_total', value: 7.5, labels: { project: 'new' } },
    ]);
    expect(await metrics.registry.metrics()).toContain(
      'guardrail_bigquery_query_cost_usd_total{check="bq",project="new"} 7.5',
    );
  });
});
