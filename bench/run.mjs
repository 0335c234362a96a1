// Runs every bench/*.bench.ts (or the ones named on the command line) and prints their figures.
import { chmodSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);
require('./register.js');

const wanted = process.argv.slice(2);
const files = readdirSync(here)
  .filter((f) => f.endsWith('.bench.ts'))
  .filter((f) => !wanted.length || wanted.some((w) => f.includes(w)))
  .sort();
// Every folder the benches, their servers and the processes they time make under os.tmpdir() goes at the end.
const tmp = mkdtempSync(join(tmpdir(), 'guardrail-bench-'));
chmodSync(tmp, 0o711); // run as root, the database servers run as their own users and must reach their folders
process.env.TMPDIR = tmp;
try {
  for (const file of files) {
    console.log(`\n=== ${file}`);
    const { main } = require(join(here, file));
    await main();
  }
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
