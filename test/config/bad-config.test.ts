import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { loadConfig } from '../../src/config/load';
import { ConfigError } from '../../src/config/errors';
import { BASE_CONFIG, captureError, writeConfigDir } from './config-files';

const CLI = join(__dirname, '../../dist/src/cli/main.js');

interface BadCase {
  name: string;
  files: Record<string, string | Uint8Array>;
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
    expect: /:1:\d+ state\.url: environment variable GUARDRAIL_TEST_UNSET_VAR is not set/,
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
    expect: /guardrail\.yaml:\d+:\d+: YAML syntax: /,
  },
  {
    name: 'duplicate YAML key',
    files: { 'guardrail.yaml': `${BASE_CONFIG}state: { url: "sqlite://x.db" }\n` },
    expect: /guardrail\.yaml:17:1: YAML syntax: Map keys must be unique/,
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
    expect: /:18:\d+ alerts\.silences\[0\]\.reason: missing required key 'reason'$/m,
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
    expect: /guardrail\.yaml:17:\d+: YAML syntax: .*quote values that use \$\{\.\.\.\}/,
  },
  {
    name: 'infinite number',
    files: { 'guardrail.yaml': replace('    tables:', '    tolerance: { rows: 1e400 }\n    tables:') },
    expect: /checks\[0\]\.tolerance\.rows .*expected a finite number, got Infinity/,
  },
  // A review's cases: each passed or said something else.
  {
    name: 'a second YAML document',
    files: { 'guardrail.yaml': `${BASE_CONFIG}---\nx: 1\n` },
    expect:
      /guardrail\.yaml:17:1: YAML syntax: a second document starts here \(hint: a config file holds one YAML document/,
  },
  {
    name: 'a duration past any date',
    files: {
      'guardrail.yaml': replace(
        '    tables:',
        '    window: { column: updated_at, size: 9999999999999999d }\n    tables:',
      ),
    },
    expect:
      /checks\[0\]\.window\.size .*'9999999999999999d' is out of range: must be at least 0ms and at most 3650d/,
  },
  {
    name: 'a duration written as a number',
    files: {
      'guardrail.yaml': replace(
        '    tables:',
        '    freshness: { column: updated_at, maxLag: 0 }\n    tables:',
      ),
    },
    expect: /checks\[0\]\.freshness\.maxLag .*expected a duration such as 30s, 15m, 1h or 7d \(zero is 0s\)/,
  },
  {
    name: 'a UTF-16 file',
    files: { 'guardrail.yaml': Buffer.from(`\ufeff${BASE_CONFIG}`, 'utf16le') },
    expect: /guardrail\.yaml:1:1: the file is UTF-16 \(or holds NUL bytes\): save it as UTF-8/,
  },
  {
    name: 'a Latin-1 byte',
    files: { 'guardrail.yaml': Buffer.from(replace('    tables:', '    # café\n    tables:'), 'latin1') },
    expect: /guardrail\.yaml:10:10: not UTF-8 text \(byte 0xE9\): save the file as UTF-8/,
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

describe('validation that catches every mistake', () => {
  it("reports a top-level mistake and the checks' mistakes together", () => {
    const text = replace('    tables:', '    tolerance: { rowz: 1 }\n    tables:')
      .replace('target: main.users', 'target: users')
      .concat('  reapeatInterval: 4h\n');
    const dir = writeConfigDir({ 'guardrail.yaml': text });

    const error = captureError(() => loadConfig(join(dir, 'guardrail.yaml'), {})) as ConfigError;

    expect(error.issues.map((i) => `${i.line}:${i.col} ${i.path}: ${i.message}`)).toEqual([
      "18:3 alerts.reapeatInterval: unknown key 'reapeatInterval'",
      "10:18 checks[0].tolerance.rowz: unknown key 'rowz'",
      expect.stringMatching(/^12:\d+ checks\[0\]\.tables\[0\]\.target: table name must be schema\.table/),
    ]);
  });

  it('names the file and line of the first check with the same id when the second is in another file', () => {
    const dir = writeConfigDir({
      'guardrail.yaml': `include: [teams/a.yaml]\n${BASE_CONFIG}`,
      'teams/a.yaml':
        'checks:\n  - id: users-consistency\n    kind: row-count-consistency\n    source: src\n    target: dst\n',
    });

    const error = captureError(() => loadConfig(join(dir, 'guardrail.yaml'), {})) as ConfigError;

    expect(error.issues).toEqual([
      {
        file: join(dir, 'teams/a.yaml'),
        line: 2,
        col: 9,
        path: 'checks[0].id',
        checkId: 'users-consistency',
        message: `duplicate check id 'users-consistency' (also ${join(dir, 'guardrail.yaml')}:7)`,
      },
    ]);
  });

  it('says "3 problems" for them on the command line', () => {
    const text = `${replace('    tables:', '    tolerance: { rowz: 1 }\n    tables:').replace('target: main.users', 'target: users')}  reapeatInterval: 4h\n`;
    const dir = writeConfigDir({ 'guardrail.yaml': text });

    const result = validate(join(dir, 'guardrail.yaml'));

    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(/^Invalid configuration \(3 problems\):\n/);
    expect(result.stderr.trim().split('\n')).toHaveLength(4);
  });

  it.each([
    {
      slip: 'a key indented one space too few',
      text: replace('    tables:', '   tables:'),
      line: "guardrail.yaml:10:4: YAML syntax: bad indentation of a mapping entry (hint: align 'tables' with the keys above it; use spaces, not tabs)",
    },
    {
      slip: 'a key indented two spaces too deep',
      text: replace('    tables:', '      tables:'),
      line: "guardrail.yaml:10:7: YAML syntax: bad indentation of a mapping entry (hint: align 'tables' with the keys above it; use spaces, not tabs)",
    },
    {
      slip: 'a tab as indentation',
      text: replace('    tables:', '\ttables:'),
      line: 'guardrail.yaml:10:1: YAML syntax: a tab in the indentation (hint: indent with spaces, not tabs)',
    },
    {
      slip: 'a mapping key indented less than its siblings',
      text: replace('  routes:', ' routes:'),
      line: "guardrail.yaml:15:2: YAML syntax: bad indentation of a mapping entry (hint: align 'routes' with the keys above it; use spaces, not tabs)",
    },
    {
      slip: 'an unclosed flow mapping',
      text: `${BASE_CONFIG}server: { port: 1\n`,
      line: expect.stringMatching(/^guardrail\.yaml:18:1: YAML syntax: .* \(hint: close every \{ and \[/),
    },
    {
      slip: 'a duplicate key',
      text: `${BASE_CONFIG}state: { url: "sqlite://x.db" }\n`,
      line: "guardrail.yaml:17:1: YAML syntax: Map keys must be unique (hint: 'state' is already set above in this mapping; keep one)",
    },
    {
      slip: 'a value starting with a reserved character',
      text: `${BASE_CONFIG}server: { port: @1 }\n`,
      line: expect.stringMatching(/^guardrail\.yaml:17:\d+: YAML syntax: .*@ \(hint: quote the value/),
    },
  ])('a YAML slip ($slip) is one located line with a hint', ({ text, line }) => {
    const dir = writeConfigDir({ 'guardrail.yaml': text });

    const result = validate(join(dir, 'guardrail.yaml'));

    expect(result.status).toBe(2);
    expect(result.stderr.trim().split('\n')).toEqual([
      'Invalid configuration (1 problem):',
      expect.anything(),
    ]);
    expect(
      result.stderr
        .trim()
        .split('\n')[1]!
        .trim()
        .replace(/^.*[/\\](?=guardrail\.yaml)/, ''),
    ).toEqual(line);
  });

  it.each([
    { name: 'an empty file', text: '', message: /the config is empty: nothing to run/ },
    { name: 'only comments', text: '# mounted?\n', message: /the config is empty: nothing to run/ },
    {
      name: 'no checks',
      text: BASE_CONFIG.replace(/checks:\n(.*\n){6}/, ''),
      message: /no checks are configured: nothing to run/,
    },
    {
      name: 'every check disabled',
      text: replace('    source: src', '    enabled: false\n    source: src'),
      message: /:5:\d+ checks: every check is disabled \(enabled: false\): nothing to run/,
    },
  ])('$name is an error, not a run of nothing', ({ text, message }) => {
    const dir = writeConfigDir({ 'guardrail.yaml': text });

    const result = validate(join(dir, 'guardrail.yaml'));

    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(message);
  });
});

function validate(config: string) {
  return spawnSync(process.execPath, [CLI, 'validate', '--config', config], {
    encoding: 'utf8',
    env: { PATH: process.env.PATH },
  });
}
