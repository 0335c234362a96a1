import { main } from '../../src/cli/main';

const SECRET_URL = 'postgres://guard:p@ssw0rd-tail@db.internal/state';

// `validate` fails with an error whose message (and so its stack) holds a password.
jest.mock('../../src/cli/validate', () => ({
  validateCommand: () => Promise.reject(new Error(`cannot reach ${SECRET_URL}`)),
}));

describe('GUARDRAIL_DEBUG', () => {
  const saved = process.env.GUARDRAIL_DEBUG;
  afterEach(() => {
    if (saved === undefined) delete process.env.GUARDRAIL_DEBUG;
    else process.env.GUARDRAIL_DEBUG = saved;
    jest.restoreAllMocks();
  });

  it('prints the stack of an unexpected error redacted', async () => {
    process.env.GUARDRAIL_DEBUG = '1';
    const written: string[] = [];
    jest.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
      written.push(String(chunk));
      return true;
    });

    const code = await main(['validate', '--config', 'unused.yaml']);

    const text = written.join('');
    expect(code).toBe(5);
    expect(text).toContain('cannot reach postgres://guard:***@db.internal/state\n    at ');
    expect(text).not.toContain('ssw0rd');
  });
});
