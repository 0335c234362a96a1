import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';

/** A property or schema as Google's discovery format describes it. */
interface DiscoveryType {
  type?: string;
  $ref?: string;
  format?: string;
  enum?: string[];
  items?: DiscoveryType;
  properties?: Record<string, DiscoveryType>;
  additionalProperties?: DiscoveryType;
  readOnly?: boolean;
}

export const DISCOVERY_PATH = resolve(__dirname, '../../fixtures/google-chat/chat-v1-discovery.json');

const INT32 = 2 ** 31;

/**
 * A validator built from the Chat discovery document: unknown fields are errors (Chat answers 400
 * "Unknown name"), as are wrong types, values outside an enum, out-of-range int32s and output-only fields.
 */
export function discoveryValidator(path = DISCOVERY_PATH): (value: unknown, schema?: string) => string[] {
  const schemas = (JSON.parse(readFileSync(path, 'utf8')) as { schemas: Record<string, DiscoveryType> })
    .schemas;
  return (value, schema = 'Message') => {
    const errors: string[] = [];
    check(value, { $ref: schema }, '$', errors, schemas);
    return errors;
  };
}

function check(
  value: unknown,
  type: DiscoveryType,
  at: string,
  errors: string[],
  schemas: Record<string, DiscoveryType>,
): void {
  if (type.$ref) {
    const target = schemas[type.$ref];
    if (!target) return void errors.push(`${at}: unknown schema ${type.$ref}`);
    return check(value, target, at, errors, schemas);
  }
  switch (type.type) {
    case 'string':
      if (typeof value !== 'string') return void errors.push(`${at}: expected string, got ${kind(value)}`);
      if (type.enum && !type.enum.includes(value))
        errors.push(`${at}: '${value}' is not one of ${type.enum.join('|')}`);
      return;
    case 'integer':
      if (!Number.isInteger(value)) return void errors.push(`${at}: expected integer, got ${kind(value)}`);
      if (type.format === 'int32' && Math.abs(value as number) >= INT32)
        errors.push(`${at}: out of int32 range`);
      return;
    case 'number':
      if (typeof value !== 'number' || !Number.isFinite(value))
        errors.push(`${at}: expected number, got ${kind(value)}`);
      return;
    case 'boolean':
      if (typeof value !== 'boolean') errors.push(`${at}: expected boolean, got ${kind(value)}`);
      return;
    case 'array':
      if (!Array.isArray(value)) return void errors.push(`${at}: expected array, got ${kind(value)}`);
      value.forEach((v, i) => check(v, type.items ?? {}, `${at}[${i}]`, errors, schemas));
      return;
    case 'object':
      return checkObject(value, type, at, errors, schemas);
    default:
      if (type.type !== 'any') errors.push(`${at}: schema has unsupported type ${String(type.type)}`);
  }
}

function checkObject(
  value: unknown,
  type: DiscoveryType,
  at: string,
  errors: string[],
  schemas: Record<string, DiscoveryType>,
): void {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return void errors.push(`${at}: expected object, got ${kind(value)}`);
  }
  for (const [key, v] of Object.entries(value)) {
    const prop = type.properties?.[key] ?? type.additionalProperties;
    if (!prop) {
      errors.push(`${at}.${key}: unknown field`);
      continue;
    }
    if (prop.readOnly) errors.push(`${at}.${key}: output only`);
    check(v, prop, `${at}.${key}`, errors, schemas);
  }
}

function kind(value: unknown): string {
  return Array.isArray(value) ? 'array' : value === null ? 'null' : typeof value;
}
