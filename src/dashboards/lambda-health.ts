import * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import { cloudwatchPanel, type MetricPanel } from './cloudwatch';
import { guardrailDashboard, toJson } from './dashboard';
import { latestMeasured } from './latest-run';
import { promQuery, promTable, statPanel, steps, tablePanel, timeseriesPanel } from './panels';
import { cloudwatchVariable, labelVariable, prometheusVariable, textVariable } from './variables';

export const LAMBDA_HEALTH_UID = 'guardrail-lambda-health';

const SEL = 'check=~"$check", region=~"$region", function=~"$function"';
const FUNCTION = 'check, account, region, function';

/** The lambda-errors gauge `metric`, from the replica that measured the check last. */
function latest(metric: string): string {
  return latestMeasured(`${metric}{${SEL}}`);
}

/** One series per function, whichever replica ran the check last, so a graph keeps one line per function. */
function perFunction(metric: string): string {
  return `max by (${FUNCTION}) (${latest(metric)})`;
}
const FUNCTION_LABEL = "${PROP('Dim.FunctionName')}";

/** Straight from CloudWatch, for functions (or periods) the lambda-errors check does not cover. */
const CLOUDWATCH_PANELS: MetricPanel[] = [
  { title: 'Errors (CloudWatch)', metric: 'Errors', statistic: 'Sum', unit: 'short', label: FUNCTION_LABEL },
  {
    title: 'Throttles (CloudWatch)',
    metric: 'Throttles',
    statistic: 'Sum',
    unit: 'short',
    label: FUNCTION_LABEL,
  },
  {
    title: 'Duration p99 (CloudWatch)',
    metric: 'Duration',
    statistic: 'p99',
    unit: 'ms',
    label: FUNCTION_LABEL,
  },
];

export function lambdaHealthDashboard(): Record<string, unknown> {
  const builder = guardrailDashboard({
    uid: LAMBDA_HEALTH_UID,
    title: 'Guardrail / Lambda health',
    description:
      'Error rate, errors, throttles and duration per Lambda function, as measured by the lambda-errors check.',
    tags: ['lambda', 'aws'],
  })
    .withVariable(prometheusVariable())
    .withVariable(labelVariable('check', 'guardrail_lambda_invocations', { label: 'Check' }))
    .withVariable(
      labelVariable('region', 'guardrail_lambda_invocations', {
        label: 'Region',
        filter: '{check=~"$check"}',
      }),
    )
    .withVariable(
      labelVariable('function', 'guardrail_lambda_invocations', {
        label: 'Function',
        filter: '{check=~"$check", region=~"$region"}',
      }),
    )
    .withVariable(cloudwatchVariable())
    .withVariable(textVariable('aws_region', 'CloudWatch region', 'default'))
    .withPanel(
      statPanel(
        'Functions watched',
        promQuery(`count(${latest('guardrail_lambda_invocations')}) or vector(0)`),
      ),
    )
    .withPanel(
      statPanel(
        'Invocations (last window)',
        promQuery(`sum(${latest('guardrail_lambda_invocations')}) or vector(0)`),
      ),
    )
    .withPanel(
      statPanel('Errors (last window)', promQuery(`sum(${latest('guardrail_lambda_errors')}) or vector(0)`), {
        thresholds: steps([1, 'red']),
      }),
    )
    .withPanel(
      statPanel(
        'Throttles (last window)',
        promQuery(`sum(${latest('guardrail_lambda_throttles')}) or vector(0)`),
        {
          thresholds: steps([1, 'orange']),
        },
      ),
    )
    .withPanel(
      timeseriesPanel(
        'Error rate',
        [promQuery(perFunction('guardrail_lambda_error_rate'), '{{function}} ({{region}})')],
        {
          unit: 'percentunit',
          description: 'Errors ÷ invocations over the check’s look-back window.',
        },
      ),
    )
    .withPanel(
      timeseriesPanel(
        'Max duration',
        [promQuery(perFunction('guardrail_lambda_max_duration_seconds'), '{{function}} ({{region}})')],
        {
          unit: 's',
          description: 'Compare with each function’s timeout: a max at the timeout means timeouts.',
        },
      ),
    )
    .withPanel(
      timeseriesPanel(
        'Errors',
        [
          promQuery(
            `sum by (function, region) (${latest('guardrail_lambda_errors')})`,
            '{{function}} ({{region}})',
          ),
        ],
        { unit: 'short' },
      ),
    )
    .withPanel(
      timeseriesPanel(
        'Throttles',
        [
          promQuery(
            `sum by (function, region) (${latest('guardrail_lambda_throttles')})`,
            '{{function}} ({{region}})',
          ),
        ],
        { unit: 'short' },
      ),
    )
    .withPanel(
      tablePanel(
        'Worst functions by error rate',
        [
          promTable(
            `topk(20, max by (account, region, function) (${latest('guardrail_lambda_error_rate')}))`,
          ),
        ],
        { unit: 'percentunit', thresholds: steps([0.01, 'orange'], [0.05, 'red']) },
      ),
    )
    .withRow(new dashboard.RowBuilder('CloudWatch (AWS/Lambda, all functions)'));
  for (const p of CLOUDWATCH_PANELS) {
    builder.withPanel(cloudwatchPanel('AWS/Lambda', { FunctionName: '*' }, p, { width: 8 }));
  }
  return toJson(builder);
}
