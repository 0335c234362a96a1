import { stat } from 'node:fs/promises';
import { mayBlock } from '../core/blocking-calls';
// The SQL that readies a DuckDB database (see duckdb.ts): views over the configured files, the lockdown, and each
// session's catalog and search path.

import { basename, extname, isAbsolute, resolve } from 'node:path';
import { quote, stringLiteral } from './duckdb-dialect';

/** The table function that reads a landed file, by its extension. */
export function readerFor(location: string): string {
  const path = stringLiteral(location);
  const lower = location.toLowerCase();
  if (/\.parquet$|\.parq$/.test(lower)) return `read_parquet(${path})`;
  if (/\.(json|ndjson|jsonl)(\.gz)?$/.test(lower)) return `read_json_auto(${path})`;
  return `read_csv_auto(${path})`;
}

export function resolveLocation(location: string, configDir: string): string {
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(location) || isAbsolute(location)
    ? location
    : resolve(configDir, location);
}

/** The files the configured views read, as resolved (URLs and globs left out: they are not one file). */
export function viewFiles(views: Record<string, string>, configDir: string): Set<string> {
  return new Set(
    Object.values(views)
      .map((location) => resolveLocation(location, configDir))
      .filter((path) => isAbsolute(path) && !/[*?[{]/.test(path)),
  );
}

/** The in-memory catalog every DuckDB connector opens; configured views live there. */
export const MEMORY_CATALOG = 'memory';
/** Catalog names DuckDB reserves, which an attached file cannot take. */
const RESERVED_CATALOGS = new Set(['memory', 'temp', 'system', 'main']);
/** Alias of an attached file whose own name is reserved or empty. */
const FALLBACK_CATALOG = 'guardrail_db';

/** The schemas (other than `main`) that the configured views live in. */
function viewSchemas(views: Record<string, string>): string[] {
  const schemas = new Set<string>();
  for (const name of Object.keys(views)) {
    const parts = name.split('.');
    if (parts.length > 1) schemas.add(parts.slice(0, -1).join('.'));
  }
  schemas.delete('main');
  return [...schemas];
}

/**
 * Statements that create the configured views (`schema.view` creates the schema). With `catalog`, the views
 * and schemas are created in that catalog (the in-memory one), never in an attached database file.
 */
export function viewStatements(views: Record<string, string>, configDir: string, catalog?: string): string[] {
  const out: string[] = [];
  const prefix = catalog ? [catalog] : [];
  for (const [name, location] of Object.entries(views)) {
    const parts = name.split('.');
    if (parts.length > 1) {
      out.push(`CREATE SCHEMA IF NOT EXISTS ${[...prefix, ...parts.slice(0, -1)].map(quote).join('.')}`);
    }
    const qualified = [...prefix, ...(parts.length > 1 ? [] : ['main']), ...parts];
    const from = readerFor(resolveLocation(location, configDir));
    out.push(
      `CREATE OR REPLACE VIEW ${(catalog ? qualified : parts).map(quote).join('.')} AS SELECT * FROM ${from}`,
    );
  }
  return out;
}

/** The catalog name a database file is attached under: its file name without extension, as DuckDB names it. */
export function catalogFor(file: string): string {
  const stem = basename(file, extname(file));
  return stem && !RESERVED_CATALOGS.has(stem.toLowerCase()) ? stem : FALLBACK_CATALOG;
}

/**
 * Session settings for every connection (UTC is set for the whole database before its configuration is
 * locked, see {@link lockdownStatements}): with a database file attached, the file as default catalog and the in-memory views on the search path, so `table`, `schema.table` and
 * `catalog.schema.table` resolve as when the file was opened directly.
 */
export function sessionStatements(
  attached: { catalog: string; schemas: readonly string[] } | undefined,
  views: Record<string, string>,
): string[] {
  const out: string[] = [];
  if (!attached) return out;
  // DuckDB looks a `schema.table` whose schema is on no search path entry up in the first entry's catalog:
  // the file's `main` comes first so its schemas resolve as before.
  const path = [`${quote(attached.catalog)}.${quote('main')}`, `${quote(MEMORY_CATALOG)}.${quote('main')}`];
  for (const schema of viewSchemas(views)) {
    path.push(`${quote(MEMORY_CATALOG)}.${quote(schema)}`);
    // A view schema that the file also has: both are searched, so the file's tables in it still resolve.
    if (attached.schemas.includes(schema)) path.push(`${quote(attached.catalog)}.${quote(schema)}`);
  }
  out.push(`USE ${quote(attached.catalog)}`, `SET search_path = ${stringLiteral(path.join(','))}`);
  return out;
}

/** A glob's fixed directory (`landing/users/*.parquet` → `landing/users/`), or undefined for a plain path. */
function globDirectory(location: string): string | undefined {
  const glob = location.search(/[*?[{]/);
  return glob < 0 ? undefined : location.slice(0, location.lastIndexOf('/', glob) + 1);
}

/**
 * Run once the views exist, before any count: UTC for every session (as the MySQL and PostgreSQL sessions, so
 * window bounds compare with TIMESTAMPTZ columns as UTC whatever the host's TZ); then no file or URL but the
 * views' own can be read or written (no `COPY ... TO`, `read_text()`, `read_csv()` of another file, no
 * `INSTALL`), and the configuration is locked so no statement can turn that back on.
 * @see https://duckdb.org/docs/stable/operations_manual/securing_duckdb/overview (checked 2026-12)
 */
export function lockdownStatements(views: Record<string, string>, configDir: string): string[] {
  const paths: string[] = [];
  const directories: string[] = [];
  for (const location of Object.values(views).map((l) => resolveLocation(l, configDir))) {
    const directory = globDirectory(location);
    if (directory) directories.push(directory);
    else paths.push(location);
  }
  const list = (items: string[]) => `[${items.map(stringLiteral).join(', ')}]`;
  return [
    "SET GLOBAL TimeZone = 'UTC'",
    ...(paths.length ? [`SET allowed_paths = ${list(paths)}`] : []),
    ...(directories.length ? [`SET allowed_directories = ${list(directories)}`] : []),
    'SET enable_external_access = false',
    'SET lock_configuration = true',
  ];
}

/**
 * Why a view's local file cannot be read, or undefined: missing (DuckDB would say "No files found that match the
 * pattern" and echo its statement on three lines), empty, or a FIFO, socket or device (DuckDB would wait on it in the
 * operating system, where its interrupt cannot reach). URLs and globs are left to DuckDB.
 */
export async function viewFileProblem(location: string, configDir: string): Promise<string | undefined> {
  const path = resolveLocation(location, configDir);
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(path) || /[*?[{]/.test(path)) return undefined;
  const found = await mayBlock(stat(path)).catch((err: NodeJS.ErrnoException) => err.code ?? 'error');
  if (found === 'ENOENT') return goneFile(path);
  if (typeof found === 'string' || found.isDirectory()) return undefined;
  // DuckDB reads an empty CSV as one column, `column0`: the time column was then 'missing', a critical finding
  // for what is a file cut or not yet written (a trial).
  if (found.isFile())
    return found.size === 0 ? `file ${path} is empty (0 bytes, not even a header line)` : undefined;
  const what = found.isFIFO() ? 'a FIFO (named pipe)' : found.isSocket() ? 'a socket' : 'a device';
  return `${path} is ${what}, not a file: DuckDB would wait on it for ever`;
}

export function goneFile(path: string): string {
  return `file ${path} does not exist: the view over it cannot be read (moved or removed?)`;
}
