// `npm run build`: bundles the CLI with esbuild into dist/src/cli. guardrail.mjs is the CLI, ESM so that each
// lazily imported command, check client and SDK lands in its own chunk (chunks/) and loads only when used;
// main.js is the small CommonJS binary that turns on the compile cache and then imports guardrail.mjs.
// Type checking is separate (`npm run typecheck`).
import { build } from 'esbuild';
import { rmSync, writeFileSync } from 'node:fs';

const OUT = 'dist/src/cli';

/**
 * Left to node_modules: native addons (DuckDB, better-sqlite3), drivers with optional native or dynamic
 * requires (pg's pg-native, mysql2), and the Google client (protobuf descriptors read from disk). Each is
 * imported lazily by the one connector or store that needs it.
 */
const EXTERNAL = [
  '@duckdb/node-api',
  'better-sqlite3',
  'pg',
  'mysql2',
  'mysql2/promise',
  '@google-cloud/bigquery',
];

// Bundled CommonJS packages call require() for Node built-ins; ESM has no require, so each chunk gets one.
const BANNER = [
  "import { createRequire as __guardrailRequire } from 'node:module';",
  "import { fileURLToPath as __guardrailPath } from 'node:url';",
  "import { dirname as __guardrailDirname } from 'node:path';",
  'const require = __guardrailRequire(import.meta.url);',
  'const __filename = __guardrailPath(import.meta.url);',
  'const __dirname = __guardrailDirname(__filename);',
].join('\n');

rmSync(OUT, { recursive: true, force: true });
const common = {
  bundle: true,
  platform: 'node',
  target: 'node22',
  logLevel: 'warning',
  legalComments: 'none',
};
const cli = await build({
  ...common,
  entryPoints: { guardrail: 'src/cli/main.ts' },
  outdir: OUT,
  outExtension: { '.js': '.mjs' },
  format: 'esm',
  splitting: true,
  chunkNames: 'chunks/[name]-[hash]',
  // The AWS SDK's ES modules, not its CommonJS build: only the commands Guardrail sends are kept.
  mainFields: ['module', 'main'],
  external: EXTERNAL,
  banner: { js: BANNER },
  minifyWhitespace: true,
  minifySyntax: true,
  metafile: true,
});
await build({ ...common, entryPoints: { main: 'src/cli/bin.ts' }, outdir: OUT, format: 'cjs' });

// Which package each chunk holds, for the test that a config without AWS checks loads no AWS client.
const chunks = Object.fromEntries(
  Object.entries(cli.metafile.outputs).map(([file, o]) => [
    file,
    [
      ...new Set(
        Object.keys(o.inputs).map((i) => /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(i)?.[1] ?? 'guardrail'),
      ),
    ],
  ]),
);
writeFileSync('dist/bundle-packages.json', JSON.stringify(chunks, null, 1));
const bytes = Object.values(cli.metafile.outputs).reduce((sum, o) => sum + o.bytes, 0);
const files = Object.keys(cli.metafile.outputs).length;
console.log(`built ${OUT}: ${files} files, ${(bytes / 2 ** 20).toFixed(1)} MB`);
