import * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import { cloudwatchPanel, type MetricPanel } from './cloudwatch';
import { guardrailDashboard, toJson } from './dashboard';
import { CLOUDWATCH, cloudwatchVariable, textVariable } from './variables';

export const REDSHIFT_HEALTH_UID = 'guardrail-redshift-health';

const CLUSTER = "${PROP('Dim.ClusterIdentifier')}";
// WLM series carry a queue dimension that is `service class` (manual WLM) or `QueueName` (auto WLM).
const QUEUE = '${LABEL}';

/**
 * AWS/Redshift cluster metrics. Memory is not among them (Redshift publishes no memory metric to CloudWatch);
 * WLM queue wait time and running queries are the closest signal of memory-bound queues.
 * @see https://docs.aws.amazon.com/redshift/latest/mgmt/metrics-listing.html
 */
const PANELS: MetricPanel[] = [
  {
    title: 'CPU utilization',
    metric: 'CPUUtilization',
    statistic: 'Average',
    unit: 'percent',
    label: CLUSTER,
  },
  {
    title: 'Disk space used',
    metric: 'PercentageDiskSpaceUsed',
    statistic: 'Maximum',
    unit: 'percent',
    label: CLUSTER,
  },
  {
    title: 'Database connections',
    metric: 'DatabaseConnections',
    statistic: 'Maximum',
    unit: 'short',
    label: CLUSTER,
  },
  {
    title: 'Health status',
    metric: 'HealthStatus',
    statistic: 'Minimum',
    unit: 'short',
    label: CLUSTER,
    description: '1 = healthy, 0 = unhealthy (the cluster did not answer the health check).',
  },
  { title: 'WLM queue length', metric: 'WLMQueueLength', statistic: 'Maximum', unit: 'short', label: QUEUE },
  {
    title: 'WLM queue wait time',
    metric: 'WLMQueueWaitTime',
    statistic: 'Maximum',
    // Milliseconds, as AWS publishes it (WLMQueryDuration is the one in microseconds): as µs, a 30 s wait read
    // "30 ms" (a review).
    unit: 'ms',
    label: QUEUE,
  },
  {
    title: 'WLM running queries',
    metric: 'WLMRunningQueries',
    statistic: 'Maximum',
    unit: 'short',
    label: QUEUE,
  },
  { title: 'Read latency', metric: 'ReadLatency', statistic: 'Average', unit: 's', label: CLUSTER },
  { title: 'Write latency', metric: 'WriteLatency', statistic: 'Average', unit: 's', label: CLUSTER },
];

export function redshiftHealthDashboard(): Record<string, unknown> {
  const builder = guardrailDashboard({
    uid: REDSHIFT_HEALTH_UID,
    title: 'Guardrail / Redshift cluster health',
    description:
      'CPU, disk, connections and WLM queues of Redshift clusters, from CloudWatch (AWS/Redshift).',
    tags: ['redshift', 'aws'],
  })
    .withVariable(cloudwatchVariable())
    .withVariable(textVariable('aws_region', 'Region', 'default'))
    .withVariable(clusterVariable());
  for (const p of PANELS)
    builder.withPanel(cloudwatchPanel('AWS/Redshift', { ClusterIdentifier: '$cluster' }, p));
  return toJson(builder);
}

/** The CloudWatch plugin still reads the legacy string form of its variable queries. */
function clusterVariable(): dashboard.QueryVariableBuilder {
  const query = 'dimension_values($aws_region, AWS/Redshift, CPUUtilization, ClusterIdentifier)';
  return (
    new dashboard.QueryVariableBuilder('cluster')
      .label('Cluster')
      .datasource(CLOUDWATCH)
      .query(query)
      .definition(query)
      .refresh(dashboard.VariableRefresh.OnDashboardLoad)
      .sort(dashboard.VariableSort.AlphabeticalAsc)
      .multi(true)
      .includeAll(true)
      // CloudWatch's dimension wildcard.
      .allValue('*')
      .current({ text: 'All', value: '$__all' })
  );
}
