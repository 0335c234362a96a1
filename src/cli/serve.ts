import { createServer, type Server } from 'node:http';
import { schedule, type ScheduledTask } from 'node-cron';
import { loadConfig } from '../config/load';
import { createLogger } from '../core/log';
import { errorMessage } from '../core/redact';
import { Agent } from '../engine/agent';
import { stateUrlFlag } from './flags';
import type { GlobalOptions } from './options';

/** Long-running mode: one cron task per enabled check, metrics and health over HTTP, clean stop on signals. */
export async function serveCommand(flags: GlobalOptions): Promise<void> {
  const config = loadConfig(flags.config);
  const log = createLogger();
  const agent = new Agent(config, {
    log,
    out: (t) => process.stdout.write(`${t}\n`),
    ...stateUrlFlag(flags),
  });
  await agent.open();
  const controller = new AbortController();
  const running = new Map<string, Promise<void>>();

  const tick = (checkId: string) => {
    if (running.has(checkId)) {
      log.warn({ check: checkId }, 'previous run still in progress; skipped this tick');
      return;
    }
    const job = agent
      .runOnce({ checkIds: [checkId], signal: controller.signal })
      .then((report) => log.info({ check: checkId, status: report.checks[0]?.status }, 'check run finished'))
      .catch((error: unknown) => log.error({ check: checkId, err: errorMessage(error) }, 'check run failed'))
      .finally(() => running.delete(checkId));
    running.set(checkId, job);
  };
  const tasks: ScheduledTask[] = config.checks
    .filter((c) => c.enabled)
    .map((c) => schedule(c.schedule, () => tick(c.id), { name: c.id, noOverlap: true }));

  const server = await listen(config.server.port, agent, () => !controller.signal.aborted);
  log.info({ port: addressPort(server), checks: tasks.length }, 'guardrail serving');

  await new Promise<void>((resolve) => {
    const stop = (signal: string) => {
      log.info({ signal }, 'stopping: finishing in-flight checks');
      resolve();
    };
    process.once('SIGTERM', () => stop('SIGTERM'));
    process.once('SIGINT', () => stop('SIGINT'));
  });
  for (const task of tasks) await task.stop();
  controller.abort(new Error('shutting down'));
  await Promise.allSettled(running.values());
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await agent.close();
  log.info('stopped');
}

function listen(port: number, agent: Agent, ready: () => boolean): Promise<Server> {
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (path === '/healthz') return void res.writeHead(200, { 'content-type': 'text/plain' }).end('ok\n');
    if (path === '/readyz') {
      return void res
        .writeHead(ready() ? 200 : 503, { 'content-type': 'text/plain' })
        .end(ready() ? 'ready\n' : 'stopping\n');
    }
    if (path === '/metrics') {
      agent.metrics.registry.metrics().then(
        (body) => res.writeHead(200, { 'content-type': agent.metrics.registry.contentType }).end(body),
        () => res.writeHead(500).end(),
      );
      return;
    }
    res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, () => resolve(server));
  });
}

function addressPort(server: Server): number | undefined {
  const address = server.address();
  return typeof address === 'object' && address ? address.port : undefined;
}
