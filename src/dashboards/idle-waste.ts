import { guardrailDashboard, toJson } from './dashboard';
import { promQuery, promTable, statPanel, steps, tablePanel, timeseriesPanel } from './panels';
import { labelVariable, prometheusVariable } from './variables';

export const IDLE_WASTE_UID = 'guardrail-idle-waste';

const SEL = 'check=~"$check", account=~"$account", region=~"$region", resource_type=~"$resource_type"';
const USD = 'currencyUSD';

export function idleWasteDashboard(): Record<string, unknown> {
  const builder = guardrailDashboard({
    uid: IDLE_WASTE_UID,
    title: 'Guardrail / Idle-resource waste',
    description:
      'What unattached EBS volumes and unassociated Elastic IPs cost per month, by account, region and type.',
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
      statPanel('Idle waste', promQuery(`sum(guardrail_idle_monthly_cost_usd{${SEL}}) or vector(0)`), {
        unit: USD,
        description: 'Total $/month of the idle resources found in the last sweep.',
        thresholds: steps([100, 'orange'], [1000, 'red']),
        width: 8,
      }),
    )
    .withPanel(
      statPanel('Idle resources', promQuery(`sum(guardrail_idle_resources{${SEL}}) or vector(0)`), {
        thresholds: steps([1, 'orange']),
        width: 8,
      }),
    )
    .withPanel(
      statPanel('Not priced', promQuery(`sum(guardrail_idle_unpriced_resources{${SEL}}) or vector(0)`), {
        description: 'Idle resources whose price is unknown (region or type missing from the price table).',
        thresholds: steps([1, 'orange']),
        width: 8,
      }),
    )
    .withPanel(
      timeseriesPanel(
        '$/month by resource type',
        [promQuery(`sum by (resource_type) (guardrail_idle_monthly_cost_usd{${SEL}})`, '{{resource_type}}')],
        { unit: USD, stacked: true },
      ),
    )
    .withPanel(
      timeseriesPanel(
        '$/month by region',
        [promQuery(`sum by (region) (guardrail_idle_monthly_cost_usd{${SEL}})`, '{{region}}')],
        { unit: USD, stacked: true },
      ),
    )
    .withPanel(
      tablePanel(
        'By account, region and type',
        [
          promTable(
            `sort_desc(sum by (account, region, resource_type) (guardrail_idle_monthly_cost_usd{${SEL}}) > 0)`,
          ),
        ],
        { unit: USD, width: 12 },
      ),
    )
    .withPanel(
      timeseriesPanel(
        'EBS $/month by volume type',
        [promQuery(`sum by (subtype) (guardrail_idle_subtype_monthly_cost_usd{${SEL}})`, '{{subtype}}')],
        { unit: USD, stacked: true },
      ),
    );
  return toJson(builder);
}
