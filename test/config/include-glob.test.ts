import { join } from 'node:path';
import { loadConfig } from '../../src/config/load';
import { ConfigError } from '../../src/config/errors';
import { BASE_CONFIG, captureError, writeConfigDir } from './config-files';

// An include glob that matches nothing (a renamed folder, a typo) would drop the checks of the files it was meant
// to include without a word: it is an error at its line, as a tableFiles glob that matches nothing is.
describe('include globs', () => {
  it('fails at the include line when a glob matches no file, naming the glob', () => {
    const dir = writeConfigDir({
      'guardrail.yaml': `include: ["team/*.yaml"]\n${BASE_CONFIG}`,
      'teams/a.yaml': 'checks: []\n',
    });

    const error = captureError(() => loadConfig(join(dir, 'guardrail.yaml'), {}));

    expect(error).toBeInstanceOf(ConfigError);
    expect(error.message).toMatch(
      /guardrail\.yaml:1:\d+ include\[0\]: no file matches "team\/\*\.yaml" \(relative to the folder of this config file\)/,
    );
  });

  it('includes every file a glob matches', () => {
    const dir = writeConfigDir({
      'guardrail.yaml': `include: ["teams/*.yaml"]\n${BASE_CONFIG}`,
      'teams/a.yaml':
        'checks:\n  - { id: team-a, kind: row-count-consistency, source: src, target: dst, tables: [{ source: a.b, target: a.b }] }\n',
    });

    const config = loadConfig(join(dir, 'guardrail.yaml'), {});

    expect(config.checks.map((c) => c.id)).toEqual(['users-consistency', 'team-a']);
  });
});
