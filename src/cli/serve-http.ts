import { createServer, type Server } from 'node:http';
import { formatDuration } from '../core/duration';
import type { Metrics } from '../engine/metrics';

/** What /healthz reports: a run going on longer than its check may take. */
export interface StuckRun {
  check: string;
  forMs: number;
  limitMs: number;
}

/** /readyz answers 200 only when ready; the text says why not (503). */
export type Readiness = 'starting' | 'ready' | 'stopping' | `state store unreachable since ${string}`;

export interface Health {
  readiness(): Readiness;
  stuck(): StuckRun[];
}

export function listen(port: number, metrics: Metrics, health: Health): Promise<Server> {
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    const text = (status: number, body: string) =>
      void res.writeHead(status, { 'content-type': 'text/plain' }).end(body);
    if (path === '/healthz') {
      const stuck = health.stuck();
      if (!stuck.length) return text(200, 'ok\n');
      const lines = stuck.map(
        (s) =>
          `stuck: check ${s.check} running for ${formatDuration(s.forMs)} (limit ${formatDuration(s.limitMs)})`,
      );
      return text(500, `${lines.join('\n')}\n`);
    }
    if (path === '/readyz') {
      const state = health.readiness();
      return text(state === 'ready' ? 200 : 503, `${state}\n`);
    }
    if (path === '/metrics') {
      metrics.registry.metrics().then(
        (body) => res.writeHead(200, { 'content-type': metrics.registry.contentType }).end(body),
        () => res.writeHead(500).end(),
      );
      return;
    }
    text(404, 'not found\n');
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, () => resolve(server));
  });
}

export function close(server: Server): Promise<void> {
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  server.closeAllConnections();
  return closed;
}

export function addressPort(server: Server): number | undefined {
  const address = server.address();
  return typeof address === 'object' && address ? address.port : undefined;
}
