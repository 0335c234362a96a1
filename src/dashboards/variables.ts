import * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';

type DataSourceRef = dashboard.DataSourceRef;

/** Every Prometheus panel reads from the data source picked in the `datasource` variable. */
export const PROMETHEUS: DataSourceRef = { type: 'prometheus', uid: '${datasource}' };
export const CLOUDWATCH: DataSourceRef = { type: 'cloudwatch', uid: '${cloudwatch}' };
/** Grafana's BigQuery plugin (grafana-bigquery-datasource), whose query model the SDK's `bigquery` package describes. */
export const BIGQUERY: DataSourceRef = { type: 'grafana-bigquery-datasource', uid: '${bigquery}' };

export function prometheusVariable(): dashboard.DatasourceVariableBuilder {
  return new dashboard.DatasourceVariableBuilder('datasource').label('Prometheus').type('prometheus');
}

export function cloudwatchVariable(): dashboard.DatasourceVariableBuilder {
  return new dashboard.DatasourceVariableBuilder('cloudwatch').label('CloudWatch').type('cloudwatch');
}

export function bigqueryVariable(): dashboard.DatasourceVariableBuilder {
  return new dashboard.DatasourceVariableBuilder('bigquery').label('BigQuery').type(BIGQUERY.type ?? '');
}

/** A multi-select over one label of a Guardrail metric (`All` matches every value, including none). */
export function labelVariable(
  name: string,
  metric: string,
  options: { label?: string; filter?: string } = {},
): dashboard.QueryVariableBuilder {
  const query = `label_values(${metric}${options.filter ?? ''}, ${name})`;
  return new dashboard.QueryVariableBuilder(name)
    .label(options.label ?? name)
    .datasource(PROMETHEUS)
    .query(query)
    .definition(query)
    .refresh(dashboard.VariableRefresh.OnTimeRangeChanged)
    .sort(dashboard.VariableSort.AlphabeticalAsc)
    .multi(true)
    .includeAll(true)
    .allValue('.*')
    .current({ text: 'All', value: '$__all' });
}

export function textVariable(name: string, label: string, value: string): dashboard.TextBoxVariableBuilder {
  return new dashboard.TextBoxVariableBuilder(name)
    .label(label)
    .defaultValue(value)
    .current({ text: value, value });
}

/** Hidden from the variable bar; changed by editing the generator, not per viewer. */
export function constantVariable(
  name: string,
  value: string,
  description: string,
): dashboard.ConstantVariableBuilder {
  return new dashboard.ConstantVariableBuilder(name).value(value).description(description);
}

/** The look-back of `increase()` panels: checks run on crons of minutes to hours, so `$__rate_interval` is too short. */
export function windowVariable(): dashboard.IntervalVariableBuilder {
  return new dashboard.IntervalVariableBuilder('window')
    .label('Window')
    .values('15m,1h,6h,1d')
    .current({ text: '1h', value: '1h' })
    .description('Look-back for increase(): at least the longest check schedule.');
}
