import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { CHECKS } from '../../checks/registry';
import { checkKeys } from '../../src/cli/info';

const CLI = join(__dirname, '../../dist/src/cli/main.js');

describe('guardrail checks', () => {
  it.each(CHECKS.map((def) => [def.kind, def] as const))(
    '%s: every config key has a type and a one-line meaning in its schema',
    (_kind, def) => {
      const keys = checkKeys(def);

      expect(keys.map((k) => k.key)).toEqual(Object.keys(def.configSchema.shape));
      expect(keys.filter((k) => !k.description || k.description.includes('\n')).map((k) => k.key)).toEqual(
        [],
      );
      expect(keys.filter((k) => !k.type || k.type === 'any').map((k) => k.key)).toEqual([]);
    },
  );

  it('reads types and defaults from the schema the config is validated with (durations as written)', () => {
    const lambda = CHECKS.find((def) => def.kind === 'lambda-errors')!;

    const keys = Object.fromEntries(checkKeys(lambda).map((k) => [k.key, k]));

    expect(keys.window).toEqual({
      key: 'window',
      type: 'duration',
      required: false,
      default: '15m',
      description: 'look-back window, whole minutes',
    });
    expect(keys.severity).toMatchObject({ type: 'info|warning|critical', default: 'warning' });
    expect(keys.minErrors).toMatchObject({ type: 'integer', default: '5' });
  });

  it('prints each key with its type, default or (required), and meaning', () => {
    const result = spawnSync(process.execPath, [CLI, 'checks'], {
      encoding: 'utf8',
      env: { PATH: process.env.PATH },
    });

    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/^ {4}connection +string \(required\) +a bigquery connection/m);
    expect(result.stdout).toMatch(
      /^ {4}threshold +duration = 1h +a query running longer than this is reported$/m,
    );
  });
});
