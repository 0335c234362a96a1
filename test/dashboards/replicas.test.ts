import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { CHECKS } from '../../checks/registry';
import { generateDashboards } from '../../src/dashboards';
import { describeWithTools, PROMTOOL } from '../harness/tools';
import { type DashboardJson, panelsOf } from './dashboard-json';

/** Two `serve` replicas on one state store, scraped as different jobs and pods: `b` ran `shop` last. */
const A = 'job="guardrail", instance="a:9464", pod="guardrail-a"';
const B = 'job="guardrail-b", instance="b:9464", pod="guardrail-b"';
const SHOP = 'check="shop", kind="row-count-consistency"';
const LAKE = 'check="lake", kind="idle-ebs-volumes"';

interface Case {
  panel: string;
  query?: number;
  series: Record<string, number>;
  expected: { labels: string; value: number }[];
}

/** Every run measured: the last run and the last measuring run are the same. */
const lastRuns = Object.fromEntries(
  Object.entries({
    [`{${A}, ${SHOP}}`]: 1000,
    [`{${B}, ${SHOP}}`]: 1300,
    [`{${A}, ${LAKE}}`]: 900,
  }).flatMap(([labels, at]) => [
    [`guardrail_last_run_timestamp_seconds${labels}`, at],
    [`guardrail_last_measured_timestamp_seconds${labels}`, at],
  ]),
);

const CASES: [string, Case][] = [
  [
    'counts the findings of the latest run of each check once, not once per replica',
    {
      panel: 'guardrail-agent-health.json / Firing findings',
      series: {
        ...lastRuns,
        [`guardrail_findings{${A}, ${SHOP}, severity="critical"}`]: 2,
        [`guardrail_findings{${B}, ${SHOP}, severity="critical"}`]: 1,
        [`guardrail_findings{${A}, ${LAKE}, severity="warning"}`]: 5,
      },
      expected: [{ labels: '{}', value: 1 + 5 }],
    },
  ],
  [
    'lists the row counts of the replica that ran the check last, not the larger stale ones',
    {
      panel: 'guardrail-data-consistency.json / Row counts per table',
      series: {
        ...lastRuns,
        [`guardrail_table_rows{${A}, check="shop", table="orders", side="source"}`]: 120,
        [`guardrail_table_rows{${B}, check="shop", table="orders", side="source"}`]: 100,
      },
      expected: [{ labels: '{check="shop", table="orders"}', value: 100 }],
    },
  ],
  [
    'adds up the idle cost of the latest sweep of each check',
    {
      panel: 'guardrail-idle-waste.json / Idle waste',
      series: {
        ...lastRuns,
        [`guardrail_idle_monthly_cost_usd{${A}, check="shop", account="1", region="eu-west-1", resource_type="ebs"}`]: 50,
        [`guardrail_idle_monthly_cost_usd{${B}, check="shop", account="1", region="eu-west-1", resource_type="ebs"}`]: 30,
        [`guardrail_idle_monthly_cost_usd{${A}, check="lake", account="1", region="eu-west-1", resource_type="eip"}`]: 4,
      },
      expected: [{ labels: '{}', value: 30 + 4 }],
    },
  ],
  [
    'reads the measurements of the latest run that measured, when the latest run of all failed outright',
    {
      panel: 'guardrail-idle-waste.json / Idle waste',
      series: {
        // `a` restarted and its start-up run of `shop` timed out at 1300 (no measurement); `b` swept at 1000.
        [`guardrail_last_run_timestamp_seconds{${A}, ${SHOP}}`]: 1300,
        [`guardrail_last_measured_timestamp_seconds{${A}, ${SHOP}}`]: 400,
        [`guardrail_last_run_timestamp_seconds{${B}, ${SHOP}}`]: 1000,
        [`guardrail_last_measured_timestamp_seconds{${B}, ${SHOP}}`]: 1000,
        [`guardrail_idle_monthly_cost_usd{${A}, check="shop", account="1", region="eu-west-1", resource_type="ebs"}`]: 50,
        [`guardrail_idle_monthly_cost_usd{${B}, check="shop", account="1", region="eu-west-1", resource_type="ebs"}`]: 30,
      },
      expected: [{ labels: '{}', value: 30 }],
    },
  ],
  [
    'shows what one replica exports, unchanged',
    {
      panel: 'guardrail-agent-health.json / Firing findings',
      series: {
        [`guardrail_last_run_timestamp_seconds{${A}, ${SHOP}}`]: 1000,
        [`guardrail_last_run_timestamp_seconds{${A}, ${LAKE}}`]: 900,
        [`guardrail_findings{${A}, ${SHOP}, severity="critical"}`]: 2,
        [`guardrail_findings{${A}, ${LAKE}, severity="warning"}`]: 5,
      },
      expected: [{ labels: '{}', value: 2 + 5 }],
    },
  ],
];

