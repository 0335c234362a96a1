import * as z from '../core/zod';
import { CHECKS } from '../../checks/registry';
import type { AnyCheckDefinition } from '../../checks/types';
import { configJsonSchema } from '../config/schema';
import { formatDuration } from '../core/duration';

/** One config key of a check kind, as `guardrail checks` shows it. */
export interface CheckKey {
  key: string;
  /** `number`, `string[]`, `info|warning|critical`, ... as written in YAML. */
  type: string;
  required: boolean;
  /** The default, as written in YAML (durations as `1h`); undefined when none. */
  default?: string;
  /** The key's `.describe()` in the check's schema; empty when it has none (a test forbids that). */
  description: string;
}

interface JsonSchema {
  type?: string | string[];
  enum?: unknown[];
  const?: unknown;
  items?: JsonSchema;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  default?: unknown;
  description?: string;
  properties?: Record<string, JsonSchema>;
  required?: string[];
}

/** Each key's type, default and meaning, from the zod schema the config is validated with (its input side). */
export function checkKeys(def: AnyCheckDefinition): CheckKey[] {
  const schema = z.toJSONSchema(def.configSchema, { io: 'input', unrepresentable: 'any' }) as JsonSchema;
  const required = new Set(schema.required ?? []);
  return Object.entries(schema.properties ?? {}).map(([key, prop]) => {
    // The input side drops a default of another type than its input: a duration's, kept in milliseconds.
    const fallback = prop.default ?? defaultOf(def.configSchema.shape[key]);
    const duration = typeOf(prop) === 'string' && typeof fallback === 'number';
    const type = duration ? 'duration' : typeOf(prop);
    return {
      key,
      type,
      required: required.has(key) && fallback === undefined,
      ...(fallback === undefined ? {} : { default: formatDefault(fallback, type) }),
      description: prop.description ?? '',
    };
  });
}

function typeOf(prop: JsonSchema): string {
  if (prop.enum) return prop.enum.map(String).join('|');
  if (prop.const !== undefined) return JSON.stringify(prop.const);
  const options = prop.anyOf ?? prop.oneOf;
  if (options) return [...new Set(options.map(typeOf))].join(' | ');
  if (prop.type === 'array') return `${prop.items ? typeOf(prop.items) : 'any'}[]`;
  if (Array.isArray(prop.type)) return prop.type.join(' | ');
  return prop.type === 'integer' ? 'integer' : (prop.type ?? 'any');
}

function defaultOf(schema: unknown): unknown {
  return schema instanceof z.ZodDefault ? (schema.def.defaultValue as unknown) : undefined;
}

/** Durations are strings in YAML (`15m`) but their defaults are kept in milliseconds. */
function formatDefault(value: unknown, type: string): string {
  if (typeof value === 'number' && type === 'duration') return formatDuration(value);
  return typeof value === 'string' ? value : JSON.stringify(value);
}

export async function checksCommand(): Promise<void> {
  const lines: string[] = [];
  for (const def of CHECKS) {
    const keys = checkKeys(def);
    const width = Math.max(...keys.map((k) => k.key.length));
    const types = keys.map(
      (k) => `${k.type}${k.required ? ' (required)' : k.default ? ` = ${k.default}` : ''}`,
    );
    const typeWidth = Math.max(...types.map((t) => t.length));
    lines.push(def.kind, `  ${def.description}`);
    keys.forEach((k, i) =>
      lines.push(`    ${k.key.padEnd(width)}  ${types[i]!.padEnd(typeWidth)}  ${k.description}`.trimEnd()),
    );
    lines.push('');
  }
  process.stdout.write(`${lines.join('\n')}`);
}

export async function schemaCommand(): Promise<void> {
  process.stdout.write(`${JSON.stringify(configJsonSchema(), null, 2)}\n`);
}
