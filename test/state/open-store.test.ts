import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { redactUrlSecrets as redactUrl } from '../../src/core/url';
import { openStateStore } from '../../src/state/open-store';

describe('openStateStore', () => {
  let baseDir: string;
  beforeEach(() => (baseDir = mkdtempSync(join(tmpdir(), 'guardrail-open-'))));
  afterEach(() => rmSync(baseDir, { recursive: true, force: true }));

  it('creates a relative sqlite file, and its folders, under the config folder', async () => {
    const store = await openStateStore('sqlite://.guardrail/state.db', baseDir);

    await store.setWatermark('c', 'w', 'v');
    await store.close();

    expect(existsSync(join(baseDir, '.guardrail', 'state.db'))).toBe(true);
  });

  it('opens an in-memory sqlite store', async () => {
    const store = await openStateStore('sqlite://:memory:', baseDir);

    await store.setWatermark('c', 'w', 'v');

    expect(await store.getWatermark('c', 'w')).toBe('v');
    await store.close();
  });

  it('rejects an unknown scheme, naming the accepted forms but not the password', async () => {
    const opening = openStateStore('mysql://guardrail:s3cret@db/state', baseDir);

    await expect(opening).rejects.toThrow(
      'Unsupported state store URL mysql://guardrail:***@db/state; accepted forms: sqlite://PATH',
    );
    await expect(opening).rejects.not.toThrow('s3cret');
  });

  it('does not leak the password when PostgreSQL cannot be reached', async () => {
    const opening = openStateStore('postgres://guardrail:s3cret@127.0.0.1:1/state', baseDir);

    await expect(opening).rejects.toThrow(
      'Cannot open the state store postgres://guardrail:***@127.0.0.1:1/state',
    );
    await expect(opening).rejects.not.toThrow('s3cret');
  });

  it.each([
    ['postgres://u:p@h/db', 'postgres://u:***@h/db'],
    ['postgres://guard:p@ssw0rd-tail@h/db', 'postgres://guard:***@h/db'],
    ['postgresql://u@h/db', 'postgresql://u@h/db'],
    ['sqlite://state.db', 'sqlite://state.db'],
  ])('redacts %s as %s', (url, expected) => {
    expect(redactUrl(url)).toBe(expected);
  });
});
