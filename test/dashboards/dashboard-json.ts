/** The parts of Grafana dashboard JSON the tests walk. */
export interface PanelJson {
  type: string;
  title?: string;
  datasource?: { type?: string; uid?: string };
  options?: unknown;
  fieldConfig?: { defaults?: { custom?: unknown } };
  targets?: Record<string, unknown>[];
  panels?: PanelJson[];
}

export interface DashboardJson {
  uid: string;
  title: string;
  tags: string[];
  panels: PanelJson[];
  templating: { list: { name: string; type: string; query?: unknown; datasource?: { type?: string } }[] };
}

/** Top-level panels and those nested in collapsed rows, rows excluded. */
export function panelsOf(dashboard: DashboardJson): PanelJson[] {
  return dashboard.panels.flatMap((p) => (p.type === 'row' ? (p.panels ?? []) : [p]));
}
