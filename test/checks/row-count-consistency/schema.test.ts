import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { rowCountConsistency } from '../../../checks/row-count-consistency';
import { RowCountConsistencyConfig } from '../../../checks/row-count-consistency/schema';
import { loadConfig } from '../../../src/config/load';
import { BASE_CONFIG, writeConfigDir } from '../../config/config-files';
import { checkSchema } from '../../../src/config/schema';

const base = { source: 'game1', target: 'bq' };

describe('row-count-consistency config', () => {
  it('accepts the definition example and the readme example', () => {
    const readme = readFileSync(join(__dirname, '../../../checks/row-count-consistency/readme.md'), 'utf8');
    const yaml = /```yaml\n([\s\S]*?)```/.exec(readme)?.[1] ?? '';
    const fromReadme = parse(yaml).checks[0];

    expect(fromReadme.kind).toBe(rowCountConsistency.kind);
    expect(RowCountConsistencyConfig.safeParse(rowCountConsistency.example).success).toBe(true);
    // With the keys every check has (id, kind, schedule, for, ...), as the config loader reads it.
    expect(checkSchema(rowCountConsistency).safeParse(fromReadme).error).toBeUndefined();
  });

  it('names the connections it uses', () => {
    const config = RowCountConsistencyConfig.parse({ ...base, tables: [{ source: 'a.b', target: 'c.d' }] });

    expect(rowCountConsistency.connectionsOf?.(config)).toEqual([
      { name: 'game1', path: ['source'] },
      { name: 'bq', path: ['target'] },
    ]);
  });

  it.each([
    [
      'a table name without schema',
      { tables: [{ source: 'users', target: 'raw.users' }] },
      'tables.0.source',
    ],
    [
      'a quote in a table name',
      { tables: [{ source: 'a.b"; DROP', target: 'raw.users' }] },
      'tables.0.source',
    ],
    ['a space in a table name', { tables: [{ source: 'a.b c', target: 'raw.users' }] }, 'tables.0.source'],
    [
      'a dotted column',
      { window: { column: 'a.b', size: '1h' }, tables: [{ source: 'a.b', target: 'c.d' }] },
      'window.column',
    ],
    [
      'a bad duration',
      { window: { column: 'a', size: 'an hour' }, tables: [{ source: 'a.b', target: 'c.d' }] },
      'window.size',
    ],
    [
      'a negative ratio',
      { tolerance: { ratio: -1 }, tables: [{ source: 'a.b', target: 'c.d' }] },
      'tolerance.ratio',
    ],
    ['an unknown key', { tables: [{ source: 'a.b', target: 'c.d', sauce: 1 }] }, 'tables.0'],
    ['no tables at all', {}, 'tables'],
    [
      'a window of 0s',
      { window: { column: 'a', size: '0s' }, tables: [{ source: 'a.b', target: 'c.d' }] },
      'window.size',
    ],
    [
      'a window shorter than a minute',
      { window: { column: 'a', size: '30s' }, tables: [{ source: 'a.b', target: 'c.d' }] },
      'window.size',
    ],
    [
      'a table window of 0s',
      { tables: [{ source: 'a.b', target: 'c.d', window: { column: 'a', size: '0m' } }] },
      'tables.0.window.size',
    ],
    [
      'a freshness maxLag of 0s',
      { freshness: { column: 'a', maxLag: '0s' }, tables: [{ source: 'a.b', target: 'c.d' }] },
      'freshness.maxLag',
    ],
  ])('rejects %s', (_what, extra, path) => {
    const result = RowCountConsistencyConfig.safeParse({ ...base, ...extra });

    expect(result.error?.issues.map((i) => i.path.join('.'))).toContain(path);
  });

  it('says why a window must be at least a minute and maxLag more than 0', () => {
    const result = RowCountConsistencyConfig.safeParse({
      ...base,
      window: { column: 'a', size: '0s' },
      freshness: { maxLag: '0s' },
      tables: [{ source: 'a.b', target: 'c.d' }],
    });

    expect(result.error?.issues.map((i) => [i.path.join('.'), i.message])).toEqual([
      [
        'window.size',
        'window size must be at least 1m: windows are whole minutes, and an empty window never drifts',
      ],
      [
        'freshness.maxLag',
        'freshness.maxLag must be more than 0s (a replica is never exactly on time); e.g. 10m',
      ],
    ]);
  });

  it('accepts a one-minute window', () => {
    const result = RowCountConsistencyConfig.safeParse({
      ...base,
      window: { column: 'a', size: '1m' },
      tables: [{ source: 'a.b', target: 'c.d' }],
    });

    expect(result.error).toBeUndefined();
  });
});

describe('row-count-consistency where', () => {
  it.each([
    [
      'a second statement',
      'id > 0; DROP TABLE users',
      'tables.0.where',
      'where is not an accepted condition: a where is one expression: ";" is not allowed (at character 7)',
    ],
    [
      'a file-reading function on one side',
      { source: "length(read_text('/etc/passwd')) > 0" },
      'tables.0.where.source',
      'where is not an accepted condition: function read_text is not allowed in where; allowed: abs, ceil, ' +
        'char_length, coalesce, concat, date, date_trunc, floor, greatest, least, length, lower, ltrim, now, ' +
        'nullif, round, rtrim, substr, trim, upper, cast (at character 8)',
    ],
  ])('refuses %s, naming the key and the reason', (_what, where, path, message) => {
    const result = RowCountConsistencyConfig.safeParse({
      ...base,
      tables: [{ source: 'a.b', target: 'c.d', where }],
    });

    expect(result.error?.issues.map((i) => [i.path.join('.'), i.message])).toEqual([[path, message]]);
  });

  // Once, not also as zod's "Too small" (a review: `where: "${W:-}"`).
  it('says an empty condition is empty, once', () => {
    const dir = writeConfigDir({
      'guardrail.yaml': BASE_CONFIG.replace(
        '{ source: main.users, target: main.users }',
        '{ source: main.users, target: main.users, where: "${W:-}" }',
      ),
    });

    expect(() => loadConfig(join(dir, 'guardrail.yaml'), {})).toThrow(
      /^[^\n]*:11:\d+ checks\[0\]\.tables\[0\]\.where \(check users-consistency\): where is empty: write one condition, or remove the key$/,
    );
  });

  it('accepts a condition per side', () => {
    const result = RowCountConsistencyConfig.safeParse({
      ...base,
      tables: [
        { source: 'a.b', target: 'c.d', where: { source: 'deleted_at IS NULL', target: "op <> 'D'" } },
      ],
    });

    expect(result.error).toBeUndefined();
  });
});
