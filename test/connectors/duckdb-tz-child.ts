// Counts one window on a DuckDB file in a plain Node process, so that the parent can start it under another
// TZ: DuckDB (ICU) takes the host's time zone when it loads, once per process.
import { provider } from '../kit/check-context';
import type { CountRequest } from '../../src/connectors/types';

export interface DuckDbTzScenario {
  path: string;
  requests: CountRequest[];
}

async function main(): Promise<void> {
  const scenario = JSON.parse(process.argv[2] as string) as DuckDbTzScenario;
  const connections = provider({ db: { type: 'duckdb', path: scenario.path } });
  try {
    const connector = await connections.get('db');
    const requests = scenario.requests.map((r) =>
      r.window
        ? { ...r, window: { ...r.window, from: new Date(r.window.from), to: new Date(r.window.to) } }
        : r,
    );
    const results = await connector.count(requests, { signal: AbortSignal.timeout(20_000) });
    const hostZone = Intl.DateTimeFormat().resolvedOptions().timeZone;
    process.stdout.write(JSON.stringify({ results, hostZone }));
  } finally {
    await connections.closeAll();
  }
}

void main();
