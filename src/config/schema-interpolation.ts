// The config's JSON Schema (`guardrail schema`, for editors) as the config file may be written: zod's output says
// what the values are after interpolation and coercion, not how they may be spelt before.

type JsonSchema = { [keyword: string]: unknown };

/**
 * A string holding a `${VAR}` or `${VAR:-default}` reference, matched where interpolate.ts would: after an even
 * run of `$` (`$$` is a literal `$`). Its value is only known at load time, so it may stand for any value.
 */
const REFERENCE = { type: 'string', pattern: /(^|[^$])(\$\$)*\$\{[A-Za-z_][A-Za-z0-9_]*(:-[^}]*)?\}/.source };
/**
 * The strings that coerce.ts turns into a number for a field that wants one, narrowed where a pattern can say it:
 * whole numbers for an integer, no minus sign where the minimum is 0 or more. A maximum is not checked in text.
 */
function numberText(schema: JsonSchema): JsonSchema {
  const min = [schema.minimum, schema.exclusiveMinimum].find((m) => typeof m === 'number') as
    number | undefined;
  const sign = min !== undefined && min >= 0 ? '' : '-?';
  const fraction = schema.type === 'integer' ? '' : '(\\.\\d+)?([eE][+-]?\\d+)?';
  return { type: 'string', pattern: `^\\s*${sign}\\d+${fraction}\\s*$` };
}
const BOOLEAN_TEXT = { type: 'string', pattern: /^\s*(true|false)\s*$/.source };

/**
 * Formats that JSON Schema 2020-12 defines; zod's own (`starts_with`, `includes`...) are dropped, the `pattern`
 * zod emits beside them says the same. @see https://json-schema.org/draft/2020-12/json-schema-validation#section-7.3
 */
const STANDARD_FORMATS = new Set(
  `date-time date time duration email idn-email hostname idn-hostname ipv4 ipv6 uri uri-reference iri
  iri-reference uuid uri-template json-pointer relative-json-pointer regex`.split(/\s+/),
);
// Not minLength: a reference is at least 4 characters, more than any minLength asks for.
const STRING_CONSTRAINTS = ['const', 'enum', 'format', 'pattern', 'maxLength', 'allOf'];
const ANNOTATIONS = new Set(['title', 'description', 'default', 'examples', 'deprecated']);
const SCHEMA_MAPS = new Set(['properties', 'patternProperties', '$defs', 'dependentSchemas']);
const SCHEMA_LISTS = new Set(['allOf', 'anyOf', 'oneOf', 'prefixItems']);
const SUBSCHEMAS = new Set('items additionalProperties propertyNames contains not if then else'.split(' '));

/**
 * Lets every constrained value also be written as the config file may write it: as a `${VAR}` reference
 * (interpolated before validation), and a number or boolean as text (see coerce.ts). Drops zod's non-standard
 * formats. Discriminators (`kind`, `type` in a oneOf branch) stay literal, so that editors still pick the branch.
 */
export function admitInterpolation(schema: unknown, discriminated = false): unknown {
  if (!isSchemaObject(schema)) return schema;
  const walked: JsonSchema = {};
  for (const [keyword, value] of Object.entries(schema)) {
    if (SCHEMA_MAPS.has(keyword) && isSchemaObject(value)) {
      walked[keyword] = Object.fromEntries(
        Object.entries(value).map(([key, sub]) => [
          key,
          discriminated && isSchemaObject(sub) && 'const' in sub ? sub : admitInterpolation(sub),
        ]),
      );
    } else if (SCHEMA_LISTS.has(keyword) && Array.isArray(value)) {
      walked[keyword] = value.map((sub) => admitInterpolation(sub, keyword === 'oneOf'));
    } else if (SUBSCHEMAS.has(keyword)) {
      walked[keyword] = admitInterpolation(value);
    } else if (keyword !== 'format' || STANDARD_FORMATS.has(value as string)) {
      walked[keyword] = value;
    }
  }
  const texts = textsFor(walked);
  if (!texts) return walked;
  const annotations = Object.entries(walked).filter(([keyword]) => ANNOTATIONS.has(keyword));
  const constraints = Object.entries(walked).filter(([keyword]) => !ANNOTATIONS.has(keyword));
  return { ...Object.fromEntries(annotations), anyOf: [Object.fromEntries(constraints), ...texts] };
}

/** The strings a value of `schema` may also be written as, or undefined when a plain string already fits. */
function textsFor(schema: JsonSchema): JsonSchema[] | undefined {
  // A literal number or boolean is compared, never coerced, and an interpolated value is always text.
  if ('const' in schema && schema.type !== 'string') return undefined;
  if (schema.type === 'number' || schema.type === 'integer') return [numberText(schema), REFERENCE];
  if (schema.type === 'boolean') return [BOOLEAN_TEXT, REFERENCE];
  if (schema.type === 'string' && STRING_CONSTRAINTS.some((keyword) => keyword in schema)) return [REFERENCE];
  return undefined;
}

function isSchemaObject(value: unknown): value is JsonSchema {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
