import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

const CLI = join(__dirname, '../../dist/src/cli/main.js');

describe('output read by a pipe that closes early', () => {
  // `guardrail schema | head -1`: head exits after its line, and a later write (the schema is 69 KB, more than a
  // pipe holds) finds the pipe closed. It printed "Unhandled 'error' event" with a stack trace and exited 1.
  it('schema | head -c 10 ends quietly with exit 0', () => {
    const result = spawnSync(
      'bash',
      ['-c', `"${process.execPath}" "${CLI}" schema | head -c 10 >/dev/null; echo "\${PIPESTATUS[0]}"`],
      { encoding: 'utf8', timeout: 20_000 },
    );

    expect(result.stderr).toBe('');
    expect(result.stdout.trim()).toBe('0');
  });
});
