import type { Logger } from 'pino';
import type { AwsProvider } from '../aws/types';
import type { ConnectionConfig } from './config';
import type { ConnectionProvider, Connector } from './types';
import { openBigQuery } from './bigquery';
import { openDuckDb } from './duckdb';
import { errorMessage, redact } from './errors';
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
  if (config.type !== 'mysql' && config.type !== 'postgres') return [];
  try {
    const password = new URL(config.url).password;
    return password ? [password, decodeURIComponent(password)] : [];
  } catch {
    return [];
  }
}

/** Opens connectors by connection name on first use and keeps them until `closeAll()`. */
export function createConnectionProvider(
  connections: Record<string, ConnectionConfig>,
  opts: ConnectionProviderOptions,
): ConnectionProvider {
  const open_ = new Map<string, Promise<Connector>>();
  const ctx: OpenContext = { configDir: opts.configDir, log: opts.log, gcp: opts.gcp, aws: opts.aws };

  return {
    get(name: string): Promise<Connector> {
      const config = Object.prototype.hasOwnProperty.call(connections, name) ? connections[name] : undefined;
      if (!config) {
        const known = Object.keys(connections).sort().join(', ') || 'none';
        return Promise.reject(new Error(`unknown connection '${name}' (configured connections: ${known})`));
      }
      let pending = open_.get(name);
      if (!pending) {
        pending = open(name, config, ctx).catch((err: unknown) => {
          open_.delete(name); // a later run tries again
          const message = redact(errorMessage(err), secretsOf(config));
          throw new Error(`cannot open connection '${name}' (${config.type}): ${message}`);
        });
        open_.set(name, pending);
      }
      return pending;
    },
    async bytesBilled(): Promise<number> {
      const settled = await Promise.allSettled(open_.values());
      return settled.reduce(
        (sum, s) => sum + (s.status === 'fulfilled' ? (s.value.stats?.().bytesBilled ?? 0) : 0),
        0,
      );
    },
    async closeAll(): Promise<void> {
      const pending = [...open_.values()];
      open_.clear();
      const outcomes = await Promise.allSettled(
        pending.map(async (p) => {
          const connector = await p;
          await connector.close();
        }),
      );
      for (const outcome of outcomes) {
        if (outcome.status === 'rejected') {
          opts.log.warn({ err: errorMessage(outcome.reason) }, 'closing a connection failed');
        }
      }
    },
  };
}
