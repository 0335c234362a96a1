import { join } from 'node:path';
import { stateUrlFlag } from '../../src/cli/flags';
import { loadConfig } from '../../src/config/load';
import { BASE_CONFIG, writeConfigDir } from './config-files';

// A database URL the driver would misread fails validation at its line, and the message never holds the URL:
// with a # in the password, pg and mysql2 (WHATWG URLs) took what followed the @ before it for a host name, which
// the DNS error then printed: a piece of the password in the report and the logs.
const config = (type: string) => `connections:
  db: { type: ${type}, url: "\${DB_URL}" }
  dst: { type: duckdb }
checks:
  - id: c
    kind: row-count-consistency
    source: db
    target: dst
    tables: [{ source: a.b, target: a.b }]
`;

/** The config error loading `text` with `env` gives, or undefined when it loads. */
function loadError(text: string, env: NodeJS.ProcessEnv): string | undefined {
  const dir = writeConfigDir({ 'guardrail.yaml': text });
  try {
    loadConfig(join(dir, 'guardrail.yaml'), env);
    return undefined;
  } catch (error) {
    return (error as Error).message;
  }
}

const problem = (type: string, url: string) => loadError(config(type), { DB_URL: url });

describe('database connection URLs', () => {
  it.each([
    ['postgres', 'mysql://gr:S3cretPW@h/db', /a mysql: URL; expected postgres:\/\/ or postgresql:\/\//],
    ['postgres', 'S3cretPW', /not a URL; expected postgres:\/\//],
    ['postgres', 'postgres://gr:S3cretPW@h:99999/db', /not a valid URL \(a bad port/],
    ['postgres', 'postgres://gr:Pa@ss#S3cretPW@127.0.0.1:5432/db', /holds a # \(in the password\? .*%23\)/],
    ['mysql', 'postgres://gr:S3cretPW@h/db', /a postgres: URL; expected mysql:\/\/ or mariadb:\/\//],
    // Here the # cuts the authority at `gr:S3c`, which reads as a host and a port that is not a number.
    ['mysql', 'mysql://gr:S3c#retPW@h/db', /not a valid URL .*%23/],
    // The host ends at the first '/': the driver would look up `Pa@ss`'s `ss`, and a DNS error print it (a review).
    [
      'postgres',
      'postgres://gr:Pa@ss/S3cretPW@127.0.0.1:5432/db',
      /an @ after the host \(a \/ or @ in the password\? .*%2F and %40\)/,
    ],
    ['mysql', 'mysql://gr:Pa@ss/S3cretPW@127.0.0.1/db', /an @ after the host/],
  ])('%s: %s is refused at its line, value hidden', (type, url, expected) => {
    const message = problem(type, url);

    expect(message).toMatch(/guardrail\.yaml:2:\d+ connections\.db\.url: connection url \(value hidden\): /);
    expect(message).toMatch(expected);
    expect(message).not.toMatch(/S3c|retPW|gr:/);
  });

  it.each([
    ['postgres', 'postgres://gr:S3cret@127.0.0.1:5432/db'],
    ['postgres', 'postgresql://gr:Pa%23ss%40w0rd@db.internal/app?sslmode=require'],
    // WHATWG URLs split user and host at the last @ of the authority: an @ in the password reads as meant.
    ['postgres', 'postgres://gr:Pa@ss@127.0.0.1:5432/db'],
    // Unix sockets, as pg-connection-string reads them (a stand-in host where the host is empty).
    ['postgres', 'socket:/var/run/postgresql?db=app'],
    ['postgres', 'socket://u:p@/var/run/postgresql?db=app'],
    ['postgres', 'postgres://u:p@/db?host=/var/run/postgresql'],
    ['postgres', 'postgresql://u@/db?host=/cloudsql/proj:asia-northeast3:inst'],
    ['postgres', 'postgres://gr:S3cret@[::1]:5432/db'],
    ['mysql', 'mysql://gr:S3cret@127.0.0.1:3306/db'],
    ['mysql', 'mysql://gr@db.internal/app?ssl={"rejectUnauthorized":true}'],
    ['mysql', 'mariadb://gr:S3cret@127.0.0.1/db'],
  ])('%s: %s is accepted', (type, url) => {
    expect(problem(type, url)).toBeUndefined();
  });
});

it('refuses a MySQL URL without a host (mysql2 reads it as it is), value hidden', () => {
  expect(problem('mysql', 'mysql://gr:S3cretPW@/db')).toMatch(/not a valid URL/);
});

it('leaves a URL alone while iam-policy reads its unset secret as a stand-in (it prints a policy, never connects)', () => {
  const dir = writeConfigDir({
    'guardrail.yaml': config('postgres').replace(
      '${DB_URL}',
      'postgres://guardrail:${PG_PASSWORD}@db:5432/app',
    ),
  });
  const file = join(dir, 'guardrail.yaml');

  expect(() => loadConfig(file, {}, { secrets: 'placeholder' })).not.toThrow();
  expect(() => loadConfig(file, {})).toThrow(/PG_PASSWORD is not set/);
});

describe('the state store URL', () => {
  const state = (url: string) =>
    loadError(BASE_CONFIG.replace('"sqlite://state.db"', '"${STATE_URL}"'), { STATE_URL: url });

  it('refuses a PostgreSQL URL the driver would misread, value hidden, as for connections', () => {
    const message = state('postgres://gr:Pa@ss#S3cretPW@db/state');

    expect(message).toMatch(/guardrail\.yaml:1:\d+ state\.url: state url \(value hidden\): it holds a #/);
    expect(message).not.toMatch(/S3c|retPW/);
  });

  it('accepts SQLite paths and well-formed PostgreSQL URLs', () => {
    expect(state('sqlite://.guardrail/state.db')).toBeUndefined();
    expect(state('postgresql://gr:Pa%23ss@db:5432/state')).toBeUndefined();
  });
});

describe('--state', () => {
  it('says why a PostgreSQL URL is refused, without the URL', () => {
    const refuse = () => stateUrlFlag({ state: 'postgres://gr:Pa@ss#S3cretPW@db/state' }, {});

    expect(refuse).toThrow(
      /^--state must be sqlite:\/\/PATH or postgres:\/\/USER@HOST\/DB: state url \(value hidden\): it holds a #/,
    );
    expect(refuse).not.toThrow(/S3c/);
  });

  it("refuses a password with a '/' and an '@' in it before anything connects (a review)", () => {
    const refuse = () => stateUrlFlag({ state: 'postgres://u:p@ss/HUNTER11@127.0.0.1:1/db' }, {});

    expect(refuse).toThrow(/state url \(value hidden\): it holds an @ after the host/);
    expect(refuse).not.toThrow(/HUNTER|ss\//);
  });
});

// A trial's URL with a # in its password was reported right, then followed by "unknown connection 'dst'
// (connections: none defined)" for every check: the whole `connections` key had been dropped for one bad entry.
it('reports a bad connection URL once, without calling the other connections or itself unknown', () => {
  const message = problem('postgres', 'postgres://gr:Pa@ss#S3cretPW@127.0.0.1:5432/db');

  expect(message!.split('\n')).toHaveLength(1);
  expect(message).toMatch(/connections\.db\.url: connection url \(value hidden\)/);
  expect(message).not.toMatch(/unknown connection/);
});

it('still calls unknown a connection that no entry names, beside a bad one', () => {
  const text = config('postgres').replace('    target: dst\n', '    target: dstt\n');

  const message = loadError(text, { DB_URL: 'S3cretPW' });

  expect(message).toMatch(/connections\.db\.url: connection url \(value hidden\)/);
  expect(message).toMatch(/checks\[0\]\.target \(check c\): unknown connection 'dstt' \(connections: dst\)/);
  expect(message).not.toMatch(/unknown connection 'db'/);
});
