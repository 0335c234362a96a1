import { Pushgateway } from 'prom-client';
import type { Logger } from 'pino';
import { errorMessage } from '../core/redact';
import type { Metrics } from './metrics';

/** Pushes a run-once job's metrics; a failed push is logged, never fails the run. */
export async function pushMetrics(url: string, metrics: Metrics, log: Logger): Promise<void> {
  try {
    const gateway = new Pushgateway(url, { timeout: 10_000 }, metrics.registry);
    await gateway.pushAdd({ jobName: 'guardrail' });
  } catch (error) {
    log.warn({ err: errorMessage(error) }, 'could not push metrics to the Pushgateway');
  }
}
