import { isAbsolute, resolve } from 'node:path';
import type { StateStore } from './types';
import { errorMessage } from '../core/redact';
import { redactUrlSecrets } from '../core/url';

const ACCEPTED_FORMS =
  'sqlite://PATH, sqlite://:memory:, postgres://USER@HOST/DB or postgresql://USER@HOST/DB';

/**
 * Opens the state store a URL names and applies pending migrations.
 * A relative sqlite path is resolved against `baseDir` (the config file's folder).
 */
export async function openStateStore(url: string, baseDir: string): Promise<StateStore> {
  const file = sqliteFile(url, baseDir);
  let store: StateStore | undefined;
  try {
    store = file === undefined ? await createStore(url) : await openSqlite(file);
    await store.migrate();
  } catch (error) {
    await store?.close().catch(() => undefined);
    if (file !== undefined && cannotWrite(error)) throw notWritable(file, error);
    const reason = errorMessage(error);
    throw new Error(`Cannot open the state store ${redactUrlSecrets(url)}: ${reason}`, { cause: error });
  }
  return labelled(store, redactUrlSecrets(url));
}

/** Marks an error already named as the state store's. */
const STORE_ERROR = Symbol('guardrail.stateStoreError');
/** Marks an error thrown by a caller's callback that the store ran (e.g. `updateAlerts`'s decide): not the store's. */
const CALLERS_ERROR = Symbol('guardrail.callersError');

const isThenable = (value: unknown): value is PromiseLike<unknown> =>
  typeof (value as PromiseLike<unknown> | undefined)?.then === 'function';

/** Runs `f`, passing on what it returns or throws after `onError` had a look at the error. */
function guarded(f: () => unknown, onError: (error: unknown) => unknown): unknown {
  try {
    const result = f();
    // A thenable, not `instanceof Promise`: a promise of another realm (a test's sandbox) is one too.
    return isThenable(result)
      ? Promise.resolve(result).catch((error: unknown) => {
          throw onError(error);
        })
      : result;
  } catch (error) {
    throw onError(error);
  }
}

/**
 * The store, its errors named as its own: a store that went away mid-run failed the run with a bare
 * `connect ECONNREFUSED 127.0.0.1:25433`, which on a host whose monitored database is PostgreSQL too says
 * nothing of which one failed. The error itself is renamed (its class, code and cause stay), and an error
 * thrown by a callback the caller handed the store is left as it is: it is the caller's.
 */
function labelled(store: StateStore, name: string): StateStore {
  const callers = (error: unknown): unknown => {
    if (typeof error === 'object' && error !== null)
      Object.defineProperty(error, CALLERS_ERROR, { value: true });
    return error;
  };
  const named = (error: unknown): unknown => {
    if (typeof error === 'object' && error !== null) {
      if (STORE_ERROR in error || CALLERS_ERROR in error) return error;
      const e = error as { message?: unknown };
      if (typeof e.message === 'string' && Object.isExtensible(error)) {
        e.message = `state store ${name}: ${e.message}`;
        Object.defineProperty(error, STORE_ERROR, { value: true });
        return error;
      }
    }
    // Not `instanceof Error`: a native addon's errors are of the main realm's Error, not a test sandbox's.
    return Object.assign(new Error(`state store ${name}: ${errorMessage(error)}`, { cause: error }), {
      [STORE_ERROR]: true,
    });
  };
  const methods = new Map<PropertyKey, unknown>();
  return new Proxy(store, {
    get(target, key) {
      const value: unknown = Reflect.get(target, key, target);
      if (typeof value !== 'function') return value;
      let method = methods.get(key);
      if (!method) {
        method = (...args: unknown[]) => {
          const passed = args.map((a) =>
            typeof a === 'function'
              ? (...inner: unknown[]) => guarded(() => (a as (...x: unknown[]) => unknown)(...inner), callers)
              : a,
          );
          return guarded(() => (value as (...a: unknown[]) => unknown).apply(target, passed), named);
        };
        methods.set(key, method);
      }
      return method;
    },
  });
}

