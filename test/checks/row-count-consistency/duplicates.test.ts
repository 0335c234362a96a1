import { join } from 'node:path';
import { ConfigError } from '../../../src/config/errors';
import { loadConfig } from '../../../src/config/load';
import { BASE_CONFIG, writeConfigDir } from '../../config/config-files';

function loadError(files: Record<string, string>): ConfigError {
  const dir = writeConfigDir(files);
  try {
    loadConfig(join(dir, 'guardrail.yaml'), {});
  } catch (err) {
    if (err instanceof ConfigError) return err;
    throw err;
  }
  throw new Error('the config loaded');
}

describe('row-count-consistency: a table pair listed twice', () => {
  it('fails validation at load time, naming both indexes and the table', () => {
    const err = loadError({
      'guardrail.yaml': BASE_CONFIG.replace(
        '      - { source: main.users, target: main.users }\n',
        '      - { source: main.users, target: main.users }\n      - { source: main.users, target: main.users_copy }\n',
      ),
    });

    expect(err.issues).toEqual([
      expect.objectContaining({
        checkId: 'users-consistency',
        path: 'checks[0].tables[1]',
        line: 12,
        message:
          "tables[0] and tables[1] both compare 'main.users' (targets main.users and main.users_copy); remove one, or give one a name",
      }),
    ]);
  });

  it('catches a pair of a table file that repeats one listed inline', () => {
    const err = loadError({
      'guardrail.yaml': BASE_CONFIG.replace('    tables:', '    tableFiles: "tables/*.yaml"\n    tables:'),
      'tables/more.yaml':
        '- { source: other.t, target: raw.t }\n- { source: main.users, target: raw.users }\n',
    });

    expect(err.issues.map((i) => i.message)).toEqual([
      "tables[0] and tables[2] both compare 'main.users' (targets main.users and raw.users); remove one, or give one a name",
    ]);
  });

  it('accepts the same source twice under distinct names', () => {
    const dir = writeConfigDir({
      'guardrail.yaml': BASE_CONFIG.replace(
        '      - { source: main.users, target: main.users }\n',
        '      - { source: main.users, target: main.users }\n      - { source: main.users, target: main.users_copy, name: users-copy }\n',
      ),
    });

    expect(loadConfig(join(dir, 'guardrail.yaml'), {}).checks[0]!.tables).toHaveLength(2);
  });
});
