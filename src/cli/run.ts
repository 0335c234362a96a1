import { failedToDeliver } from '../../alerts/stage';
import { loadConfig } from '../config/load';
import { stateUrlFlag } from './flags';
import { createLogger } from '../core/log';
import { Agent, pushgatewayMetrics } from '../engine/agent';
import { formatReport } from '../engine/report';
import { EXIT, type GlobalOptions } from './options';
import { gracefulStop, shutdownGraceMs } from './stop';

interface RunFlags extends GlobalOptions {
  check?: string[];
  dryRun?: boolean;
  format: 'text' | 'json';
  failOnFindings?: boolean;
}

export async function runCommand(flags: RunFlags): Promise<void> {
  const config = loadConfig(flags.config);
  const state = stateUrlFlag(flags);
  const log = createLogger();
  for (const warning of config.warnings) log.warn({ warning }, 'config warning');
  const out = (text: string) => {
    // In JSON mode stdout carries only the report; human text goes to stderr.
    (flags.format === 'json' ? process.stderr : process.stdout).write(`${text}\n`);
  };
  const push = config.metrics.pushgateway && !flags.dryRun ? config.metrics.pushgateway : undefined;
  const agent = new Agent(config, {
    log,
    out,
    ...state,
    progress: process.stderr.isTTY && flags.format !== 'json',
    ...(push ? { metrics: await pushgatewayMetrics(log) } : {}),
    ...(flags.check ? { onlyChecks: flags.check } : {}),
  });
  const stopping = gracefulStop(log, shutdownGraceMs(config.server.shutdownGrace));
  try {
    const report = await agent.runOnce({
      ...(flags.check ? { checkIds: flags.check } : {}),
      dryRun: !!flags.dryRun,
      signal: stopping.checks,
      alertSignal: stopping.alerts,
      onChecksDone: stopping.checksDone,
    });
    if (push && agent.metrics)
      await (await import('../engine/push.js')).pushMetrics(push, agent.metrics, log, flags.check);
    if (flags.format === 'json') process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
    else process.stdout.write(`${formatReport(report)}\n`);
    const failed = report.checks.some((c) => c.status === 'error') || stopping.checks.aborted;
    // A silenced finding is known and accepted, and a pending one (`for:`) does not fire yet: neither fails a
    // pipeline that runs with --fail-on-findings.
    const firing = report.checks.some((c) =>
      c.findings.some((f) => f.state === 'new' || f.state === 'firing'),
    );
    const undelivered = !!report.notifications.undelivered?.some(failedToDeliver);
    process.exitCode = undelivered
      ? EXIT.undelivered
      : failed
        ? EXIT.checkFailed
        : flags.failOnFindings && firing
          ? EXIT.findings
          : EXIT.ok;
  } finally {
    stopping.dispose();
    await agent.close();
  }
}
