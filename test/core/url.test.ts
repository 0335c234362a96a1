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
  ])('%s → %s', (url, expected) => {
    expect(redactUrlSecrets(url)).toBe(expected);
  });
});
