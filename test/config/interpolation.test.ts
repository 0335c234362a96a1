import { join, sep } from 'node:path';
import { ConfigError, formatIssue } from '../../src/config/errors';
import { loadConfig } from '../../src/config/load';
import { BASE_CONFIG, writeConfigDir } from './config-files';

describe('${VAR} interpolation', () => {
  it('keeps values strings where strings are expected (no lost leading zero), and converts number and boolean fields', () => {
    const dir = writeConfigDir({
      'guardrail.yaml': `${BASE_CONFIG}server:
  port: \${PORT}
aws:
  regions: [us-east-1]
  accounts:
    - id: \${ACCOUNT}
      roleArn: "arn:aws:iam::\${ACCOUNT}:role/guardrail"
`
        .replace('    tables:', '    enabled: ${ENABLED}\n    tables:')
        // A config whose every check is disabled is an error: one more, enabled.
        .replace(
          'alerts:',
          '  - { id: other, kind: row-count-consistency, source: src, target: dst, tables: [{ source: a.b, target: a.b }] }\nalerts:',
        ),
    });

    const config = loadConfig(join(dir, 'guardrail.yaml'), {
      PORT: '9999',
      ACCOUNT: '012345678901',
      ENABLED: 'false',
    });

    expect(config.server.port).toBe(9999);
    expect(config.aws?.accounts?.[0]).toEqual({
      id: '012345678901',
      roleArn: 'arn:aws:iam::012345678901:role/guardrail',
    });
    expect(config.checks[0]!.enabled).toBe(false);
  });

  it('uses the default after :- when the variable is unset or empty, and $$ for a literal $', () => {
    const dir = writeConfigDir({
      'guardrail.yaml': BASE_CONFIG.replace(
        '"sqlite://state.db"',
        '"sqlite://${STATE_FILE:-default.db}"',
      ).replace(
        'source: main.users, target: main.users',
        // A function, so that String.replace does not read the $$ itself.
        () => 'source: main.users, target: main.users, where: "note <> \'$${X}\'"',
      ),
    });

    const config = loadConfig(join(dir, 'guardrail.yaml'), { STATE_FILE: '' });

    expect(config.state.url).toBe('sqlite://default.db');
    expect((config.checks[0]!.tables as { where?: string }[])[0]!.where).toBe("note <> '${X}'");
  });

  it('still rejects a number field whose variable is not a number, at its location', () => {
    const dir = writeConfigDir({ 'guardrail.yaml': `${BASE_CONFIG}server:\n  port: \${PORT}\n` });

    expect(() => loadConfig(join(dir, 'guardrail.yaml'), { PORT: 'http' })).toThrow(
      /guardrail\.yaml:18:9 server\.port: expected number, got string/,
    );
  });

  it.each<{ where: string; files: Record<string, string>; line: string }>([
    {
      where: 'a mapping',
      files: { 'guardrail.yaml': BASE_CONFIG.replace('"sqlite://state.db"', '"${STATE_URL}"') },
      line: 'guardrail.yaml:1:15 state.url: environment variable STATE_URL is not set',
    },
    {
      where: 'a list',
      files: { 'guardrail.yaml': `${BASE_CONFIG}aws:\n  regions: [us-east-1, "\${REGION}"]\n` },
      line: 'guardrail.yaml:18:24 aws.regions[1]: environment variable REGION is not set',
    },
    {
      where: 'an included file',
      files: {
        'guardrail.yaml': `include: [teams/a.yaml]\n${BASE_CONFIG}`,
        'teams/a.yaml':
          'checks:\n  - id: team-a\n    kind: row-count-consistency\n    source: ${TEAM_A_DB}\n    target: dst\n    tables: [{ source: a.b, target: a.b }]\n',
      },
      line: 'teams/a.yaml:4:13 checks[0].source: environment variable TEAM_A_DB is not set',
    },
  ])('names the key of an unset variable without a default, in $where', ({ files, line }) => {
    const dir = writeConfigDir(files);

    const error = captureError(() => loadConfig(join(dir, 'guardrail.yaml'), {}));

    expect(shown(error, dir)).toEqual([line]);
  });

  // A pull request's CI has no secrets: an unset webhook URL hid every other problem, an analyst's typo among them
  // (a review).
  // A second read: an alias copied the stand-in elsewhere ("expected number" at the alias), and a check whose id is
  // unset lost its real problems.
  it('reports no problem of a stand-in copied by an alias, and keeps a real one of a check whose id is unset', () => {
    const dir = writeConfigDir({
      'guardrail.yaml': `state: { url: "sqlite://state.db" }
connections:
  src: { type: duckdb }
  dst: { type: duckdb }
checks:
  - id: a
    kind: row-count-consistency
    source: src
    target: dst
    tolerance: &tol { rows: "\${ROWS}" }
    tables: [{ source: a.b, target: a.b }]
  - id: "\${ID}"
    kind: row-count-consistency
    source: src
    target: dst
    tolerance: *tol
    tables: [{ source: a.b, target: ab }]
alerts:
  channels:
    console: { type: console }
  routes:
    - { channel: console }
`,
    });

    const error = captureError(() => loadConfig(join(dir, 'guardrail.yaml'), {}));

    expect(shown(error, dir)).toEqual([
      'guardrail.yaml:10:29 checks[0].tolerance.rows: environment variable ROWS is not set',
      'guardrail.yaml:12:9 checks[1].id: environment variable ID is not set',
      expect.stringMatching(
        /^guardrail\.yaml:17:\d+ checks\[1\]\.tables\[0\]\.target \(check \$\{ID\}\): table name must be/,
      ),
    ]);
  });

  // Found in a trial: a scheme typo in a URL whose password is unset was reported only once the password was set.
  it('reports what is wrong around an unset variable (the scheme of a URL holding it) beside the variable', () => {
    const dir = writeConfigDir({
      'guardrail.yaml': `state: { url: "postgress://guardrail:\${STATE_PW}@db/state" }
connections:
  src: { type: postgres, url: "postgress://guardrail:\${SRC_PW}@db:5432/app" }
  dst: { type: mysql, url: "\${DST_URL}" }
  # The stand-in inside the scheme: what is checked there is not the user's text.
  alt: { type: postgres, url: "postgres\${QL}://u:p@db/app" }
checks:
  - { id: c, kind: row-count-consistency, source: src, target: dst, tables: [{ source: a.b, target: a.b }] }
alerts:
  channels:
    console: { type: console }
  routes:
    - { channel: console }
`,
    });

    const error = captureError(() => loadConfig(join(dir, 'guardrail.yaml'), {}));

    expect(shown(error, dir)).toEqual([
      'guardrail.yaml:1:15 state.url: environment variable STATE_PW is not set',
      'guardrail.yaml:3:31 connections.src.url: environment variable SRC_PW is not set',
      'guardrail.yaml:4:28 connections.dst.url: environment variable DST_URL is not set',
      'guardrail.yaml:6:31 connections.alt.url: environment variable QL is not set',
      'guardrail.yaml:1:15 state.url: state url must be sqlite://PATH or postgres://USER@HOST/DB (postgresql:// also works)',
      'guardrail.yaml:3:31 connections.src.url: connection url (value hidden): a postgress: URL; expected postgres:// or postgresql:// or socket://',
    ]);
  });

  it('checks the rest of the config with stand-ins for unset variables, and reports both', () => {
    const dir = writeConfigDir({
      'guardrail.yaml': `state: { url: "\${STATE_URL}" }
connections:
  src: { type: duckdb }
  dst: { type: duckdb }
checks:
  - id: users-consistency
    kind: row-count-consistency
    source: src
    target: dst
    tableFiles: tables/*.yaml
  - { id: other, kind: row-count-consistency, source: src, target: dst, tolerance: { rows: "\${ROWS}" }, tables: [{ source: a.b, target: a.b }] }
alerts:
  channels:
    chat: { type: google-chat, webhookUrl: "\${CHAT_URL}" }
  routes:
    - { channel: chat }
`,
      'tables/new.yaml': '- { source: main.orders, target: mainorders }\n',
    });

    const error = captureError(() => loadConfig(join(dir, 'guardrail.yaml'), {}));

    expect(shown(error, dir)).toEqual([
      'guardrail.yaml:1:15 state.url: environment variable STATE_URL is not set',
      'guardrail.yaml:11:92 checks[1].tolerance.rows: environment variable ROWS is not set',
      'guardrail.yaml:14:44 alerts.channels.chat.webhookUrl: environment variable CHAT_URL is not set',
      expect.stringMatching(
        /^tables\/new\.yaml:1:34 \[0\]\.target \(check users-consistency\): table name must be/,
      ),
    ]);
    // What the stand-ins themselves get wrong is not reported: not a number, not a state URL.
    expect(error.message).not.toMatch(/unset\.invalid|expected number|state url must/i);
  });
});

/** Each problem as validate prints it, relative to `dir`, without the hint that follows an unset variable. */
function shown(error: ConfigError, dir: string): string[] {
  return error.issues.map((i) =>
    formatIssue(i)
      .replace(dir + sep, '')
      .replace(/ \(set it, .*/, ''),
  );
}

function captureError(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError');
}
