import { join } from 'node:path';
import { loadConfig } from '../../src/config/load';
import { configJsonSchema } from '../../src/config/schema';
import { BASE_CONFIG, PRODUCTION_SECRETS, writeConfigDir } from './config-files';

const withFor = (value: string) =>
  BASE_CONFIG.replace('    source: src', `    for: ${value}\n    source: src`);

const load = (text: string) =>
  loadConfig(join(writeConfigDir({ 'guardrail.yaml': text }), 'guardrail.yaml'), {});

describe("a check's for: key", () => {
  it.each([
    ['2 runs', { runs: 2 }],
    ['1 run', { runs: 1 }],
    ['30m', { ms: 30 * 60_000 }],
    ['1h30m', { ms: 90 * 60_000 }],
    ['0', undefined],
    ['0 runs', undefined],
    ['0s', undefined],
  ])('reads for: %s as %j', (value, expected) => {
    const [check] = load(withFor(value)).checks;

    expect(check?.pendingFor).toEqual(expected);
    expect(check).not.toHaveProperty('for');
  });

  it('takes defaults.for unless the check sets its own (for: 0 notifies at once)', () => {
    const withDefault = (text: string) => `defaults: { for: 3 runs }\n${text}`;

    expect(load(withDefault(BASE_CONFIG)).checks[0]?.pendingFor).toEqual({ runs: 3 });
    expect(load(withDefault(withFor('30m'))).checks[0]?.pendingFor).toEqual({ ms: 30 * 60_000 });
    expect(load(withDefault(withFor('0'))).checks[0]).not.toHaveProperty('pendingFor');
  });

  it('leaves a check without for: notifying at once', () => {
    expect(load(BASE_CONFIG).checks[0]).not.toHaveProperty('pendingFor');
  });

  it('rejects anything else at its location, naming the accepted forms', () => {
    expect(() => load(withFor('two runs'))).toThrow(
      /:8:\d+ checks\[0\]\.for \(check users-consistency\): 'two runs' is not a for: expected e\.g\. 2 runs/,
    );
  });

  it('is set on the production example drift check that windows on a mutable column', () => {
    const config = loadConfig(
      join(__dirname, '../../examples/production/guardrail.yaml'),
      PRODUCTION_SECRETS,
    );

    expect(config.checks.find((c) => c.id === 'game1-consistency')?.pendingFor).toEqual({ runs: 2 });
  });

  it('is described in the JSON Schema for editors', () => {
    expect(JSON.stringify(configJsonSchema())).toContain(
      'How long a new finding must persist before it notifies',
    );
  });
});
