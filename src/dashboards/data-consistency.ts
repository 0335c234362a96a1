import { guardrailDashboard, toJson } from './dashboard';
import { promQuery, promTable, statPanel, steps, tablePanel, timeseriesPanel } from './panels';
import { labelVariable, prometheusVariable, textVariable } from './variables';

export const DATA_CONSISTENCY_UID = 'guardrail-data-consistency';

const SEL = 'check=~"$check", table=~"$table"';

/**
 * The dashboard's own tolerance, for the "over tolerance" views: the check's per-table tolerance is not exported
 * as a metric, so the firing-findings stat is the authoritative count. Defaults mirror the check's example.
 */
const TOLERANCE_RATIO = '0.001';
const TOLERANCE_ROWS = '0';

/** Tables whose |source − target| exceeds max(ratio × source rows, rows); one series per check × table. */
const OVER_TOLERANCE =
  `max by (check, table) (abs(guardrail_table_row_diff{${SEL}}))` +
  ` > on (check, table) clamp_min($tolerance_ratio * max by (check, table) ` +
  `(guardrail_table_rows{${SEL}, side="source"}), $tolerance_rows)`;

export function dataConsistencyDashboard(): Record<string, unknown> {
  const builder = guardrailDashboard({
    uid: DATA_CONSISTENCY_UID,
    title: 'Guardrail / Data consistency',
    description: 'Source vs target row counts, row differences and freshness lag per replicated table.',
    tags: ['consistency'],
  })
    .withVariable(prometheusVariable())
    .withVariable(labelVariable('check', 'guardrail_table_rows', { label: 'Check' }))
    .withVariable(
      labelVariable('table', 'guardrail_table_rows', { label: 'Table', filter: '{check=~"$check"}' }),
    )
    .withVariable(textVariable('tolerance_ratio', 'Tolerance (share of source rows)', TOLERANCE_RATIO))
    .withVariable(textVariable('tolerance_rows', 'Tolerance (rows)', TOLERANCE_ROWS))
    .withPanel(statPanel('Tables compared', promQuery(`count(guardrail_table_row_diff{${SEL}})`)))
    .withPanel(
      statPanel('Tables over tolerance', promQuery(`count(${OVER_TOLERANCE}) or vector(0)`), {
        description: 'By the dashboard tolerance (variables tolerance_ratio / tolerance_rows).',
        thresholds: steps([1, 'red']),
      }),
    )
    .withPanel(
      statPanel(
        'Firing consistency findings',
        promQuery('sum(guardrail_findings{kind="row-count-consistency", check=~"$check", severity!="info"})'),
        {
          description: 'Drift and freshness findings, by each table’s own tolerance.',
          thresholds: steps([1, 'red']),
        },
      ),
    )
    .withPanel(
      statPanel('Worst freshness lag', promQuery(`max(guardrail_table_freshness_lag_seconds{${SEL}})`), {
        unit: 's',
        thresholds: steps([900, 'orange'], [3600, 'red']),
      }),
    )
    .withPanel(
      tablePanel('Tables over tolerance', [promTable(OVER_TOLERANCE)], {
        description: 'Absolute row difference of each table over the dashboard tolerance.',
        unit: 'short',
        height: 7,
      }),
    )
    .withPanel(
      timeseriesPanel(
        'Source vs target rows',
        [promQuery(`guardrail_table_rows{${SEL}}`, '{{table}} {{side}}')],
        {
          unit: 'short',
          width: 24,
        },
      ),
    )
    .withPanel(
      timeseriesPanel(
        'Row difference (source − target)',
        [promQuery(`guardrail_table_row_diff{${SEL}}`, '{{table}}')],
        { unit: 'short', description: 'Positive: rows missing in the target.' },
      ),
    )
    .withPanel(
      timeseriesPanel(
        'Freshness lag',
        [promQuery(`guardrail_table_freshness_lag_seconds{${SEL}}`, '{{table}}')],
        { unit: 's', description: 'Latest source update minus latest target update.' },
      ),
    );
  return toJson(builder);
}
