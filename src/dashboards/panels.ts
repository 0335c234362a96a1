import type * as cog from '@grafana/grafana-foundation-sdk/cog';
import * as common from '@grafana/grafana-foundation-sdk/common';
import * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import * as prometheus from '@grafana/grafana-foundation-sdk/prometheus';
import * as stat from '@grafana/grafana-foundation-sdk/stat';
import * as table from '@grafana/grafana-foundation-sdk/table';
import * as timeseries from '@grafana/grafana-foundation-sdk/timeseries';
import { PROMETHEUS } from './variables';

/** Any query builder of the SDK (Prometheus, CloudWatch, BigQuery): they all take a `refId`. */
export type Query = cog.Builder<cog.Dataquery> & { refId(refId: string): unknown };
type Threshold = dashboard.Threshold;

export interface PanelOptions {
  description?: string;
  unit?: string;
  /** Grid width out of 24. */
  width?: number;
  height?: number;
  /** Green below the first step; defaults to plain green. */
  thresholds?: Threshold[];
  /** @default PROMETHEUS */
  datasource?: dashboard.DataSourceRef;
}

const REF_IDS = 'ABCDEFGHIJ';

/** A range query; `legend` uses Prometheus `{{label}}` templating. */
export function promQuery(expr: string, legend = ''): prometheus.DataqueryBuilder {
  return new prometheus.DataqueryBuilder().expr(expr).legendFormat(legend).range();
}

/** An instant query in table format, for table panels (one row per series). */
export function promTable(expr: string): prometheus.DataqueryBuilder {
  return new prometheus.DataqueryBuilder().expr(expr).format(prometheus.PromQueryFormat.Table).instant();
}

/** Threshold steps from a base colour and `[value, colour]` pairs. */
export function steps(...pairs: [number, string][]): Threshold[] {
  return [{ value: null, color: 'green' }, ...pairs.map(([value, color]) => ({ value, color }))];
}

export function timeseriesPanel(
  title: string,
  queries: Query[],
  options: PanelOptions & { stacked?: boolean } = {},
) {
  const panel = new timeseries.PanelBuilder()
    .legend(
      new common.VizLegendOptionsBuilder()
        .showLegend(true)
        .displayMode(common.LegendDisplayMode.Table)
        .placement(common.LegendPlacement.Right)
        .calcs(['lastNotNull', 'max']),
    )
    .tooltip(
      new common.VizTooltipOptionsBuilder()
        .mode(common.TooltipDisplayMode.Multi)
        .sort(common.SortOrder.Descending),
    )
    .fillOpacity(options.stacked ? 40 : 10)
    .lineWidth(1)
    .spanNulls(true);
  if (options.stacked) panel.stacking(new common.StackingConfigBuilder().mode(common.StackingMode.Normal));
  return finish(panel, title, queries, { width: 12, height: 8, ...options });
}

export function statPanel(title: string, query: Query, options: PanelOptions = {}) {
  const panel = new stat.PanelBuilder()
    .graphMode(common.BigValueGraphMode.Area)
    .colorMode(common.BigValueColorMode.Value)
    .reduceOptions(new common.ReduceDataOptionsBuilder().calcs(['lastNotNull']).values(false))
    .noValue('0');
  return finish(panel, title, [query], { width: 6, height: 4, ...options });
}

export interface TableOptions extends PanelOptions {
  /** Columns to hide besides Time and __name__. */
  hide?: string[];
  /** Column titles by field name (`Value #A` is query A's value when a panel has several queries). */
  rename?: Record<string, string>;
}

export function tablePanel(title: string, queries: Query[], options: TableOptions = {}) {
  const panel = new table.PanelBuilder().cellHeight(common.TableCellHeight.Sm).filterable(true);
  // Instant queries return a Time column and __name__; neither means anything in a snapshot table.
  panel.withTransformation({
    id: 'organize',
    options: {
      excludeByName: Object.fromEntries(['Time', '__name__', ...(options.hide ?? [])].map((f) => [f, true])),
      ...(options.rename ? { renameByName: options.rename } : {}),
    },
  });
  if (queries.length > 1) panel.withTransformation({ id: 'merge', options: {} });
  return finish(panel, title, queries, { width: 24, height: 8, ...options });
}

interface CommonPanelBuilder {
  title(title: string): this;
  description(description: string): this;
  datasource(datasource: dashboard.DataSourceRef): this;
  targets(targets: Query[]): this;
  unit(unit: string): this;
  span(w: number): this;
  height(h: number): this;
  thresholds(thresholds: cog.Builder<dashboard.ThresholdsConfig>): this;
}

function finish<P extends CommonPanelBuilder>(
  panel: P,
  title: string,
  queries: Query[],
  options: PanelOptions,
): P {
  queries.forEach((q, i) => q.refId(REF_IDS[i] ?? `Q${i}`));
  panel
    .title(title)
    .datasource(options.datasource ?? PROMETHEUS)
    .targets(queries)
    .span(options.width ?? 12)
    .height(options.height ?? 8)
    .thresholds(
      new dashboard.ThresholdsConfigBuilder()
        .mode(dashboard.ThresholdsMode.Absolute)
        .steps(options.thresholds ?? steps()),
    );
  if (options.description) panel.description(options.description);
  if (options.unit) panel.unit(options.unit);
  return panel;
}
