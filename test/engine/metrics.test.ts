import { Metrics } from '../../src/engine/metrics';

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
