import * as bigquery from '@grafana/grafana-foundation-sdk/bigquery';
import { guardrailDashboard, toJson } from './dashboard';
import { latestMeasured } from './latest-run';
import { promQuery, promTable, statPanel, steps, tablePanel, timeseriesPanel } from './panels';
import {
  BIGQUERY,
  bigqueryVariable,
  constantVariable,
  labelVariable,
  prometheusVariable,
  textVariable,
} from './variables';

export const BIGQUERY_COST_UID = 'guardrail-bigquery-cost';

/**
 * On-demand analysis price, US and EU multi-regions, checked 2026-06.
 * @see https://cloud.google.com/bigquery/pricing#on_demand_pricing
 */
export const USD_PER_TIB = 6.25;

const JOBS = '`${bq_project}`.`region-${bq_region}`.INFORMATION_SCHEMA.JOBS_BY_PROJECT';
const COST = 'SUM(total_bytes_billed) / POW(1024, 4) * ${usd_per_tib}';
// A script's parent job repeats its children's bytes; counting both would double the cost. Jobs in a reservation
// are billed by slot time, not bytes: pricing their bytes would show a cost nobody paid.
const WHERE =
  "$__timeFilter(creation_time) AND job_type = 'QUERY' AND IFNULL(statement_type, '') != 'SCRIPT' AND reservation_id IS NULL";
// Other people's SQL reaches Grafana as text: credential literals (PASSWORD '…', IDENTIFIED BY '…', SECRET '…',
// CREDENTIALS '…', access keys) are masked as the agent masks them in Chat.
const QUERY_TEXT =
  "REGEXP_REPLACE(LEFT(query, 300), r\"(?i)((PASSWORD|IDENTIFIED\\s+BY|SECRET|CREDENTIALS|ACCESS_KEY_ID|SECRET_ACCESS_KEY|SESSION_TOKEN)\\s*(=|AS)?\\s*)'[^']*'?\", r\"\\1'***'\")";

const SQL = {
  byDay: `SELECT TIMESTAMP_TRUNC(creation_time, DAY) AS time, project_id, ${COST} AS cost_usd FROM ${JOBS} WHERE ${WHERE} GROUP BY time, project_id ORDER BY time`,
  byUser: `SELECT user_email, COUNT(*) AS jobs, ROUND(SUM(total_bytes_billed) / POW(1024, 4), 3) AS tib_billed, ROUND(${COST}, 2) AS cost_usd FROM ${JOBS} WHERE ${WHERE} GROUP BY user_email ORDER BY cost_usd DESC LIMIT 50`,
  byUserDay: `SELECT TIMESTAMP_TRUNC(creation_time, DAY) AS time, user_email, ${COST} AS cost_usd FROM ${JOBS} WHERE ${WHERE} GROUP BY time, user_email ORDER BY time`,
  top: `SELECT creation_time, job_id, user_email, ROUND(total_bytes_billed / POW(1024, 4), 3) AS tib_billed, ROUND(total_bytes_billed / POW(1024, 4) * \${usd_per_tib}, 2) AS cost_usd, ${QUERY_TEXT} AS query FROM ${JOBS} WHERE ${WHERE} ORDER BY total_bytes_billed DESC LIMIT 20`,
};

function sql(rawSql: string, format: bigquery.QueryFormat): bigquery.DataqueryBuilder {
  return new bigquery.DataqueryBuilder()
    .rawQuery(true)
    .editorMode(bigquery.EditorMode.Code)
    .format(format)
    .rawSql(rawSql)
    .location('${bq_region}');
}

const onBigQuery = { datasource: BIGQUERY, unit: 'currencyUSD' };
/**
 * Mixed-unit columns carry their unit in their name and are rounded in SQL: per-column unit overrides
 * (`matcher.options: 'jobs'`) are what Grafana stores, but the dashboard JSON schema types them as objects.
 */
const onBigQueryTable = { datasource: BIGQUERY, width: 12 };

/** What guardrail_bigquery_query_cost_usd_total adds up (see the check's measurement help). */
const QUERY_COST =
  'Cost of every query job the check listed, not only the expensive ones: on-demand bytes billed, plus the estimated slot time of reservation jobs when reservations: price.';

export function bigqueryCostDashboard(): Record<string, unknown> {
  const builder = guardrailDashboard({
    uid: BIGQUERY_COST_UID,
    title: 'Guardrail / BigQuery cost',
    description:
      'BigQuery on-demand query cost by project, user and day (jobs in a reservation are billed by slot time and left out), from INFORMATION_SCHEMA and Guardrail.',
    tags: ['bigquery', 'cost', 'gcp'],
    from: 'now-30d',
  })
    .withVariable(prometheusVariable())
    .withVariable(labelVariable('check', 'guardrail_bigquery_query_cost_usd_total', { label: 'Check' }))
    .withVariable(bigqueryVariable())
    .withVariable(textVariable('bq_project', 'BigQuery project', 'my-project'))
    .withVariable(textVariable('bq_region', 'BigQuery region', 'us'))
    .withVariable(
      constantVariable('usd_per_tib', String(USD_PER_TIB), 'On-demand price per TiB billed (USD).'),
    )
    .withPanel(
      statPanel(
        'Query cost seen by Guardrail',
        promQuery(
          'sum(increase(guardrail_bigquery_query_cost_usd_total{check=~"$check"}[$__range])) or vector(0)',
        ),
        {
          unit: 'currencyUSD',
          width: 4,
          thresholds: steps([100, 'orange'], [1000, 'red']),
          description: QUERY_COST,
        },
      ),
    )
    .withPanel(
      statPanel(
        'Expensive queries, last run',
        promQuery(
          `sum(${latestMeasured('guardrail_bigquery_expensive_queries{check=~"$check"}')}) or vector(0)`,
        ),
        {
          width: 4,
          thresholds: steps([1, 'orange']),
          description: 'Query jobs over the check’s cost threshold in its last run (each one is a finding).',
        },
      ),
    )
    .withPanel(
      timeseriesPanel(
        'Query cost seen by project (per day)',
        [
          promQuery(
            'sum by (project) (increase(guardrail_bigquery_query_cost_usd_total{check=~"$check"}[1d]))',
            '{{project}}',
          ),
        ],
        {
          unit: 'currencyUSD',
          width: 16,
          stacked: true,
          description: QUERY_COST,
        },
      ),
    )
    .withPanel(
      timeseriesPanel('Cost by project and day', [sql(SQL.byDay, bigquery.QueryFormat.Timeseries)], {
        ...onBigQuery,
        stacked: true,
        description: 'All query jobs of the project, total_bytes_billed × $usd_per_tib per TiB.',
      }),
    )
    .withPanel(
      timeseriesPanel('Cost by user and day', [sql(SQL.byUserDay, bigquery.QueryFormat.Timeseries)], {
        ...onBigQuery,
        stacked: true,
      }),
    )
    .withPanel(tablePanel('Cost by user', [sql(SQL.byUser, bigquery.QueryFormat.Table)], onBigQueryTable))
    .withPanel(
      tablePanel('Most expensive queries', [sql(SQL.top, bigquery.QueryFormat.Table)], onBigQueryTable),
    )
    .withPanel(
      tablePanel(
        'Guardrail’s reported cost by project',
        [
          promTable(
            'sum by (project) (increase(guardrail_bigquery_query_cost_usd_total{check=~"$check"}[$__range]))',
          ),
        ],
        { unit: 'currencyUSD', height: 6 },
      ),
    );
  return toJson(builder);
}
