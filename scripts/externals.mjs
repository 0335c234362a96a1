// The packages the bundle leaves to node_modules (scripts/build.mjs), and so the only ones the image keeps
// (scripts/prune-bundled.mjs): native addons (DuckDB, better-sqlite3), drivers with optional native or dynamic
// requires (pg's pg-native, mysql2), and the Google client (protobuf descriptors read from disk). Each is imported
// lazily by the one connector or store that needs it.
export const EXTERNAL = [
  '@duckdb/node-api',
  'better-sqlite3',
  'pg',
  'mysql2',
  'mysql2/promise',
  '@google-cloud/bigquery',
];
