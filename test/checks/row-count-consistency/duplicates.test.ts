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
  it('fails validation at load time, naming the table, both targets and where the first one stands', () => {
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
        message: expect.stringMatching(
          /^'main\.users' is compared twice \(targets main\.users and main\.users_copy\); remove one, or give one a name; also at .*guardrail\.yaml:11$/,
        ),
      }),
    ]);
  });

  it('catches a pair of a table file that repeats one listed inline, located in that file', () => {
    const err = loadError({
      'guardrail.yaml': BASE_CONFIG.replace('    tables:', '    tableFiles: "tables/*.yaml"\n    tables:'),
      'tables/more.yaml':
        '- { source: other.t, target: raw.t }\n- { source: main.users, target: raw.users }\n',
    });

    expect(err.issues).toEqual([
      expect.objectContaining({
        file: expect.stringMatching(/tables\/more\.yaml$/),
        line: 2,
        message: expect.stringMatching(
          /^'main\.users' is compared twice \(targets main\.users and raw\.users\); remove one, or give one a name; also at .*guardrail\.yaml:\d+$/,
        ),
      }),
    ]);
  });

  it('locates both of a pair listed twice in one table file in that file (analysts never see the merged list)', () => {
    const err = loadError({
      'guardrail.yaml': BASE_CONFIG.replace('    tables:', '    tableFiles: "tables/*.yaml"\n    tables:'),
      'tables/more.yaml':
        '# one line per table\n- { source: other.t, target: raw.t }\n- { source: other.u, target: raw.u }\n- { source: other.t, target: raw.t }\n',
    });

    expect(err.issues).toEqual([
      expect.objectContaining({
        file: expect.stringMatching(/tables\/more\.yaml$/),
        line: 4,
        path: '[2]',
        message: expect.stringMatching(/^'other\.t' is compared twice .*; also at .*tables\/more\.yaml:2$/),
      }),
    ]);
  });

  // A review: both were counted, and one drift fired two critical alerts.
  it('catches a table listed again in other letter case', () => {
    const err = loadError({
      'guardrail.yaml': BASE_CONFIG.replace('    tables:', '    tableFiles: "tables/*.yaml"\n    tables:'),
      'tables/more.yaml': '- { source: MAIN.Users, target: main.users }\n',
    });

    expect(err.issues).toEqual([
      expect.objectContaining({
        file: expect.stringMatching(/tables\/more\.yaml$/),
        line: 1,
        message: expect.stringMatching(
          /^'main\.users' and 'MAIN\.Users' differ only in letter case \(targets main\.users and main\.users\): most databases read them as one table, compared twice; remove one, or give one a name; also at .*guardrail\.yaml:\d+$/,
        ),
      }),
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

// A review: a second check given the same tables glob was accepted without a word, and each drift alerted twice.
it('warns when two enabled checks compare the same tables between the same connections', () => {
  const second =
    '  - { id: users-hourly, kind: row-count-consistency, source: src, target: dst, tables: [{ source: MAIN.USERS, target: main.users }, { source: main.other, target: main.other }] }\n' +
    '  - { id: elsewhere, kind: row-count-consistency, source: dst, target: src, tables: [{ source: main.users, target: main.users }] }\n' +
    '  - { id: off, kind: row-count-consistency, enabled: false, source: src, target: dst, tables: [{ source: main.users, target: main.users }] }\n';
  const dir = writeConfigDir({ 'guardrail.yaml': BASE_CONFIG.replace('alerts:', `${second}alerts:`) });

  const config = loadConfig(join(dir, 'guardrail.yaml'), {});

  expect(config.warnings).toEqual([
    "checks 'users-consistency' and 'users-hourly' both watch one thing (src → dst: main.users): one fault fires an alert in each",
  ]);
});
