import { generateDashboards } from '../../src/dashboards';
import { type DashboardJson, panelsOf } from './dashboard-json';
import { loadGrafanaSchemas } from './schema';

const schemas = loadGrafanaSchemas();
const dashboards = generateDashboards().map((d) => [d.file, d.json as DashboardJson] as const);
const panels = dashboards.flatMap(([file, d]) =>
  panelsOf(d).map((p) => [`${file} / ${p.title}`, p] as const),
);

describe('generated dashboards against the Grafana JSON schemas', () => {
  it.each(dashboards)('%s is a valid Dashboard', (_file, json) => {
    expect(schemas.validate('dashboard#/definitions/Dashboard', json)).toEqual([]);
  });

  it.each(panels)('%s: options and custom field config match its panel kind', (_name, panel) => {
    const schema = schemas.panelSchema(panel.type);

    expect(schema).toBeDefined();
    expect(schemas.validate(schema!.options, panel.options)).toEqual([]);
    if (schema!.custom)
      expect(schemas.validate(schema!.custom, panel.fieldConfig?.defaults?.custom)).toEqual([]);
  });

  it.each(panels)('%s: every target matches its data source query schema', (_name, panel) => {
    const schema = schemas.querySchema(panel.datasource?.type ?? '');

    expect(schema).toBeDefined();
    expect(panel.targets?.length).toBeGreaterThan(0);
    for (const target of panel.targets ?? []) expect(schemas.validate(schema!, target)).toEqual([]);
  });

  it('gives every dashboard a stable uid, a title and the guardrail tag', () => {
    const summary = dashboards.map(([file, d]) => ({
      file,
      uid: d.uid,
      guardrail: d.tags.includes('guardrail'),
    }));

    expect(summary).toEqual([
      { file: 'guardrail-agent-health.json', uid: 'guardrail-agent-health', guardrail: true },
      { file: 'guardrail-bigquery-cost.json', uid: 'guardrail-bigquery-cost', guardrail: true },
      { file: 'guardrail-data-consistency.json', uid: 'guardrail-data-consistency', guardrail: true },
      { file: 'guardrail-idle-waste.json', uid: 'guardrail-idle-waste', guardrail: true },
      { file: 'guardrail-lambda-health.json', uid: 'guardrail-lambda-health', guardrail: true },
      { file: 'guardrail-redshift-health.json', uid: 'guardrail-redshift-health', guardrail: true },
    ]);
    expect(new Set(dashboards.map(([, d]) => d.title)).size).toBe(dashboards.length);
  });

  it('references only data sources picked by a dashboard variable', () => {
    for (const [, d] of dashboards) {
      const variables = new Set(
        d.templating.list.filter((v) => v.type === 'datasource').map((v) => `\${${v.name}}`),
      );
      for (const p of panelsOf(d)) expect(variables).toContain(p.datasource?.uid);
    }
  });
});
