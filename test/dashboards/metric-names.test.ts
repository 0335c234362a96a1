import { CHECKS } from '../../checks/registry';
import { generateDashboards } from '../../src/dashboards';
import { Metrics } from '../../src/engine/metrics';
import { type DashboardJson, panelsOf } from './dashboard-json';

/** DESIGN.md §6: the Prometheus names that are part of the contract. */
const CONTRACT_METRICS = [
  'guardrail_check_runs_total',
  'guardrail_check_duration_seconds',
  'guardrail_findings',
  'guardrail_notifications_total',
  'guardrail_outbox_pending',
  'guardrail_table_rows',
  'guardrail_table_row_diff',
  'guardrail_table_freshness_lag_seconds',
  'guardrail_idle_monthly_cost_usd',
  'guardrail_bigquery_query_cost_usd_total',
  'guardrail_self_bytes_billed_total',
];
/** Metrics the engine exports itself besides the contract's (src/engine/metrics.ts). */
const ENGINE_METRICS = [
  'guardrail_cleanup_saved_monthly_usd',
  'guardrail_last_run_timestamp_seconds',
  'guardrail_last_measured_timestamp_seconds',
  'guardrail_check_last_duration_seconds',
  'guardrail_check_interval_seconds',
  'guardrail_channel_failing',
];
const HISTOGRAM_SERIES = ['_bucket', '_sum', '_count'].map((s) => `guardrail_check_duration_seconds${s}`);

/** Measurement names as the check kinds declare them; each becomes `guardrail_<name>`. */
function measurementNames(): string[] {
  const names = CHECKS.flatMap((c) => c.measurements.map((m) => `guardrail_${m.name}`));
  return [...new Set(names)].sort();
}

const EXPORTED = new Set([
  ...CONTRACT_METRICS,
  ...ENGINE_METRICS,
  ...HISTOGRAM_SERIES,
  ...measurementNames(),
]);

/** PromQL functions, aggregations and keywords the dashboards may use. */
const PROMQL_WORDS = new Set(
  (
    'abs and avg bool bottomk by clamp_max clamp_min count group group_left group_right histogram_quantile ignoring ' +
    'increase irate label_replace max min offset on or rate sort sort_desc sum topk unless vector without'
  ).split(' '),
);

/** Identifiers in a PromQL expression that name series: strings, matchers, ranges, groupings and variables removed. */
function metricNamesIn(expr: string): string[] {
  const bare = expr
    .replace(/"(?:[^"\\]|\\.)*"/g, '""')
    .replace(/\{[^}]*\}/g, '')
    .replace(/\[[^\]]*\]/g, '')
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, '')
    .replace(/\$\{?\w+\}?/g, '');
  const words = bare.match(/[a-zA-Z_:][a-zA-Z0-9_:]*/g) ?? [];
  return words.filter((w) => !PROMQL_WORDS.has(w));
}

function prometheusExpressions(): [string, string][] {
  return generateDashboards().flatMap(({ file, json }) => {
    const d = json as DashboardJson;
    const panelExprs = panelsOf(d)
      .filter((p) => p.datasource?.type === 'prometheus')
      .flatMap((p) =>
        (p.targets ?? []).map((t): [string, string] => [`${file} / ${p.title}`, String(t.expr)]),
      );
    const variableExprs = d.templating.list
      .filter((v) => v.type === 'query' && v.datasource?.type === 'prometheus')
      .map((v): [string, string] => [
        `${file} / $${v.name}`,
        String(v.query).replace(/^label_values\((.*), *\w+\)$/, '$1'),
      ]);
    return [...panelExprs, ...variableExprs];
  });
}

describe('Prometheus expressions in the dashboards', () => {
  it('finds the measurement names the checks emit', () => {
    expect(measurementNames()).toEqual(
      expect.arrayContaining(['guardrail_table_rows', 'guardrail_lambda_errors']),
    );
  });

  it.each(prometheusExpressions())('%s uses only metrics Guardrail exports: %s', (_where, expr) => {
    const names = metricNamesIn(expr);

    expect(names.length).toBeGreaterThan(0);
    expect(names.filter((n) => !EXPORTED.has(n))).toEqual([]);
  });

  it.each([
    [
      'sum by (check) (increase(guardrail_check_runs_total{status="error"}[1h]))',
      ['guardrail_check_runs_total'],
    ],
    ['count(a > on (check) clamp_min($x * b{side="source"}, $y)) or vector(0)', ['a', 'b']],
    ['max(up_metric{job="x y"})', ['up_metric']],
  ])('reads the metric names of %s', (expr, expected) => {
    expect(metricNamesIn(expr)).toEqual(expected);
  });
});

it('lists as the engine metrics only what the engine registers', async () => {
  const registered = (await new Metrics().registry.getMetricsAsJSON()).map((m) => m.name);

  for (const name of ENGINE_METRICS) expect([name, registered.includes(name)]).toEqual([name, true]);
});
