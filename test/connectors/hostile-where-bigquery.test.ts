import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { CountResult } from '../../src/connectors/types';
import type { ReadOnlyScenario } from './hostile-where-bigquery-child';

interface Outcome {
  results: CountResult[];
  calls: string[];
}

/** The real BigQuery client against the loopback server, in a child process (see bigquery-child.ts). */
async function scenario(input: ReadOnlyScenario): Promise<Outcome> {
  const child = join(__dirname, 'hostile-where-bigquery-child.ts');
  const register = join(__dirname, '../../bench/register.js');
  const { stdout } = await promisify(execFile)(
    process.execPath,
    ['-r', register, child, JSON.stringify(input)],
    {
      timeout: 30_000,
    },
  );
  return JSON.parse(stdout) as Outcome;
}

describe('bigquery runs only what its dry run calls a SELECT', () => {
  it.each([
    ['an INSERT', 'INSERT', 'read-only connection: refusing to run a INSERT (only SELECT runs)'],
    [
      'a script of several statements',
      'SCRIPT',
      'read-only connection: refusing to run a SCRIPT (only SELECT runs)',
    ],
    [
      'a statement of no reported type',
      null,
      'read-only connection: refusing to run a statement of unknown type (only SELECT runs)',
    ],
  ])(
    'refuses %s: the count fails, and no job but the dry run is created',
    async (_what, statementType, message) => {
      const outcome = await scenario({ statementType });

      expect(outcome.results).toEqual([{ id: '1', error: { code: 'query-failed', message } }]);
      expect(outcome.calls.filter((c) => c.includes('/jobs') && !c.endsWith('dryRun'))).toEqual([]);
    },
  );

  it('runs a SELECT', async () => {
    const outcome = await scenario({ statementType: 'SELECT' });

    expect(outcome.results).toEqual([{ id: '1', rows: 1 }]);
    expect(outcome.calls.filter((c) => c.includes('/jobs') && !c.endsWith('dryRun'))).toHaveLength(1);
  });
});
