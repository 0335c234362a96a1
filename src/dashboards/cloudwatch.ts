import * as cloudwatch from '@grafana/grafana-foundation-sdk/cloudwatch';
import type { PanelOptions, Query } from './panels';
import { steps, timeseriesPanel } from './panels';
import { CLOUDWATCH } from './variables';

export interface MetricPanel {
  title: string;
  metric: string;
  statistic: 'Average' | 'Maximum' | 'Minimum' | 'Sum' | 'p99';
  unit?: string;
  description?: string;
  /** Legend, in CloudWatch dynamic-label syntax (`${PROP('Dim.FunctionName')}`). */
  label: string;
}

/** One CloudWatch metric per function/cluster, in the region picked in `$aws_region` (`default` = the data source's). */
export function cloudwatchQuery(namespace: string, dimensions: cloudwatch.Dimensions, p: MetricPanel): Query {
  return (
    new cloudwatch.MetricsQueryBuilder()
      .queryMode(cloudwatch.QueryMode.Metrics)
      .metricQueryType(cloudwatch.MetricQueryType.Search)
      .metricEditorMode(cloudwatch.MetricEditorMode.Builder)
      .region('$aws_region')
      .namespace(namespace)
      .metricName(p.metric)
      .dimensions(dimensions)
      // Not exact: WLM metrics also carry a queue dimension, Lambda metrics a version/alias one.
      .matchExact(false)
      .statistic(p.statistic)
      .label(p.label)
  );
}

export function cloudwatchPanel(
  namespace: string,
  dimensions: cloudwatch.Dimensions,
  p: MetricPanel,
  options: PanelOptions = {},
) {
  return timeseriesPanel(p.title, [cloudwatchQuery(namespace, dimensions, p)], {
    datasource: CLOUDWATCH,
    thresholds: steps(),
    ...(p.unit ? { unit: p.unit } : {}),
    ...(p.description ? { description: p.description } : {}),
    ...options,
  });
}