/** The file a sqlite URL names (relative paths against `baseDir`), or undefined for other schemes. */
/** The SQLite file a state URL names (`:memory:` as it is), resolved against `baseDir`; undefined for PostgreSQL. */
export function sqliteFile(url: string, baseDir: string): string | undefined {
  if (!url.startsWith('sqlite://')) return undefined;
  const path = url.slice('sqlite://'.length);
  if (path === '') throw new Error(`State store URL ${url} names no file; accepted forms: ${ACCEPTED_FORMS}`);
  return path === ':memory:' || isAbsolute(path) ? path : resolve(baseDir, path);
}

// Each store loads its driver on first use: a run on SQLite never loads pg, and the reverse.
async function openSqlite(file: string): Promise<StateStore> {
  const { SqliteStateStore } = await import('./sqlite-store.js');
  return new SqliteStateStore(file);
}

async function createStore(url: string): Promise<StateStore> {
  if (url.startsWith('postgres://') || url.startsWith('postgresql://')) {
    const { PostgresStateStore } = await import('./postgres-store.js');
    return new PostgresStateStore(url);
  }
  throw new Error(`Unsupported state store URL ${redactUrlSecrets(url)}; accepted forms: ${ACCEPTED_FORMS}`);
}

/** Errors of a file or folder this process may not write: permissions, a read-only file system or database. */
const NOT_WRITABLE_CODES = new Set(['EACCES', 'EPERM', 'EROFS', 'SQLITE_CANTOPEN', 'SQLITE_READONLY']);

function cannotWrite(error: unknown): boolean {
  const code = (error as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' && [...NOT_WRITABLE_CODES].some((c) => code.startsWith(c));
}

/** Names the path and every way to move the state, instead of a bare EACCES. */
function notWritable(file: string, error: unknown): Error {
  return new Error(
    `Cannot write the state store ${file} (${errorMessage(error)}). Point it somewhere writable: ` +
      `--state sqlite:///ABSOLUTE/PATH or env GUARDRAIL_STATE_URL (or postgres://... for shared state), ` +
      `or env GUARDRAIL_STATE_DIR, the folder a relative sqlite path resolves against; in the container image ` +
      `mount a writable volume at /var/lib/guardrail.`,
    { cause: error },
  );
}

/**
 * Network errors, and PostgreSQL's "cannot connect now" (starting, shutting down) and "too many connections". Not
 * ENOTFOUND: a host name that does not resolve is far more often a typo than a DNS outage (EAI_AGAIN), and waiting
 * for ever on a typo hides it.
 */
const UNREACHABLE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EPIPE',
  'EAI_AGAIN',
  '57P01',
  '57P02',
  '57P03',
  '53300',
]);
/** pg's own words for a connection that timed out or ended before it answered. */
const UNREACHABLE_MESSAGES = /timeout expired|Connection terminated|connection timeout|Query read timeout/i;

/**
 * Whether opening the state store failed because its server could not be reached (it may answer later: a
 * failover, a database starting beside the agent), rather than because of what was asked (credentials, a missing
 * database, a folder that cannot be written), which waiting does not mend.
 */
export function stateStoreUnreachable(error: unknown): boolean {
  const seen = new Set<unknown>();
  const pending: unknown[] = [error];
  while (pending.length) {
    const e = pending.pop();
    if (!e || typeof e !== 'object' || seen.has(e)) continue;
    seen.add(e);
    const { code, message, cause, errors } = e as {
      code?: unknown;
      message?: unknown;
      cause?: unknown;
      errors?: unknown;
    };
    if (typeof code === 'string' && UNREACHABLE_CODES.has(code)) return true;
    if (typeof message === 'string' && UNREACHABLE_MESSAGES.test(message) && typeof code !== 'string')
      return true;
    pending.push(cause, ...(Array.isArray(errors) ? errors : []));
  }
  return false;
}
