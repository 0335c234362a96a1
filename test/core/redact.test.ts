import { errorMessage, redact } from '../../src/core/redact';

describe('redact', () => {
  it.each([
    [
      'webhook query string',
      'POST https://chat.googleapis.com/v1/spaces/AAA/messages?key=KEY&token=TOK failed',
      'POST https://chat.googleapis.com/v1/spaces/AAA/messages?*** failed',
    ],
    [
      'user:password',
      'connect postgres://guard:s3cret@db.internal:5432/state refused',
      'connect postgres://guard:***@db.internal:5432/state refused',
    ],
    ['lone token', 'GET https://tok3n@example.com/hook', 'GET https://***@example.com/hook'],
    [
      "an unencoded '@' in the password",
      'postgres://guard:p@ssw0rd-tail@host/db',
      'postgres://guard:***@host/db',
    ],
    [
      "several '@' in the password, and a query",
      'postgresql://guard:a@b@c@db:5432/state?sslmode=require&password=x',
      'postgresql://guard:***@db:5432/state?***',
    ],
    ["an '@' in a lone token", 'https://t@k@n@example.com/x', 'https://***@example.com/x'],
    [
      "an '@' in the path, not the authority",
      'https://example.com/users/@me?x=1',
      'https://example.com/users/@me?***',
    ],
    [
      'several URLs in one text',
      "primary postgres://a:pw1@h1/db, replica 'postgres://b:p@w2@h2/db' and hook https://chat.googleapis.com/v1/x?key=K",
      "primary postgres://a:***@h1/db, replica 'postgres://b:***@h2/db' and hook https://chat.googleapis.com/v1/x?***",
    ],
    [
      'text without URLs',
      'mail ops@example.com, login a:b@c, 50% done?',
      'mail ops@example.com, login a:b@c, 50% done?',
    ],
  ])('hides the secret of %s', (_case, text, expected) => {
    expect(redact(text)).toBe(expected);
  });

  it('hides listed secrets of at least 3 characters', () => {
    expect(redact('password hunter22 for ab', ['hunter22', 'ab'])).toBe('password *** for ab');
  });

  it('redacts the message of any thrown value', () => {
    expect(errorMessage(new Error('no route to postgres://u:p@ss@h/db'))).toBe(
      'no route to postgres://u:***@h/db',
    );
    expect(errorMessage('https://x.example/hook?token=T')).toBe('https://x.example/hook?***');
  });
});