const exprs = new Map(
  generateDashboards().flatMap(({ file, json }) =>
    panelsOf(json as DashboardJson).map((p) => [
      `${file} / ${p.title}`,
      (p.targets ?? []).map((t) => String(t.expr)),
    ]),
  ),
);

/** Grafana's variables as they read with `All` selected (every variable here is a regex matcher). */
function withAllSelected(expr: string): string {
  return expr.replace(/\$\w+/g, '.*');
}

function promtoolTest(expr: string, c: Case): { status: number | null; output: string } {
  const dir = mkdtempSync(join(tmpdir(), 'guardrail-replicas-'));
  const test = {
    evaluation_interval: '1m',
    tests: [
      {
        interval: '1m',
        input_series: Object.entries(c.series).map(([series, value]) => ({ series, values: `${value}x10` })),
        promql_expr_test: [{ expr, eval_time: '5m', exp_samples: c.expected }],
      },
    ],
  };
  writeFileSync(join(dir, 'replicas.test.yml'), stringify(test));
  const result = spawnSync('promtool', ['test', 'rules', 'replicas.test.yml'], {
    cwd: dir,
    encoding: 'utf8',
  });
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

describeWithTools([PROMTOOL])('dashboards over several serve replicas (promtool)', () => {
  it.each(CASES)('%s', (_behaviour, c) => {
    const expr = withAllSelected(exprs.get(c.panel)?.[c.query ?? 0] ?? '');

    const result = promtoolTest(expr, c);

    expect({ expr, ...result }).toEqual({ expr, status: 0, output: expect.stringContaining('SUCCESS') });
  });
});

/** Gauges that describe a check's last run in the process that ran it: the engine's findings and every declared gauge. */
const LAST_RUN_GAUGES = [
  'guardrail_findings',
  ...CHECKS.flatMap((c) =>
    c.measurements.filter((m) => m.type === 'gauge').map((m) => `guardrail_${m.name}`),
  ),
];
const LATEST = (basis: string) => ` and on (check, job, instance) topk by (check) (1, ${basis})`;
/** Findings are set by every run; measurements only by a run that measured. */
const LATEST_BASIS = (metric: string) =>
  LATEST(
    metric === 'guardrail_findings'
      ? 'guardrail_last_run_timestamp_seconds'
      : 'guardrail_last_measured_timestamp_seconds',
  );

describe('dashboard panels reading a gauge of a check’s last run', () => {
  const reads = [...exprs].flatMap(([panel, list]) =>
    list.flatMap((expr) =>
      [...expr.matchAll(/\b(guardrail_\w+)(\{[^}]*\})?/g)]
        .filter((m) => LAST_RUN_GAUGES.includes(m[1]!))
        .map((m): [string, string, string] => [panel, m[1]!, expr.slice(m.index + m[0].length)]),
    ),
  );

  it('are found', () => {
    expect(reads.length).toBeGreaterThan(20);
  });

  it.each(reads)(
    '%s keeps %s from the replica that ran (or measured) the check last',
    (_panel, metric, after) => {
      expect(after.startsWith(LATEST_BASIS(metric))).toBe(true);
    },
  );
});
