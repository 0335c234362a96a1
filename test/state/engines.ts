import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freshPgDatabase } from '../harness/databases';

const tempDirs: string[] = [];

/** Removes the SQLite files `engines` created; call it from afterAll. */
export function removeTempDirs(): void {
  tempDirs.splice(0).forEach((dir) => rmSync(dir, { recursive: true, force: true }));
}

/** Both stores, each as a function returning the URL of a new, empty store, for `describe.each`. */
export const engines: [string, () => Promise<string>][] = [
  [
    'sqlite',
    async () => {
      const dir = mkdtempSync(join(tmpdir(), 'guardrail-state-'));
      tempDirs.push(dir);
      return `sqlite://${join(dir, 'state.db')}`;
    },
  ],
  ['postgres', () => freshPgDatabase('state')],
];
