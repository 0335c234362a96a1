import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv2020 from 'ajv/dist/2020';
import { Document, parse } from 'yaml';
import { ConfigError } from '../../src/config/errors';
import { interpolate } from '../../src/config/interpolate';
import { loadConfig } from '../../src/config/load';
import { configJsonSchema } from '../../src/config/schema';
import { BASE_CONFIG, writeConfigDir } from './config-files';

const isUrl = (text: string) => URL.canParse(text);
// Strict (ajv's default): compiling fails on a format ajv was not given, and on a schema that breaks 2020-12.
const validate = new Ajv2020({ allErrors: true, formats: { uri: isUrl } }).compile(
  configJsonSchema() as object,
);

const schemaAccepts = (text: string) => validate(parse(text));
const ENV = { RUN_ON_START: 'false' };
const toolAccepts = (text: string) => {
  try {
    loadConfig(join(writeConfigDir({ 'guardrail.yaml': text }), 'guardrail.yaml'), ENV);
    return true;
  } catch (error) {
    if (error instanceof ConfigError) return false;
    throw error;
  }
};

/** The names `interpolate` looks up in `text`, i.e. the `${VAR}` references it sees there. */
function variablesIn(text: string): string[] {
  const names: string[] = [];
  const env = new Proxy({}, { get: (_, name) => void names.push(String(name)) });
  interpolate(new Document({ value: text }), env);
  return names;
}

const at = (node: unknown, ...keys: string[]): unknown =>
  keys.reduce((parent, key) => (parent as Record<string, unknown>)[key], node);

function formatsIn(node: unknown): string[] {
  if (!node || typeof node !== 'object') return [];
  const own = 'format' in node && typeof node.format === 'string' ? [node.format] : [];
  return [...new Set([...own, ...Object.values(node).flatMap(formatsIn)])].sort();
}

describe('the JSON Schema for editors', () => {
  it.each(['production', 'quickstart'])('admits the %s example as written, ${VAR}s and all', (example) => {
    const text = readFileSync(join(__dirname, '../../examples', example, 'guardrail.yaml'), 'utf8');

    expect(schemaAccepts(text)).toBe(true);
    expect(validate.errors).toBeNull();
  });

  it.each([
    ["server: { port: '${PORT:-9464}' }", true],
    ['server: { port: 9464 }', true],
    ["server: { port: ' 9464 ' }", true],
    ["server: { port: '-1' }", false],
    ["server: { port: '80.5' }", false],
    ['server: { port: abc }', false],
    ["server: { port: '+9464' }", false],
    ["server: { port: '$${PORT}' }", false],
    ['server: { port: -1 }', false],
    ["server: { runOnStart: '${RUN_ON_START}' }", true],
    ["server: { runOnStart: ' false ' }", true],
    ["server: { runOnStart: 'True' }", false],
    ["aws: { endpoint: '${AWS_ENDPOINT_URL:-}' }", true],
    ["aws: { endpoint: 'localhost 4566' }", false],
    ["aws: { regions: '${AWS_REGIONS:-all}' }", true],
    ["aws: { accounts: [{ id: '123456789012', roleArn: 'arn:aws:iam::123456789012:role/r' }] }", true],
    ["aws: { accounts: [{ id: '123456789012', roleArn: 'iam::123456789012:role/r' }] }", false],
  ])('agrees with validate on %s (valid: %s)', (snippet, valid) => {
    const text = `${snippet}\n${BASE_CONFIG}`;

    expect({ schema: schemaAccepts(text), tool: toolAccepts(text) }).toEqual({ schema: valid, tool: valid });
  });

  it.each([
    // validate turns '9.464e3' into 9464 and checks the range after; a pattern can say neither, so the schema
    // asks integers to look like one and leaves the maximum to validate.
    ["server: { port: '9.464e3' }", { schema: false, tool: true }],
    ["server: { port: '99999' }", { schema: true, tool: false }],
  ])('differs from validate only where a text pattern cannot follow: %s', (snippet, expected) => {
    const text = `${snippet}\n${BASE_CONFIG}`;

    expect({ schema: schemaAccepts(text), tool: toolAccepts(text) }).toEqual(expected);
  });

  it.each([
    ['${ON}', true],
    ['${ON:-true}', true],
    ['${ON:-}', true],
    ['x${ON}y', true],
    ['$$${ON}', true],
    ['$${ON}', false],
    ['${1ON}', false],
    ['$ON', false],
  ])('sees a reference in %j exactly where interpolation does (%s)', (value, reference) => {
    const seen = schemaAccepts(JSON.stringify({ server: { runOnStart: value } }));

    expect({ schema: seen, interpolation: variablesIn(value).length > 0 }).toEqual({
      schema: reference,
      interpolation: reference,
    });
  });

  it('keeps check kinds and connection types literal, so that an editor still picks the branch by them', () => {
    const schema = configJsonSchema();

    expect(at(schema, 'properties', 'checks', 'items', 'oneOf', '0', 'properties', 'kind')).toEqual({
      type: 'string',
      const: 'bigquery-expensive-queries',
    });
    expect(
      at(schema, 'properties', 'connections', 'additionalProperties', 'oneOf', '0', 'properties', 'type'),
    ).toEqual({
      type: 'string',
      const: 'mysql',
    });
  });

  it("uses only formats JSON Schema defines, and states roleArn's prefix as a pattern", () => {
    const schema = configJsonSchema();
    const accounts = at(schema, 'properties', 'aws', 'properties', 'accounts', 'items', 'properties');

    expect(formatsIn(schema)).toEqual(['uri']);
    expect(at(accounts, 'roleArn')).toEqual({
      anyOf: [
        { type: 'string', pattern: '^arn:aws.*' },
        { type: 'string', pattern: expect.stringContaining('\\$\\{') },
      ],
    });
  });
});
