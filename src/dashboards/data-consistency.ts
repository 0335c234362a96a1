import { guardrailDashboard, toJson } from './dashboard';
import { latestMeasured, latestRun } from './latest-run';
import { promQuery, promTable, statPanel, steps, tablePanel, timeseriesPanel } from './panels';
import { labelVariable, prometheusVariable } from './variables';

export const DATA_CONSISTENCY_UID = 'guardrail-data-consistency';

const SEL = 'check=~"$check", table=~"$table"';

/**
 * One series per check × table, from the replica that measured the check last and without the `job`/`instance` labels a
 * scrape adds, so table rows merge and a graph keeps one line when another replica runs the check.
 */
function perTable(metric: string, extra = '', by = 'check, table'): string {
  return `max by (${by}) (${latestMeasured(`${metric}{${SEL}${extra}}`)})`;
}

/** A 1/0 verdict as a text label, for table columns (value mappings need per-column overrides). */
function verdict(metric: string, yes: string, no: string): string {
  const value = perTable(metric);
  return (
    `label_replace(${value} == 1, "verdict", "${yes}", "", "")` +
    ` or label_replace(${value} == 0, "verdict", "${no}", "", "")`
  );
}

const KEYS = { check: 'Check', table: 'Table' };

export function dataConsistencyDashboard(): Record<string, unknown> {
  const builder = guardrailDashboard({
    uid: DATA_CONSISTENCY_UID,
    title: 'Guardrail / Data consistency',
    description:
      'Source vs target row counts, row differences and freshness lag per replicated table, with the check’s verdicts.',
    tags: ['consistency'],
  })
    .withVariable(prometheusVariable())
    .withVariable(labelVariable('check', 'guardrail_table_rows', { label: 'Check' }))
    .withVariable(
      labelVariable('table', 'guardrail_table_rows', { label: 'Table', filter: '{check=~"$check"}' }),
    )
    .withPanel(
      statPanel('Tables compared', promQuery(`count(${perTable('guardrail_table_row_diff')}) or vector(0)`)),
    )
    .withPanel(
      statPanel(
        'Tables over tolerance',
        promQuery(`count(${perTable('guardrail_table_over_tolerance')} == 1) or vector(0)`),
        {
          description:
            'By each table’s own tolerance, as the check judged it: the tables whose drift alert fires.',
          thresholds: steps([1, 'red']),
        },
      ),
    )
    .withPanel(
      statPanel(
        'Tables behind (freshness)',
        promQuery(`count(${perTable('guardrail_table_freshness_over')} == 1) or vector(0)`),
        {
          description:
            'Targets lagging their source by more than freshness.maxLag: their freshness alert fires.',
          thresholds: steps([1, 'orange']),
        },
      ),
    )
    .withPanel(
      statPanel(
        'Firing consistency findings',
        promQuery(
          `sum(${latestRun('guardrail_findings{kind="row-count-consistency", check=~"$check", severity!="info"}')}) or vector(0)`,
        ),
        {
          description: 'Drift, freshness and failed-count findings.',
          thresholds: steps([1, 'red']),
        },
      ),
    )
    .withPanel(
      tablePanel(
        'Row counts per table',
        [
          promTable(perTable('guardrail_table_rows', ', side="source"')),
          promTable(perTable('guardrail_table_rows', ', side="target"')),
          promTable(perTable('guardrail_table_row_diff')),
          promTable(perTable('guardrail_table_tolerated_rows')),
          promTable(verdict('guardrail_table_over_tolerance', 'over tolerance', 'within tolerance')),
        ],
        {
          description:
            'Last run: the difference, the rows of difference the table’s tolerance allows, and the check’s verdict.',
          unit: 'short',
          hide: ['Value #E'],
          rename: {
            ...KEYS,
            'Value #A': 'Source rows',
            'Value #B': 'Target rows',
            'Value #C': 'Difference',
            'Value #D': 'Tolerated rows',
            verdict: 'Verdict',
          },
        },
      ),
    )
    .withPanel(
      tablePanel(
        'Freshness per table',
        [
          promTable(perTable('guardrail_table_freshness_lag_seconds')),
          promTable(perTable('guardrail_table_freshness_max_lag_seconds')),
          promTable(verdict('guardrail_table_freshness_over', 'behind', 'on time')),
        ],
        {
          description: 'Tables with freshness configured: lag of the target’s latest row vs the lag allowed.',
          unit: 's',
          height: 6,
          hide: ['Value #C'],
          rename: { ...KEYS, 'Value #A': 'Lag', 'Value #B': 'Allowed lag', verdict: 'Verdict' },
        },
      ),
    )
    .withPanel(
      timeseriesPanel(
        'Source vs target rows',
        [promQuery(perTable('guardrail_table_rows', '', 'check, table, side'), '{{table}} {{side}}')],
        {
          unit: 'short',
          width: 24,
        },
      ),
    )
    .withPanel(
      timeseriesPanel(
        'Row difference (source − target)',
        [promQuery(perTable('guardrail_table_row_diff'), '{{table}}')],
        { unit: 'short', description: 'Positive: rows missing in the target.' },
      ),
    )
    .withPanel(
      timeseriesPanel(
        'Freshness lag vs allowed',
        [
          promQuery(perTable('guardrail_table_freshness_lag_seconds'), '{{table}}'),
          promQuery(perTable('guardrail_table_freshness_max_lag_seconds'), '{{table}} allowed'),
        ],
        { unit: 's', description: 'Latest source update minus latest target update, and the lag allowed.' },
      ),
    );
  return toJson(builder);
}
