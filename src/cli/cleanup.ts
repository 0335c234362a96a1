import { readFileSync, writeFileSync } from 'node:fs';
import { loadConfig } from '../config/load';
import { createLogger, type Logger } from '../core/log';
import { UsageError, CheckFailedError } from '../core/errors';
import { errorMessage } from '../core/redact';
import { Agent, pushgatewayMetrics } from '../engine/agent';
import { applyPlan, DEFAULT_SNAPSHOT_WAIT } from '../engine/cleanup/apply';
import { parseDuration } from '../core/duration';
import { markPlan } from '../engine/cleanup/mark';
import { buildPlan, CleanupPlan, describePlan, recordPlan } from '../engine/cleanup/plan';
import { stateUrlFlag } from './flags';
import { EXIT, type GlobalOptions } from './options';
import { onStopSignals } from './stop';

interface PlanFlags extends GlobalOptions {
  check: string;
  out?: string;
  mark?: boolean;
  notify?: boolean;
}

/** `guardrail cleanup plan`: runs the check now (no alerts) and writes what a cleanup would do. */
export async function cleanupPlanCommand(flags: PlanFlags): Promise<void> {
  const config = loadConfig(flags.config);
  const check = config.checks.find((c) => c.id === flags.check);
  if (!check) throw new UsageError(`unknown check id: ${flags.check}`);
  const log = createLogger();
  const agent = new Agent(config, {
    log,
    out: (t) => process.stderr.write(`${t}\n`),
    ...stateUrlFlag(flags),
  });
  const stop = stopOnSignals(log);
  const { signal } = stop;
  try {
    const [result] = await agent.observe([check.id], signal);
    if (!result || (result.status === 'error' && !result.partial)) {
      throw new CheckFailedError(`check ${check.id} could not run: ${result?.error ?? 'no result'}`);
    }
    // A check that read some regions and not others (AccessDenied in one) plans what it read, and says what is
    // missing: one denied region used to block every plan of the check.
    const missing = result.partial ? result.error : undefined;
    const plan = buildPlan(check, result.findings, new Date(), { mark: !!flags.mark });
    // Recorded before it is written: a plan file apply will take is always one the store knows.
    await recordPlan(await agent.stateStore(), plan);
    const text = `${JSON.stringify(plan, null, 2)}\n`;
    if (flags.out) writeFileSync(flags.out, text);
    else process.stdout.write(text);
    const lines = [
      ...describePlan(plan),
      ...(missing ? [`Not in this plan, since the check could not read it: ${missing}`] : []),
    ];
    // With --out, stdout is free for people; without, it carries the plan only.
    (flags.out ? process.stdout : process.stderr).write(`${lines.join('\n')}\n`);
    if (flags.mark) {
      const tagged = await markPlan(plan, agent.awsProvider, signal);
      process.stderr.write(`marked ${tagged} resource(s) guardrail:cleanup-after\n`);
    }
    if (flags.notify) {
      const channel = await agent.announce(
        check,
        {
          key: plan.id,
          status: 'new',
          severity: 'info',
          title: lines[0] ?? plan.id,
          summary: lines.slice(1).join('\n'),
          metrics: { resources: plan.actions.length, monthlySavingUsd: plan.totalMonthlySavingUsd },
          firingSince: plan.createdAt,
          lifecycle: 'event',
        },
        signal,
      );
      process.stderr.write(
        channel ? `summary sent to ${channel}\n` : 'no route matches this check: nothing sent\n',
      );
    }
    if (missing) process.exitCode = EXIT.checkFailed;
  } finally {
    stop.dispose();
    await agent.close();
  }
}

interface ApplyFlags extends GlobalOptions {
  dryRun?: boolean;
  continueOnError?: boolean;
  snapshotPoll: string;
}

export function readPlan(file: string): CleanupPlan {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new UsageError(`cannot read plan ${file}: ${errorMessage(error)}`);
  }
  const parsed = CleanupPlan.safeParse(raw);
  if (!parsed.success)
    throw new UsageError(`${file} is not a cleanup plan: ${parsed.error.issues[0]?.message ?? ''}`);
  return parsed.data;
}

/** `guardrail cleanup apply plan.json`: acts on the plan's resources only, each re-checked first. */
export async function cleanupApplyCommand(file: string, flags: ApplyFlags): Promise<void> {
  const plan = readPlan(file);
  const intervalMs = parseDuration(flags.snapshotPoll);
  if (intervalMs === undefined)
    throw new UsageError(`--snapshot-poll must be a duration such as 15s, not ${flags.snapshotPoll}`);
  const config = loadConfig(flags.config);
  const log = createLogger();
  const push = config.metrics.pushgateway && !flags.dryRun ? config.metrics.pushgateway : undefined;
  const agent = new Agent(config, {
    log,
    out: (t) => process.stderr.write(`${t}\n`),
    ...stateUrlFlag(flags),
    ...(push ? { metrics: await pushgatewayMetrics(log) } : {}),
  });
  const stop = stopOnSignals(log);
  try {
    const report = await applyPlan(plan, {
      aws: agent.awsProvider,
      store: await agent.stateStore(),
      now: new Date(),
      signal: stop.signal,
      dryRun: !!flags.dryRun,
      continueOnError: !!flags.continueOnError,
      snapshotWait: { ...DEFAULT_SNAPSHOT_WAIT, intervalMs },
      out: (line) => process.stdout.write(`${line}\n`),
    });
    const count = (outcome: string) => report.results.filter((r) => r.outcome === outcome).length;
    const failed = count('failed');
    process.stdout.write(
      flags.dryRun
        ? `dry run: ${count('would-do')} would be done, ${count('skipped')} skipped, ${failed} failed\n`
        : `${count('done')} done, ${count('skipped')} skipped, ${failed} failed` +
            `${report.stopped ? ' (stopped at the first error; --continue-on-error goes on)' : ''}; ` +
            `$${report.savedMonthlyUsd.toFixed(2)}/month saved at list price\n`,
    );
    if (push && agent.metrics) {
      agent.metrics.recordCleanupSavings(await (await agent.stateStore()).cleanupSavings());
      await (await import('../engine/push.js')).pushMetrics(push, agent.metrics, log);
    }
    process.exitCode = failed > 0 ? EXIT.checkFailed : EXIT.ok;
  } finally {
    stop.dispose();
    await agent.close();
  }
}

/**
 * The first SIGTERM/SIGINT aborts the AWS call in progress: the resource it was on is left as it is (a volume
 * is deleted only after its snapshot completed) and the rest for a later apply, which skips what is done. A
 * second signal exits at once.
 */
function stopOnSignals(log: Logger): { signal: AbortSignal; dispose: () => void } {
  const controller = new AbortController();
  const dispose = onStopSignals(log, (signal) => {
    log.warn(
      { signal },
      'stopping: the resource in progress is abandoned; apply the plan again for the rest',
    );
    controller.abort(new Error(`interrupted by ${signal}`));
  });
  return { signal: controller.signal, dispose };
}
