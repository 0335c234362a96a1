import * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';

export interface DashboardMeta {
  /** Stable: Grafana links, bookmarks and alert annotations refer to it. */
  uid: string;
  title: string;
  description: string;
  /** Extra tags beside `guardrail`. */
  tags?: string[];
  /** @default 'now-24h' */
  from?: string;
}

/** A dashboard with Guardrail's common settings and a drop-down to its sibling dashboards. */
export function guardrailDashboard(meta: DashboardMeta): dashboard.DashboardBuilder {
  return new dashboard.DashboardBuilder(meta.title)
    .uid(meta.uid)
    .description(meta.description)
    .tags(['guardrail', ...(meta.tags ?? [])])
    .timezone('browser')
    .time({ from: meta.from ?? 'now-24h', to: 'now' })
    .refresh('5m')
    .tooltip(dashboard.DashboardCursorSync.Crosshair)
    .link(
      new dashboard.DashboardLinkBuilder('Guardrail')
        .type(dashboard.DashboardLinkType.Dashboards)
        .tags(['guardrail'])
        .asDropdown(true)
        .includeVars(false)
        .keepTime(true),
    );
}

interface PanelLike {
  id?: number;
  panels?: PanelLike[];
}

/**
 * The dashboard as plain JSON: the SDK's objects carry marker functions that JSON drops anyway, and
 * panels get ids in layout order so the output is the same on every run.
 */
export function toJson(builder: dashboard.DashboardBuilder): Record<string, unknown> {
  const json = JSON.parse(JSON.stringify(builder.build())) as Record<string, unknown> & {
    panels?: PanelLike[];
  };
  let next = 1;
  const number = (panels: PanelLike[] = []): void => {
    for (const panel of panels) {
      panel.id = next++;
      number(panel.panels);
    }
  };
  number(json.panels);
  return json;
}
