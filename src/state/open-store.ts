import { isAbsolute, resolve } from 'node:path';
import { PostgresStateStore } from './postgres-store';
import { SqliteStateStore } from './sqlite-store';
import type { StateStore } from './types';
import { errorMessage } from '../core/redact';

const ACCEPTED_FORMS =
  'sqlite://PATH, sqlite://:memory:, postgres://USER@HOST/DB or postgresql://USER@HOST/DB';

/** Hides the password of a `scheme://user:password@host` URL (up to the last '@'), for messages and logs. */
export function redactUrl(url: string): string {
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/[^:/?#@]*):[^/?#\s]*@/i, '$1:***@');
}

/**
 * Opens the state store a URL names and applies pending migrations.
 * A relative sqlite path is resolved against `baseDir` (the config file's folder).
 */
export async function openStateStore(url: string, baseDir: string): Promise<StateStore> {
  const store = createStore(url, baseDir);
  try {
    await store.migrate();
  } catch (error) {
    await store.close().catch(() => undefined);
    const reason = errorMessage(error);
    throw new Error(`Cannot open the state store ${redactUrl(url)}: ${reason}`, { cause: error });
  }
  return store;
}

function createStore(url: string, baseDir: string): StateStore {
  if (url.startsWith('sqlite://')) {
    const path = url.slice('sqlite://'.length);
    if (path === '')
      throw new Error(`State store URL ${url} names no file; accepted forms: ${ACCEPTED_FORMS}`);
    return new SqliteStateStore(path === ':memory:' || isAbsolute(path) ? path : resolve(baseDir, path));
  }
  if (url.startsWith('postgres://') || url.startsWith('postgresql://')) return new PostgresStateStore(url);
  throw new Error(`Unsupported state store URL ${redactUrl(url)}; accepted forms: ${ACCEPTED_FORMS}`);
}
