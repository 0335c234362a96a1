// Mistakes an analyst makes adding tables through a pull request (a trial of the tool found each one accepted,
// located in the wrong file, or named vaguely): each must fail `validate` at the file and line it was made, with
// what to write instead.
import { join } from 'node:path';
import { ConfigError, type ConfigIssue } from '../../src/config/errors';
import { loadConfig } from '../../src/config/load';
import { BASE_CONFIG, writeConfigDir } from './config-files';

const WITH_TABLE_FILES = BASE_CONFIG.replace('    tables:', '    tableFiles: "tables/*.yaml"\n    tables:');

function issuesOf(files: Record<string, string>, env: NodeJS.ProcessEnv = {}): ConfigIssue[] {
  const dir = writeConfigDir(files);
  try {
    loadConfig(join(dir, 'guardrail.yaml'), env);
  } catch (err) {
    if (err instanceof ConfigError) return err.issues;
    throw err;
  }
  throw new Error('the config loaded');
}

/** One tables file with `line` after a good first line. */
function tablesFile(line: string): ConfigIssue[] {
  return issuesOf({
    'guardrail.yaml': WITH_TABLE_FILES,
    'tables/game1.yaml': `- { source: game1.users, target: raw.users }\n${line}\n`,
  });
}

describe('an analyst’s mistakes in table files', () => {
  it("refuses the check's freshness without a column for tables with no window (it was dropped unread)", () => {
    const issues = issuesOf({
      'guardrail.yaml': BASE_CONFIG.replace('    tables:', '    freshness: { maxLag: 1h }\n    tables:'),
    });

    expect(issues).toEqual([
      expect.objectContaining({
        path: 'checks[0].freshness.column',
        line: 10,
        message:
          'freshness needs a column: table main.users has no window to take it from; set freshness.column (e.g. updated_at)',
      }),
    ]);
  });

  it("accepts the check's freshness without a column when every table brings its own window", () => {
    const dir = writeConfigDir({
      'guardrail.yaml': BASE_CONFIG.replace(
        '    tables:',
        '    freshness: { maxLag: 1h }\n    tables:',
      ).replace(
        '      - { source: main.users, target: main.users }',
        '      - { source: main.users, target: main.users, window: { column: updated_at, size: 1h } }',
      ),
    });

    expect(loadConfig(join(dir, 'guardrail.yaml'), {}).checks).toHaveLength(1);
  });

  it("refuses a check with no table at all (the schema's own rule, dropped with the other)", () => {
    const issues = issuesOf({
      'guardrail.yaml': BASE_CONFIG.replace(
        '    tables:\n      - { source: main.users, target: main.users }\n',
        '    tables: []\n',
      ),
    });

    expect(issues.map((i) => i.message)).toEqual(['list at least one table pair, or set tableFiles']);
  });

  it("refuses a table whose own window: false leaves the check's freshness with no column", () => {
    const issues = issuesOf({
      'guardrail.yaml': WITH_TABLE_FILES.replace(
        '    tables:',
        '    window: { column: updated_at, size: 1h }\n    freshness: { maxLag: 1h }\n    tables:',
      ),
      'tables/game1.yaml': '- { source: game1.users, target: raw.users, window: false }\n',
    });

    expect(issues).toEqual([
      expect.objectContaining({
        file: expect.stringMatching(/tables\/game1\.yaml$/),
        line: 1,
        path: '[0].window',
        message: expect.stringMatching(/^freshness of 'game1\.users' has no column: .*set freshness\.column/),
      }),
    ]);
  });

  it('accepts a table whose own freshness names a column, or whose window gives one', () => {
    const dir = writeConfigDir({
      'guardrail.yaml': WITH_TABLE_FILES,
      'tables/game1.yaml':
        '- { source: a.b, target: c.b, freshness: { column: u, maxLag: 1h } }\n' +
        '- { source: a.c, target: c.c, window: { column: u, size: 1h }, freshness: { maxLag: 1h } }\n',
    });

    expect(loadConfig(join(dir, 'guardrail.yaml'), {}).checks[0]!.tables).toHaveLength(3);
  });

  it('names each tableFiles glob that matches nothing, even beside one that matches', () => {
    const issues = issuesOf({
      'guardrail.yaml': BASE_CONFIG.replace(
        '    tables:',
        '    tableFiles: [tables/game1/*.yaml, tables/game2/*.yml]\n    tables:',
      ),
      'tables/game1/a.yaml': '- { source: a.b, target: c.d }\n',
    });

    expect(issues).toEqual([
      expect.objectContaining({
        path: 'checks[0].tableFiles[1]',
        line: 10,
        message: expect.stringMatching(/^no file matches "tables\/game2\/\*\.yml" \(relative to the folder/),
      }),
    ]);
  });

  it.each([
    [
      'a window without its column',
      '- { source: a.b, target: c.d, window: { size: 1h, lag: 15m } }',
      '[1].window.column',
      "missing required key 'column'",
    ],
    [
      'a window size in words',
      '- { source: a.b, target: c.d, window: { column: t, size: 5 minutes } }',
      '[1].window.size',
      "'5 minutes' is not a duration; expected e.g. 30s, 15m, 1h, 7d",
    ],
    [
      'a freshness lag in words',
      '- { source: a.b, target: c.d, freshness: { column: t, maxLag: 10 minutes } }',
      '[1].freshness.maxLag',
      "'10 minutes' is not a duration; expected e.g. 30s, 15m, 1h, 7d",
    ],
    [
      'a window that is neither a mapping nor false',
      '- { source: a.b, target: c.d, window: true }',
      '[1].window',
      'expected a mapping or false, got true',
    ],
    [
      'a where that is a number',
      '- { source: a.b, target: c.d, where: 1 }',
      '[1].where',
      'expected a string or a mapping, got 1',
    ],
  ])('names what is wrong inside a per-table override: %s', (_name, line, path, message) => {
    expect(tablesFile(line)).toEqual([
      expect.objectContaining({
        file: expect.stringMatching(/tables\/game1\.yaml$/),
        line: 2,
        path,
        message,
      }),
    ]);
  });

  it('names the key set twice in a { } mapping (it named the list dash)', () => {
    const [issue] = tablesFile('- { source: a.b, target: c.d, source: a.c }');

    expect(issue!.message).toMatch(/hint: 'source' is already set above in this mapping; keep one/);
    expect(issue!.line).toBe(2);
  });

  it('calls a tab under a list item a tab', () => {
    const [issue] = tablesFile('- source: a.b\n\ttarget: c.d');

    expect(issue).toEqual(
      expect.objectContaining({
        line: 3,
        message: 'YAML syntax: a tab in the indentation (hint: indent with spaces, not tabs)',
      }),
    );
  });

  it('reports an unset variable in a table file once, not again as an empty table name', () => {
    const issues = tablesFile("- { source: a.b, target: '${ITEMS_TARGET}' }");

    expect(issues.map((i) => i.message)).toEqual([
      'environment variable ITEMS_TARGET is not set (set it, or give a default: ${ITEMS_TARGET:-value})',
    ]);
  });
});
