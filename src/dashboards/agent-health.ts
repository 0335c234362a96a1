import { guardrailDashboard, toJson } from './dashboard';
import { latestRun } from './latest-run';
import { promQuery, promTable, statPanel, steps, tablePanel, timeseriesPanel } from './panels';
import { labelVariable, prometheusVariable, windowVariable } from './variables';

export const AGENT_HEALTH_UID = 'guardrail-agent-health';

const CHECK = 'check=~"$check"';
const FINDINGS = latestRun(`guardrail_findings{${CHECK}}`);

export function agentHealthDashboard(): Record<string, unknown> {
  const builder = guardrailDashboard({
    uid: AGENT_HEALTH_UID,
    title: 'Guardrail / Agent health',
    description:
      'Is Guardrail itself working: check runs and their duration, findings, alert delivery and its own cost.',
    tags: ['agent'],
  })
    .withVariable(prometheusVariable())
    .withVariable(labelVariable('check', 'guardrail_check_runs_total', { label: 'Check' }))
    .withVariable(windowVariable())
    .withPanel(
      statPanel(
        'Failed check runs',
        promQuery(
          `sum(increase(guardrail_check_runs_total{${CHECK}, status="error"}[$__range])) or vector(0)`,
        ),
        { description: 'Runs that errored or timed out in the time range.', thresholds: steps([1, 'red']) },
      ),
    )
    .withPanel(
      statPanel('Firing findings', promQuery(`sum(${FINDINGS}) or vector(0)`), {
        thresholds: steps([1, 'orange']),
      }),
    )
    .withPanel(
      statPanel(
        'Undelivered notifications',
        promQuery('sum(increase(guardrail_notifications_total{outcome="dropped"}[$__range])) or vector(0)'),
        {
          description:
            'Messages given up in the time range (older than alerts.maxDeliveryAge). Failed attempts that a retry delivered are not counted: see Notifications by outcome, and Outbox pending for messages still waiting.',
          thresholds: steps([1, 'red']),
        },
      ),
    )
    .withPanel(
      statPanel('Outbox pending', promQuery('max(guardrail_outbox_pending) or vector(0)'), {
        description: 'Messages written to the outbox and not yet delivered.',
        thresholds: steps([1, 'orange'], [10, 'red']),
      }),
    )
    .withPanel(
      timeseriesPanel(
        'Check runs by status',
        [
          promQuery(
            `sum by (status) (increase(guardrail_check_runs_total{${CHECK}}[$window]))`,
            '{{status}}',
          ),
        ],
        { unit: 'short', stacked: true },
      ),
    )
    .withPanel(
      timeseriesPanel(
        'Check duration (mean per run, else the last run)',
        [
          // A `run` job's histogram starts again with each push (its _count stays 1): no increase, no mean, and
          // a division by zero drew +Inf; the last run's duration stands in.
          promQuery(
            `sum by (check) (increase(guardrail_check_duration_seconds_sum{${CHECK}}[$window]))` +
              ` / (sum by (check) (increase(guardrail_check_duration_seconds_count{${CHECK}}[$window])) > 0)` +
              ` or max by (check) (guardrail_check_last_duration_seconds{${CHECK}})`,
            '{{check}}',
          ),
        ],
        { unit: 's' },
      ),
    )
    .withPanel(
      timeseriesPanel(
        'Findings by severity',
        [promQuery(`sum by (severity) (${FINDINGS})`, '{{severity}}')],
        { unit: 'short', stacked: true },
      ),
    )
    .withPanel(
      timeseriesPanel(
        'Notifications by outcome',
        [
          promQuery(
            'sum by (channel, outcome) (increase(guardrail_notifications_total[$window]))',
            '{{channel}} {{outcome}}',
          ),
        ],
        { unit: 'short' },
      ),
    )
    .withPanel(
      timeseriesPanel('Outbox pending', [promQuery('max(guardrail_outbox_pending)', 'pending')], {
        unit: 'short',
      }),
    )
    .withPanel(
      timeseriesPanel(
        'BigQuery bytes billed by Guardrail',
        [promQuery('sum(increase(guardrail_self_bytes_billed_total[$window]))', 'bytes billed')],
        {
          unit: 'bytes',
          description: 'What the agent’s own queries cost (each is dry-run first and capped).',
        },
      ),
    )
    .withPanel(
      tablePanel(
        'Checks that errored',
        [
          promTable(
            `sum by (check, kind) (increase(guardrail_check_runs_total{${CHECK}, status="error"}[$__range])) > 0`,
          ),
        ],
        { unit: 'short', thresholds: steps([1, 'red']) },
      ),
    );
  return toJson(builder);
}
