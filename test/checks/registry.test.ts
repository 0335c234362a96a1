import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { CHECKS } from '../../checks/registry';
import { CHECKS_DIR, testCheck } from '../kit/check-kit';

describe('check registry', () => {
  it('lists exactly the folders under checks/, sorted by kind', () => {
    const folders = readdirSync(CHECKS_DIR)
      .filter((name) => statSync(join(CHECKS_DIR, name)).isDirectory())
      .sort();

    expect(CHECKS.map((c) => c.kind)).toEqual(folders);
  });
});

for (const def of CHECKS) testCheck(def);
