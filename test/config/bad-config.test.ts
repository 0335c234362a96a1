import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { loadConfig } from '../../src/config/load';
import { ConfigError } from '../../src/config/errors';
import { BASE_CONFIG, writeConfigDir } from './config-files';

const CLI = join(__dirname, '../../dist/src/cli/main.js');

interface BadCase {
  name: string;
  files: Record<string, string>;
  /** Expected in the message, e.g. `guardrail.yaml:7:5 checks[0].kind`. */
  expect: RegExp;
}

const replace = (from: string, to: string) => BASE_CONFIG.replace(from, to);

const CASES: BadCase[] = [
  {
    name: 'wrong type',
    files: { 'guardrail.yaml': `${BASE_CONFIG}server: { port: "http" }\n` },
    expect: /guardrail\.yaml:17:\d+ server\.port: expected number, got string/,
  },
  {
    name: 'unknown top-level key',
    files: { 'guardrail.yaml': `${BASE_CONFIG}chekcs: []\n` },
    expect: /:17:1 chekcs: unknown key 'chekcs'/,
  },
  {
    name: 'unknown key in a check',
    files: { 'guardrail.yaml': replace('    tables:', '    tabels: []\n    tables:') },
    expect: /:10:\d+ checks\[0\]\.tabels \(check users-consistency\): unknown key 'tabels'/,
  },
  {
    name: 'bad cron',
    files: { 'guardrail.yaml': replace('    source: src', '    schedule: "every minute"\n    source: src') },
    expect:
      /:8:\d+ checks\[0\]\.schedule \(check users-consistency\): 'every minute' is not a cron expression/,
  },
  {
    name: 'bad duration',
    files: { 'guardrail.yaml': replace('    source: src', '    timeout: 5 minutes\n    source: src') },
    expect: /:8:\d+ checks\[0\]\.timeout .*'5 minutes' is not a duration/,
  },
  {
    name: 'unknown kind',
    files: { 'guardrail.yaml': replace('row-count-consistency', 'row-count') },
    expect:
      /:7:\d+ checks\[0\]\.kind \(check users-consistency\): unknown check kind 'row-count'; known kinds: .*row-count-consistency/,
  },
  {
    name: 'unknown connection',
    files: { 'guardrail.yaml': replace('source: src\n', 'source: nope\n') },
    expect:
      /:8:\d+ checks\[0\]\.source \(check users-consistency\): unknown connection 'nope' \(connections: src, dst\)/,
  },
  {
    name: 'duplicate check id',
    files: {
      'guardrail.yaml': replace(
        'alerts:',
        '  - { id: users-consistency, kind: row-count-consistency, source: src, target: dst, tables: [{ source: a.b, target: a.b }] }\nalerts:',
      ),
    },
    expect: /:12:\d+ checks\[1\]\.id .*duplicate check id 'users-consistency'/,
  },
  {
    name: 'include loop',
    files: {
      'guardrail.yaml': `include: [more.yaml]\n${BASE_CONFIG}`,
      'more.yaml': 'include: [guardrail.yaml]\n',
    },
    expect:
      /more\.yaml:1:\d+ include\[0\]: include loop: .*guardrail\.yaml → .*more\.yaml → .*guardrail\.yaml/,
  },
  {
    name: 'missing variable',
    files: { 'guardrail.yaml': replace('"sqlite://state.db"', '"${GUARDRAIL_TEST_UNSET_VAR}"') },
    expect: /:1:\d+: environment variable GUARDRAIL_TEST_UNSET_VAR is not set/,
  },
  {
    name: 'table name with a statement',
    files: { 'guardrail.yaml': replace('source: main.users', 'source: "main.users; drop table x"') },
    expect: /:11:\d+ checks\[0\]\.tables\[0\]\.source .*table name must be schema\.table/,
  },
  {
    name: 'table name with quotes',
    files: { 'guardrail.yaml': replace('target: main.users', `target: 'main."users"'`) },
    expect: /checks\[0\]\.tables\[0\]\.target .*table name must be/,
  },
  {
    name: 'table name without schema',
    files: { 'guardrail.yaml': replace('source: main.users', 'source: users') },
    expect: /checks\[0\]\.tables\[0\]\.source .*table name must be schema\.table/,
  },
  {
    name: 'YAML syntax',
    files: { 'guardrail.yaml': `${BASE_CONFIG}server: { port: 1\n` },
    expect: /guardrail\.yaml:\d+:\d+: YAML: /,
  },
  {
    name: 'duplicate YAML key',
    files: { 'guardrail.yaml': `${BASE_CONFIG}state: { url: "sqlite://x.db" }\n` },
    expect: /guardrail\.yaml:17:1: YAML: Map keys must be unique/,
  },
  {
    name: 'check without kind',
    files: { 'guardrail.yaml': replace('    kind: row-count-consistency\n', '') },
    expect: /:6:\d+ checks\[0\] \(check users-consistency\): check has no kind/,
  },
  {
    name: 'bad check id',
    files: { 'guardrail.yaml': replace('id: users-consistency', 'id: Users Consistency') },
    expect: /:6:\d+ checks\[0\]\.id .*check id must be lowercase/,
  },
  {
    name: 'route to unknown channel',
    files: { 'guardrail.yaml': replace('{ channel: console }', '{ channel: pager }') },
    expect: /:16:\d+ alerts\.routes\[0\]\.channel: unknown channel 'pager'/,
  },
  {
    name: 'unknown channel type',
    files: { 'guardrail.yaml': replace('{ type: console }', '{ type: slack }') },
    expect: /:14:\d+ alerts\.channels\.console\.type: unknown channel type 'slack'/,
  },
  {
    name: 'silence without reason',
    files: {
      'guardrail.yaml': `${BASE_CONFIG}  silences:\n    - { match: { check: users-consistency }, until: 2026-12-31 }\n`,
    },
    expect: /:18:\d+ alerts\.silences\[0\]\.reason: required/,
  },
  {
    name: 'silence with a bad date',
    files: {
      'guardrail.yaml': `${BASE_CONFIG}  silences:\n    - { match: { check: users-consistency }, until: someday, reason: x }\n`,
    },
    expect: /:18:\d+ alerts\.silences\[0\]\.until: 'someday' is not a date/,
  },
  {
    name: 'unknown connection type',
    files: { 'guardrail.yaml': replace('src: { type: duckdb }', 'src: { type: oracle }') },
    expect:
      /:3:\d+ connections\.src\.type: unknown connection type 'oracle'; expected one of mysql, postgres, redshift, bigquery, duckdb/,
  },
  {
    name: 'included file not found',
    files: { 'guardrail.yaml': `include: [checks/extra.yaml]\n${BASE_CONFIG}` },
    expect: /guardrail\.yaml:1:\d+ include\[0\]: included file not found: checks\/extra\.yaml/,
  },
  {
    name: 'connection defined twice across files',
    files: {
      'guardrail.yaml': `include: [conn.yaml]\n${BASE_CONFIG}`,
      'conn.yaml': 'connections:\n  src: { type: duckdb }\n',
    },
    expect: /conn\.yaml:2:\d+ connections\.src: connections\.src is already defined in .*guardrail\.yaml:4/,
  },
  {
    name: 'checks is not a list',
    files: { 'guardrail.yaml': `state: { url: "sqlite://s.db" }\nchecks: { id: x }\n` },
    expect: /:2:\d+ checks: expected array, got object/,
  },
  {
    name: 'negative tolerance',
    files: { 'guardrail.yaml': replace('    tables:', '    tolerance: { rows: -1 }\n    tables:') },
    expect: /:10:\d+ checks\[0\]\.tolerance\.rows/,
  },
  {
    name: 'catch-all route before others',
    files: { 'guardrail.yaml': `${BASE_CONFIG}    - { match: { severity: critical }, channel: console }\n` },
    expect: /:16:\d+ alerts\.routes\[0\]: a route without match catches everything/,
  },
  {
    name: 'bad AWS region',
    files: { 'guardrail.yaml': `${BASE_CONFIG}aws: { regions: [Seoul] }\n` },
    expect: /:17:\d+ aws\.regions\[0\]: 'Seoul' is not an AWS region name/,
  },
  {
    name: 'error in an included checks file',
    files: {
      'guardrail.yaml': `include: ["teams/*.yaml"]\n${BASE_CONFIG}`,
      'teams/a.yaml':
        'checks:\n  - id: team-a\n    kind: row-count-consistency\n    source: src\n    target: dst\n    tables:\n      - { source: a.b, target: a }\n',
    },
    expect: /teams\/a\.yaml:7:\d+ checks\[0\]\.tables\[0\]\.target \(check team-a\): table name must be/,
  },
  {
    name: 'timeout of zero',
    files: { 'guardrail.yaml': replace('    source: src', '    timeout: 0s\n    source: src') },
    expect:
      /:8:\d+ checks\[0\]\.timeout \(check users-consistency\): '0s' is out of range: must be at least 1s and at most 24d 20h/,
  },
  {
    name: 'timeout too long for a timer',
    files: { 'guardrail.yaml': `${BASE_CONFIG}defaults: { timeout: 30d }\n` },
    expect: /:17:\d+ defaults\.timeout: '30d' is out of range/,
  },
  {
    name: 'alias flood (billion laughs)',
    files: {
      'guardrail.yaml': `${BASE_CONFIG}x: &a [1,1,1,1,1,1,1,1,1,1]\ny: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a,*a]\nz: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b,*b]\nw: [*c,*c,*c,*c,*c,*c,*c,*c,*c,*c]\n`,
    },
    expect: /guardrail\.yaml:1:1: YAML: Excessive alias count/,
  },
  {
    name: 'undefined alias',
    files: { 'guardrail.yaml': `${BASE_CONFIG}x: *nope\n` },
    expect: /guardrail\.yaml:\d+:\d+: YAML: .*nope/,
  },
  {
    name: 'a folder as config',
    files: { 'guardrail.yaml/x': '' },
    expect: /guardrail\.yaml: cannot read the file \(EISDIR\)/,
  },
  {
    name: 'unquoted ${} inside a flow mapping',
    files: { 'guardrail.yaml': `${BASE_CONFIG}gcp: { apiEndpoint: \${BQ:-} }\n` },
    expect: /guardrail\.yaml:17:\d+: YAML: .*quote values that use \$\{\.\.\.\}/,
  },
  {
    name: 'infinite number',
    files: { 'guardrail.yaml': replace('    tables:', '    tolerance: { rows: 1e400 }\n    tables:') },
    expect: /checks\[0\]\.tolerance\.rows .*expected a finite number, got Infinity/,
  },
  {
    name: 'bad state url',
    files: { 'guardrail.yaml': replace('"sqlite://state.db"', '"bogus://x"') },
    expect: /:1:\d+ state\.url: state url must be sqlite:\/\/PATH or postgres:\/\/USER@HOST\/DB/,
  },
];

describe('bad config', () => {
  it.each(CASES)('$name: located message from loadConfig', ({ files, expect: expected }) => {
    const dir = writeConfigDir(files);

    const error = captureError(() => loadConfig(join(dir, 'guardrail.yaml'), { PATH: '' }));

    expect(error).toBeInstanceOf(ConfigError);
    expect(error.message).toMatch(expected);
  });

  it.each(CASES)(
    '$name: `guardrail validate` exits 2 with the message and no stack trace',
    ({ files, expect: expected }) => {
      const dir = writeConfigDir(files);

      const result = spawnSync(process.execPath, [CLI, 'validate', '--config', join(dir, 'guardrail.yaml')], {
        encoding: 'utf8',
        env: { PATH: process.env.PATH },
      });

      expect(result.status).toBe(2);
      expect(result.stderr).toMatch(expected);
      expect(result.stderr).not.toMatch(/^\s+at /m);
    },
  );
});

function captureError(fn: () => unknown): Error {
  try {
    fn();
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected an error');
}
