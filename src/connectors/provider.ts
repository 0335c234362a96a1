import type { Logger } from 'pino';
import type { AwsProvider } from '../aws/types';
import type { ConnectionConfig } from './config';
import type { ConnectionProvider, Connector } from './types';
import { openBigQuery } from './bigquery';
import { openDuckDb } from './duckdb';
import {
  clientTimeoutMs,
  CLOSE_TIMEOUT_MS,
  connectTimeoutMs,
  deadline,
  settledWithin,
  untilAborted,
} from './bounds';
import { errorMessage, redact, urlSecrets } from './errors';
import { openMysql } from './mysql';
import { openPostgres } from './postgres';
import { openRedshift } from './redshift';
import type { GcpSettings, OpenContext } from './open-context';

export interface ConnectionProviderOptions {
  configDir: string;
  gcp?: GcpSettings;
  log: Logger;
  aws?: AwsProvider;
}

// Connector modules are small; each loads its driver package with `await import` on first use, so commands
// that open no connection (validate, schema) start fast.
async function open(name: string, config: ConnectionConfig, ctx: OpenContext): Promise<Connector> {
  switch (config.type) {
    case 'duckdb':
      return openDuckDb(name, config, ctx);
    case 'mysql':
      return openMysql(name, config, ctx);
    case 'postgres':
      return openPostgres(name, config, ctx);
    case 'redshift':
      return openRedshift(name, config, ctx);
    case 'bigquery':
      return openBigQuery(name, config, ctx);
  }
}

function secretsOf(config: ConnectionConfig): string[] {
  return config.type === 'mysql' || config.type === 'postgres' ? urlSecrets(config.url) : [];
}

/** One connection's open: pending, or its connector once open. */
interface Opening {
  ready: Promise<Connector>;
  connector?: Connector;
  /** No longer cached (it failed, timed out, or was closed while pending): close it should it still arrive. */
  abandoned: boolean;
}

/**
 * Most an open may take before the provider gives up on it: a session's connect plus one statement (the
 * connectors' probe). Each connector bounds its own waits; this guards the cache against one that does not.
 */
function openLimitMs(config: ConnectionConfig): number {
  return connectTimeoutMs(config.statementTimeout) + clientTimeoutMs(config.statementTimeout);
}

/**
 * How long `closeAll()` lets an open that is still pending finish, so it closes with the others; one that
 * takes longer is closed when it arrives.
 */
const PENDING_OPEN_GRACE_MS = 1_000;
/** Most one connector's `close()` may take, over its own bounds, before the provider moves on. */
const CLOSE_LIMIT_MS = 2 * CLOSE_TIMEOUT_MS;

/**
 * Opens connectors by connection name on first use and keeps them until `closeAll()`. A failed or timed-out
 * open is not kept: the next `get()` opens afresh.
 */
export function createConnectionProvider(
  connections: Record<string, ConnectionConfig>,
  opts: ConnectionProviderOptions,
): ConnectionProvider {
  const cache = new Map<string, Opening>();
  const ctx: OpenContext = { configDir: opts.configDir, log: opts.log, gcp: opts.gcp, aws: opts.aws };

  const close = async (name: string, connector: Connector): Promise<void> => {
    const closing = connector.close();
    if (!(await settledWithin(closing, CLOSE_LIMIT_MS))) {
      opts.log.warn(
        { connection: name, limitMs: CLOSE_LIMIT_MS },
        'closing a connection took too long; left behind',
      );
      return;
    }
    await closing.catch((err: unknown) =>
      opts.log.warn({ connection: name, err: errorMessage(err) }, 'closing a connection failed'),
    );
  };

  const start = (name: string, config: ConnectionConfig): Opening => {
    const settled: Omit<Opening, 'ready'> = { abandoned: false };
    const opening = open(name, config, ctx);
    opening.then(
      (connector) => {
        settled.connector = connector;
        if (settled.abandoned) void close(name, connector);
      },
      () => undefined,
    );
    const limitMs = openLimitMs(config);
    const limit = deadline(limitMs, `no answer within ${limitMs} ms`);
    const entry: Opening = Object.assign(settled, {
      ready: untilAborted(opening, limit.signal)
        .catch((err: unknown) => {
          settled.abandoned = true;
          if (settled.connector) void close(name, settled.connector); // it arrived as the limit ran out
          if (cache.get(name) === entry) cache.delete(name); // the next get() opens afresh
          const message = redact(errorMessage(err), secretsOf(config));
          throw new Error(`cannot open connection '${name}' (${config.type}): ${message}`);
        })
        .finally(limit.clear),
    });
    return entry;
  };

  return {
    get(name: string): Promise<Connector> {
      const config = Object.prototype.hasOwnProperty.call(connections, name) ? connections[name] : undefined;
      if (!config) {
        const known = Object.keys(connections).sort().join(', ') || 'none';
        return Promise.reject(new Error(`unknown connection '${name}' (configured connections: ${known})`));
      }
      let entry = cache.get(name);
      if (!entry) {
        entry = start(name, config);
        cache.set(name, entry);
      }
      return entry.ready;
    },
    // Only connectors already open: one still opening has billed nothing, and awaiting it could hang.
    bytesBilled(): Promise<number> {
      let sum = 0;
      for (const entry of cache.values()) sum += entry.connector?.stats?.().bytesBilled ?? 0;
      return Promise.resolve(sum);
    },
    async closeAll(): Promise<void> {
      const entries = [...cache];
      cache.clear();
      await Promise.all(
        entries.map(async ([name, entry]) => {
          if (!entry.connector) await settledWithin(entry.ready, PENDING_OPEN_GRACE_MS);
          if (entry.connector) return close(name, entry.connector);
          entry.abandoned = true; // closed when (if ever) it opens
        }),
      );
    },
  };
}
