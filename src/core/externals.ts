/**
 * The packages the bundle leaves to node_modules (scripts/externals.mjs) that a connector loads on first use,
 * loaded with require rather than import(). They are CommonJS: Node's loader, importing one from an ES module
 * (the bundle), scans its source and every file it re-exports for names to export (cjs-module-lexer), which
 * require skips. @duckdb/node-api loads 181 files, re-exported in turn: import() took 140 ms against 101 ms with require
 * (median of 20 cold processes each), in a quickstart run. A static import of one is required by the build itself
 * (scripts/build.mjs, requireExternals), which refuses a dynamic import() of one so that none comes back.
 */
interface Externals {
  '@duckdb/node-api': typeof import('@duckdb/node-api');
  '@google-cloud/bigquery': typeof import('@google-cloud/bigquery');
  'mysql2/promise': typeof import('mysql2/promise');
  pg: typeof import('pg');
}

/** `id`'s module.exports. */
export function requireExternal<K extends keyof Externals>(id: K): Externals[K] {
  // In the bundle, `require` is each chunk's own (createRequire of its file): the package resolves from there.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require(id) as Externals[K];
}
