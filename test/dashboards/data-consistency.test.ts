import { generateDashboards } from '../../src/dashboards';
import { dataConsistencyDashboard } from '../../src/dashboards/data-consistency';
import { latestMeasured } from '../../src/dashboards/latest-run';
import { type DashboardJson, type PanelJson, panelsOf } from './dashboard-json';

type StatJson = PanelJson & { fieldConfig?: { defaults?: { noValue?: string } } };

const consistency = dataConsistencyDashboard() as unknown as DashboardJson;
const byTitle = (title: string) => panelsOf(consistency).find((p) => p.title === title);
const exprsOf = (panel: PanelJson | undefined) => (panel?.targets ?? []).map((t) => String(t.expr));
const perTable = (metric: string) =>
  `max by (check, table) (${latestMeasured(`${metric}{check=~"$check", table=~"$table"}`)})`;

describe('the data-consistency dashboard', () => {
  it("shows the check's own verdict rather than a tolerance of its own", () => {
    const variables = consistency.templating.list.map((v) => `${v.name}:${v.type}`);

    expect(variables).toEqual(['datasource:datasource', 'check:query', 'table:query']);
    expect(exprsOf(byTitle('Tables over tolerance'))).toEqual([
      `count(${perTable('guardrail_table_over_tolerance')} == 1) or vector(0)`,
    ]);
    expect(JSON.stringify(consistency)).not.toMatch(/tolerance_r|clamp_min/);
  });

  it('lists source, target, difference, tolerated rows and the verdict per table', () => {
    const table = byTitle('Row counts per table') as PanelJson & {
      transformations?: { id: string; options: { renameByName?: Record<string, string> } }[];
    };
    const renamed = table.transformations?.find((t) => t.id === 'organize')?.options.renameByName;

    expect(exprsOf(table).map((e) => /guardrail_\w+/.exec(e)?.[0])).toEqual([
      'guardrail_table_rows',
      'guardrail_table_rows',
      'guardrail_table_row_diff',
      'guardrail_table_tolerated_rows',
      'guardrail_table_over_tolerance',
    ]);
    expect(Object.values(renamed ?? {})).toEqual(
      expect.arrayContaining(['Source rows', 'Target rows', 'Difference', 'Tolerated rows', 'Verdict']),
    );
  });

  it('shows the freshness lag next to the lag allowed', () => {
    expect(exprsOf(byTitle('Freshness lag vs allowed'))).toEqual([
      perTable('guardrail_table_freshness_lag_seconds'),
      perTable('guardrail_table_freshness_max_lag_seconds'),
    ]);
  });
});

const statPanels = generateDashboards().flatMap(({ file, json }) =>
  panelsOf(json as DashboardJson)
    .filter((p) => p.type === 'stat' && p.datasource?.type === 'prometheus')
    .map((p) => [`${file} / ${p.title}`, p as StatJson] as const),
);

describe('stat panels of counts', () => {
  it.each(statPanels)('%s reads 0, not "No data", when no series matches', (_name, panel) => {
    expect({
      exprs: exprsOf(panel).map((e) => e.endsWith(' or vector(0)')),
      noValue: panel.fieldConfig?.defaults?.noValue,
    }).toEqual({ exprs: [true], noValue: '0' });
  });
});
