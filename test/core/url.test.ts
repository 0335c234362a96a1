import { redactUrlSecrets } from '../../src/core/url';

describe('redactUrlSecrets', () => {
  it.each([
    ['postgres://guard:s3cr%40t@db.internal:5432/state', 'postgres://guard:***@db.internal:5432/state'],
    [
      'postgres://db.internal/state?user=guard&password=hunter2',
      'postgres://db.internal/state?user=guard&password=***',
    ],
    [
      'postgresql://u@h/db?sslmode=verify-full&sslpassword=p%26w&application_name=x',
      'postgresql://u@h/db?sslmode=verify-full&sslpassword=***&application_name=x',
    ],
    ['mysql://u:p@h/db?ssl=true#frag', 'mysql://u:***@h/db?ssl=true#frag'],
    [
      'https://chat.googleapis.com/v1/spaces/A/messages?key=AIza&token=t0k',
      'https://chat.googleapis.com/v1/spaces/A/messages?key=***&token=***',
    ],
    ['sqlite://.guardrail/state.db', 'sqlite://.guardrail/state.db'],
    ['postgres://u:p@h/db?Password=x&PWD=y', 'postgres://u:***@h/db?Password=***&PWD=***'],
    // A password with a space, a '/' or an '@' in it (a review): hidden whole, to the last '@'.
    ['postgres://u:pa HUNTER3@127.0.0.1:1/db', 'postgres://u:***@127.0.0.1:1/db'],
    ['postgres://u:p@ss/HUNTER11@127.0.0.1:1/db', 'postgres://u:***@127.0.0.1:1/db'],
    ['mysql://u:p@ss/HUN TER@h/db?ssl=true', 'mysql://u:***@h/db?ssl=true'],
    // An '@' in the query is not the userinfo's (a second read): the password parameter is still hidden.
    [
      'postgres://db.example.com:5432/guardrail?user=svc@corp&password=S3cret',
      'postgres://db.example.com:5432/guardrail?user=svc@corp&password=***',
    ],
    [
      'postgres://u:pw@host:5432/state?application_name=me@laptop',
      'postgres://u:***@host:5432/state?application_name=me@laptop',
    ],
  ])('%s → %s', (url, expected) => {
    expect(redactUrlSecrets(url)).toBe(expected);
  });
});
