import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';

/** Grafana's JSON Schemas (grafana-foundation-sdk `jsonschema/`, Apache-2.0): see schemas/README.md. */
const SCHEMA_DIR = join(__dirname, 'schemas');

/** Panel types → their options / `fieldConfig.defaults.custom` schemas (stat has no custom field config). */
const PANEL_SCHEMAS: Record<string, { options: string; custom?: string }> = {
  stat: { options: 'stat#/definitions/Options' },
  table: { options: 'table#/definitions/Options', custom: 'table#/definitions/FieldConfig' },
  timeseries: { options: 'timeseries#/definitions/Options', custom: 'timeseries#/definitions/FieldConfig' },
};
/** Datasource plugin types → their query schema. */
const QUERY_SCHEMAS: Record<string, string> = {
  prometheus: 'prometheus#/definitions/Dataquery',
  cloudwatch: 'cloudwatch#/definitions/MetricsQuery',
  'grafana-bigquery-datasource': 'bigquery#/definitions/Dataquery',
};

export interface GrafanaSchemas {
  /** Errors as `path: message`, empty when valid. */
  validate(ref: string, value: unknown): string[];
  panelSchema(type: string): { options: string; custom?: string } | undefined;
  querySchema(datasourceType: string): string | undefined;
}

/** Every schema file registered under its base name (`dashboard`, `stat`, ...), so `name#/definitions/X` resolves. */
export function loadGrafanaSchemas(): GrafanaSchemas {
  const ajv = new Ajv({ allErrors: true, strict: false, formats: { 'date-time': true } });
  for (const file of readdirSync(SCHEMA_DIR)
    .filter((f) => f.endsWith('.jsonschema.json'))
    .sort()) {
    const schema = dedupeEnums(JSON.parse(readFileSync(join(SCHEMA_DIR, file), 'utf8')));
    ajv.addSchema(schema as object, file.replace('.jsonschema.json', ''));
  }
  const compiled = new Map<string, ValidateFunction>();
  return {
    validate(ref, value) {
      let fn = compiled.get(ref);
      if (!fn) {
        fn = ajv.getSchema(ref);
        if (!fn) throw new Error(`no schema ${ref}`);
        compiled.set(ref, fn);
      }
      return fn(value) ? [] : (fn.errors ?? []).map(describe);
    },
    panelSchema: (type) => PANEL_SCHEMAS[type],
    querySchema: (type) => QUERY_SCHEMAS[type],
  };
}

/**
 * common's `ScaleDirection` is generated from a TS enum with aliased members (`enum: [1, 1, -1, -1]`), which
 * draft-07 forbids; ajv refuses the whole file. Dropping the repeats keeps the meaning.
 */
function dedupeEnums(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(dedupeEnums);
  if (!node || typeof node !== 'object') return node;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(node)) {
    out[key] = key === 'enum' && Array.isArray(value) ? [...new Set(value)] : dedupeEnums(value);
  }
  return out;
}

function describe(e: ErrorObject): string {
  const extra =
    e.params && 'additionalProperty' in e.params ? ` (${String(e.params.additionalProperty)})` : '';
  return `${e.instancePath || '/'}: ${e.message ?? e.keyword}${extra}`;
}
