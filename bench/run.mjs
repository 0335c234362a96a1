// Runs every bench/*.bench.ts (or the ones named on the command line) and prints their figures.
import { readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
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
for (const file of files) {
  console.log(`\n=== ${file}`);
  const { main } = require(join(here, file));
  await main();
}
