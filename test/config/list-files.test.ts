import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { MAX_GLOB_ENTRIES } from '../../src/config/glob';
import { loadConfig } from '../../src/config/load';
import { BASE_CONFIG, writeConfigDir } from './config-files';

const WITH_TABLE_FILES = BASE_CONFIG.replace('    tables:', '    tableFiles: "tables/*.yaml"\n    tables:');

describe('table mapping files (tableFiles)', () => {
  it('appends the pairs of every matching file, as a list or under tables:, to the check at load time', () => {
    const dir = writeConfigDir({
      'guardrail.yaml': WITH_TABLE_FILES,
      'tables/game1.yaml': '- { source: game1.users, target: raw.users }\n',
      'tables/game2.yaml': 'tables:\n  - { source: game2.users, target: raw.users2 }\n',
      'tables/notes.txt': 'not yaml',
    });

    const config = loadConfig(join(dir, 'guardrail.yaml'), {});

    expect(config.checks[0]!.tables).toEqual([
      { source: 'main.users', target: 'main.users' },
      { source: 'game1.users', target: 'raw.users' },
      { source: 'game2.users', target: 'raw.users2' },
    ]);
  });

  it('resolves the globs against the folder of the file that defines the check', () => {
    const dir = writeConfigDir({
      'guardrail.yaml': `include: [teams/a/checks.yaml]\n${BASE_CONFIG}`,
      'teams/a/checks.yaml':
        'checks:\n  - { id: team-a, kind: row-count-consistency, source: src, target: dst, tableFiles: "tables/*.yaml" }\n',
      'teams/a/tables/t.yaml': '- { source: a.b, target: c.d }\n',
    });

    const config = loadConfig(join(dir, 'guardrail.yaml'), {});

    expect(config.checks.find((c) => c.id === 'team-a')!.tables).toEqual([{ source: 'a.b', target: 'c.d' }]);
  });

  it.each([
    [
      'a bad table name',
      '- { source: game1.users, target: raw.users }\n- source: users\n  target: raw.users\n',
      /tables\/x\.yaml:2:11 \[1\]\.source \(check users-consistency\): table name must be schema\.table/,
    ],
    [
      'an unknown key',
      'tables:\n  - { source: a.b, target: c.d, colour: red }\n',
      /tables\/x\.yaml:2:41 tables\[0\]\.colour \(check users-consistency\): unknown key 'colour'/,
    ],
    [
      'a misspelt required key',
      '- { source: a.b, target: c.d }\n- source: e.f\n  targte: g.h\n',
      /tables\/x\.yaml:2:3 \[1\]\.target \(check users-consistency\): missing required key 'target'\n.*tables\/x\.yaml:3:11 \[1\]\.targte \(check users-consistency\): unknown key 'targte'$/,
    ],
    [
      'broken YAML',
      '- { source: a.b, target: c.d\n',
      /tables\/x\.yaml:\d+:\d+ \(check users-consistency\): YAML syntax: /,
    ],
    [
      // A review: window and tolerance here applied to no table, without a word.
      'a key beside tables:',
      'window: { column: updatd_at, size: 1h }\ntables:\n  - { source: a.b, target: c.d }\n',
      /tables\/x\.yaml:1:1 window \(check users-consistency\): unknown key 'window': a file of tables is a list, or a mapping with only 'tables:'/,
    ],
    [
      'a mapping without tables',
      'pairs: []\n',
      /tables\/x\.yaml:1:1 \(check users-consistency\): expected a list of tables/,
    ],
  ])('names the file, line and key for %s', (_what, text, message) => {
    const dir = writeConfigDir({ 'guardrail.yaml': WITH_TABLE_FILES, 'tables/x.yaml': text });

    expect(() => loadConfig(join(dir, 'guardrail.yaml'), {})).toThrow(message);
  });

  it('fails at the tableFiles key when its glob matches no file', () => {
    const dir = writeConfigDir({ 'guardrail.yaml': WITH_TABLE_FILES });

    expect(() => loadConfig(join(dir, 'guardrail.yaml'), {})).toThrow(
      /guardrail\.yaml:10:17 checks\[0\]\.tableFiles \(check users-consistency\): no file matches "tables\/\*\.yaml"/,
    );
  });

  it('takes YAML merge keys, as Kubernetes and Compose files use them', () => {
    const dir = writeConfigDir({
      'guardrail.yaml': WITH_TABLE_FILES,
      'tables/x.yaml':
        '- &hourly { source: a.b, target: c.d, window: { column: updated_at, size: 1h } }\n- { <<: *hourly, source: e.f, target: g.h }\n',
    });

    expect(loadConfig(join(dir, 'guardrail.yaml'), {}).checks[0]!.tables).toContainEqual({
      source: 'e.f',
      target: 'g.h',
      window: { column: 'updated_at', size: 3_600_000, lag: 0 },
    });
  });

  it('reads a file that starts with a byte-order mark (Windows editors write one)', () => {
    const dir = writeConfigDir({
      'guardrail.yaml': WITH_TABLE_FILES,
      'tables/x.yaml': '\ufeff- { source: a.b, target: c.d }\n',
    });

    expect(loadConfig(join(dir, 'guardrail.yaml'), {}).checks[0]!.tables).toContainEqual({
      source: 'a.b',
      target: 'c.d',
    });
  });

  // A review: past 50,000 entries (a node_modules under the glob's folder) the walk stopped, and the files it had
  // not reached were never read, without a word.
  it('fails at the glob when its walk stops short, and reads none of its files', () => {
    const dir = writeConfigDir({
      'guardrail.yaml': WITH_TABLE_FILES.replace('"tables/*.yaml"', '"**/tables/*.yaml"'),
      'tables/x.yaml': '- { source: a.b, target: c.d }\n',
    });
    const wide = join(dir, 'node_modules/pkg');
    mkdirSync(wide, { recursive: true });
    for (let i = 0; i < MAX_GLOB_ENTRIES; i++) writeFileSync(join(wide, `f${i}`), '');

    expect(() => loadConfig(join(dir, 'guardrail.yaml'), {})).toThrow(
      /guardrail\.yaml:10:17 checks\[0\]\.tableFiles \(check users-consistency\): "\*\*\/tables\/\*\.yaml" stopped after 50,000 files and folders under \. without reading them all; narrow it/,
    );
  });

  it('does not walk into folders whose names start with a dot, which * and ** do not match', () => {
    const dir = writeConfigDir({
      'guardrail.yaml': WITH_TABLE_FILES.replace('"tables/*.yaml"', '"**/tables/*.yaml"'),
      'tables/x.yaml': '- { source: a.b, target: c.d }\n',
      '.git/tables/y.yaml': '- { source: e.f, target: g.h }\n',
    });
    const wide = join(dir, '.git/objects');
    mkdirSync(wide, { recursive: true });
    for (let i = 0; i < MAX_GLOB_ENTRIES; i++) writeFileSync(join(wide, `f${i}`), '');

    expect(loadConfig(join(dir, 'guardrail.yaml'), {}).checks[0]!.tables).toEqual([
      { source: 'main.users', target: 'main.users' },
      { source: 'a.b', target: 'c.d' },
    ]);
  });
});
