import { redact } from '../../src/connectors/errors';
import { provider } from '../kit/check-context';
import { testPgUrl } from '../harness/databases';

describe('secrets in connection errors', () => {
  it.each([
    [
      'connect to postgres://guard:s3cr%40t@db:5432/x failed',
      'connect to postgres://guard:***@db:5432/x failed',
    ],
    ['mysql://root:hunter2@127.0.0.1/db', 'mysql://root:***@127.0.0.1/db'],
    ['no url here', 'no url here'],
  ])('scrubs URL passwords: %s', (message, expected) => {
    expect(redact(message)).toBe(expected);
  });

  it('scrubs a listed secret wherever it appears', () => {
    expect(redact('password "hunter2" rejected', ['hunter2'])).toBe('password "***" rejected');
  });

  it('names an unknown connection and lists the configured ones', async () => {
    await expect(provider({ a: { type: 'duckdb' } }).get('b')).rejects.toThrow(
      "unknown connection 'b' (configured connections: a)",
    );
  });

  it('never shows the password of a connection that cannot open', async () => {
    const url = new URL(testPgUrl());
    url.username = 'nobody';
    url.password = 'Sup3rSecret';
    url.pathname = '/no_such_database';

    const error = await provider({ db: { type: 'postgres', url: url.toString() } })
      .get('db')
      .catch((err: Error) => err);

    expect(String(error)).toMatch(/^Error: cannot open connection 'db' \(postgres\): /);
    expect(String(error)).not.toContain('Sup3rSecret');
  });
});
