import { guardrailDashboard, toJson } from './dashboard';
import { latestMeasured } from './latest-run';
import { promQuery, promTable, statPanel, steps, tablePanel, timeseriesPanel } from './panels';
import { labelVariable, prometheusVariable } from './variables';

export const IDLE_WASTE_UID = 'guardrail-idle-waste';

const SEL = 'check=~"$check", account=~"$account", region=~"$region", resource_type=~"$resource_type"';
const USD = 'currencyUSD';
/** The S3, gp2 and cleanup series have no resource_type label. */
const PLACE = 'check=~"$check", account=~"$account", region=~"$region"';
/** Every replica reads these from the shared state store: one figure, exported once per replica. */
const SAVED = 'max by (check, action) (guardrail_cleanup_saved_monthly_usd{check=~"$check"})';

/** A gauge of the checks' last sweep, from the replica that swept each check last. */
function latest(metric: string, selector = SEL): string {
  return latestMeasured(`${metric}{${selector}}`);
}

export function idleWasteDashboard(): Record<string, unknown> {
  const builder = guardrailDashboard({
    uid: IDLE_WASTE_UID,
    title: 'Guardrail / Idle-resource waste',
    description:
      'What unattached EBS volumes, unassociated Elastic IPs and wasted S3 storage cost per month, what gp2 to gp3 ' +
      'would save, and what applied cleanup plans saved.',
    tags: ['cost', 'aws'],
    from: 'now-7d',
  })
    .withVariable(prometheusVariable())
    .withVariable(labelVariable('check', 'guardrail_idle_monthly_cost_usd', { label: 'Check' }))
    .withVariable(labelVariable('account', 'guardrail_idle_monthly_cost_usd', { label: 'Account' }))
    .withVariable(labelVariable('region', 'guardrail_idle_monthly_cost_usd', { label: 'Region' }))
    .withVariable(
      labelVariable('resource_type', 'guardrail_idle_monthly_cost_usd', { label: 'Resource type' }),
    )
    .withPanel(
      statPanel('Idle waste', promQuery(`sum(${latest('guardrail_idle_monthly_cost_usd')}) or vector(0)`), {
        unit: USD,
        description: 'Total $/month of the idle resources found in the last sweep.',
        thresholds: steps([100, 'orange'], [1000, 'red']),
        width: 8,
      }),
    )
    .withPanel(
      statPanel('Idle resources', promQuery(`sum(${latest('guardrail_idle_resources')}) or vector(0)`), {
        thresholds: steps([1, 'orange']),
        width: 8,
      }),
    )
    .withPanel(
      statPanel('Not priced', promQuery(`sum(${latest('guardrail_idle_unpriced_resources')}) or vector(0)`), {
        description: 'Idle resources whose price is unknown (region or type missing from the price table).',
        thresholds: steps([1, 'orange']),
        width: 8,
      }),
    )
    .withPanel(
      statPanel(
        'S3 waste',
        promQuery(
          `(sum(${latest('guardrail_s3_incomplete_upload_monthly_cost_usd', PLACE)}) or vector(0)) + (sum(${latest('guardrail_s3_tiering_monthly_savings_usd', PLACE)}) or vector(0)) or vector(0)`,
        ),
        {
          unit: USD,
          description:
            'Incomplete multipart uploads plus the estimated Intelligent-Tiering saving of untiered Standard storage.',
          thresholds: steps([100, 'orange'], [1000, 'red']),
          width: 6,
        },
      ),
    )
    .withPanel(
      statPanel(
        'gp2 → gp3 saving',
        promQuery(`sum(${latest('guardrail_gp2_monthly_savings_usd', PLACE)}) or vector(0)`),
        {
          unit: USD,
          description:
            'What moving every gp2 volume to gp3 at the same baseline performance would save per month.',
          thresholds: steps([50, 'orange']),
          width: 6,
        },
      ),
    )
    .withPanel(
      statPanel('Saved by cleanups', promQuery(`sum(${SAVED}) or vector(0)`), {
        unit: USD,
        description: 'List-price $/month of the resources that guardrail cleanup apply removed (all plans).',
        thresholds: steps([0, 'green']),
        width: 6,
      }),
    )
    .withPanel(
      statPanel(
        'S3 incomplete uploads',
        promQuery(`sum(${latest('guardrail_s3_incomplete_upload_bytes', PLACE)}) or vector(0)`),
        {
          unit: 'bytes',
          description: 'Bytes held by multipart uploads never completed, older than the check’s minAgeDays.',
          thresholds: steps([1, 'orange']),
          width: 6,
        },
      ),
    )
    .withPanel(
      timeseriesPanel(
        'Waste $/month by kind',
        [
          promQuery(`sum(${latest('guardrail_idle_monthly_cost_usd')})`, 'idle EBS/EIP'),
          promQuery(
            `sum(${latest('guardrail_s3_incomplete_upload_monthly_cost_usd', PLACE)})`,
            'S3 incomplete uploads',
          ),
          promQuery(
            `sum(${latest('guardrail_s3_tiering_monthly_savings_usd', PLACE)})`,
            'S3 untiered (IT saving)',
          ),
          promQuery(`sum(${latest('guardrail_gp2_monthly_savings_usd', PLACE)})`, 'gp2 → gp3 saving'),
        ],
        { unit: USD, stacked: true },
      ),
    )
    .withPanel(
      timeseriesPanel(
        'Saved by applied cleanup plans',
        [promQuery(`sum by (action) (${SAVED})`, '{{action}}')],
        { unit: USD, stacked: true },
      ),
    )
    .withPanel(
      timeseriesPanel(
        '$/month by resource type',
        [
          promQuery(
            `sum by (resource_type) (${latest('guardrail_idle_monthly_cost_usd')})`,
            '{{resource_type}}',
          ),
        ],
        { unit: USD, stacked: true },
      ),
    )
    .withPanel(
      timeseriesPanel(
        '$/month by region',
        [promQuery(`sum by (region) (${latest('guardrail_idle_monthly_cost_usd')})`, '{{region}}')],
        { unit: USD, stacked: true },
      ),
    )
    .withPanel(
      tablePanel(
        'By account, region and type',
        [
          promTable(
            `sort_desc(sum by (account, region, resource_type) (${latest('guardrail_idle_monthly_cost_usd')}) > 0)`,
          ),
        ],
        { unit: USD, width: 12 },
      ),
    )
    .withPanel(
      timeseriesPanel(
        'EBS $/month by volume type',
        [promQuery(`sum by (subtype) (${latest('guardrail_idle_subtype_monthly_cost_usd')})`, '{{subtype}}')],
        { unit: USD, stacked: true },
      ),
    );
  return toJson(builder);
}
