import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { schedule, type ScheduledTask } from 'node-cron';
import { loadConfig, type CheckConfig, type GuardrailConfig } from '../config/load';
import { formatDuration } from '../core/duration';
import { createLogger, type Logger } from '../core/log';
import { settledWithin, sleep } from '../core/limit';
import { errorMessage } from '../core/redact';
import { Agent } from '../engine/agent';
import { collectDefaultMetrics } from 'prom-client';
import { Metrics } from '../engine/metrics';
import { stateStoreUnreachable } from '../state/open-store';
import type { StateStore } from '../state/types';
import { stateUrlFlag } from './flags';
import type { GlobalOptions } from './options';
import { addressPort, close, listen, type StuckRun } from './serve-http';
import { onStopSignals, shutdownGraceMs } from './stop';
import { keepRunLease, RUN_LEASE_TTL_MS } from './run-lease';
import { StoreProbe } from './store-probe';

/** After the shutdown grace: how long aborted runs, the HTTP server and the agent each get to close. */
const CLOSE_TIMEOUT_MS = 5_000;
/** How often a tick's winner asks again for a check that another replica is still running. */
const RUN_LEASE_POLL_MS = 200;
/** How often serve asks the state store whether it answers, between runs too (guardrail_state_store_up). */
const STORE_PROBE_MS = 15_000;

/** Long-running mode: one cron task per enabled check, metrics and health over HTTP, clean stop on signals. */
export async function serveCommand(flags: GlobalOptions): Promise<void> {
  const config = loadConfig(flags.config);
  const log = createLogger();
  const metrics = new Metrics(log);
  metrics.startSkipSeries(config.checks);
  // The process's own figures (process_resident_memory_bytes, nodejs_heap_size_used_bytes, open fds, event loop
  // lag): an agent that runs for months is watched for growth like any service (a soak test found none exported).
  collectDefaultMetrics({ register: metrics.registry });
  const agent = new Agent(config, {
    log,
    out: (t) => process.stdout.write(`${t}\n`),
    ...stateUrlFlag(flags),
    metrics,
  });
  const checks = config.checks.filter((c) => c.enabled);
  const phase: { storeAnswered: boolean; startupDone: boolean; stopping: boolean; storeDownSince?: number } =
    {
      storeAnswered: false,
      startupDone: false,
      stopping: false,
    };
  let scheduler: Scheduler | undefined;
  let probe: StoreProbe | undefined;
  const stopSignal = stopSignals(log);
  const stopping = new AbortController();
  void stopSignal.then(() => stopping.abort());

  const server = await listen(config.server.port, metrics, {
    readiness: () => {
      if (phase.stopping) return 'stopping';
      const since = phase.storeAnswered ? probe?.unreachableSince : phase.storeDownSince;
      if (since === undefined && (!phase.storeAnswered || !phase.startupDone)) return 'starting';
      return since === undefined ? 'ready' : `state store unreachable since ${new Date(since).toISOString()}`;
    },
    stuck: () => scheduler?.stuck() ?? [],
  });
  log.info({ port: addressPort(server), checks: checks.length }, 'guardrail serving');

  const startup = (async () => {
    const store = await reachableStore(agent, log, metrics, phase, stopping.signal);
    if (!store || phase.stopping) return;
    phase.storeAnswered = true;
    probe = new StoreProbe(
      store,
      log,
      metrics,
      STORE_PROBE_MS,
      undefined,
      config.channels.map((c) => c.name),
    );
    probe.start();
    // A run that finds the store silent has the probe ask at once: /readyz says so then, not up to 15 s later.
    const storeTrouble = () => void probe?.probe();
    scheduler = new Scheduler(agent, store, log, config, metrics, storeTrouble);
    scheduler.schedule(checks);
    // Ready once the start-up runs have *finished* (whatever their status), not merely started: a replica that
    // answers /readyz has metrics to show and has tried every check once.
    if (config.server.runOnStart) await Promise.all(checks.map((c) => scheduler!.run(c, 'start')));
    phase.startupDone = true;
    // A stop during the start-up runs ended them: the agent is stopping, not ready (a container trial saw this).
    if (!phase.stopping) log.info({ checks: checks.length }, 'guardrail ready');
  })();
  try {
    await Promise.race([stopSignal, startup.then(() => stopSignal)]);
  } catch (error) {
    await settledWithin(close(server), CLOSE_TIMEOUT_MS);
    await settledWithin(agent.close(), CLOSE_TIMEOUT_MS);
    throw error;
  }

  phase.stopping = true;
  probe?.stop();
  await scheduler?.stop(shutdownGraceMs(config.server.shutdownGrace));
  await settledWithin(close(server), CLOSE_TIMEOUT_MS);
  await settledWithin(agent.close(), CLOSE_TIMEOUT_MS);
  log.info('stopped');
}

/** The first wait for a state store that cannot be reached at start-up; it doubles up to the last. */
const STORE_RETRY_FIRST_MS = 1_000;
const STORE_RETRY_MAX_MS = 30_000;

/**
 * The state store, once it answers. One that cannot be reached at start-up (a database failover, or a database
 * started beside the agent) is waited for, unready (/readyz says since when), with one log line per attempt:
 * crash-looping instead would add the orchestrator's back-off to the outage. Any other failure (credentials, a
 * missing database, a folder that cannot be written) ends serve with exit 5. Undefined when serve stopped first.
 */
async function reachableStore(
  agent: Agent,
  log: Logger,
  metrics: Metrics,
  phase: { storeDownSince?: number },
  stopped: AbortSignal,
): Promise<StateStore | undefined> {
  let waitMs = STORE_RETRY_FIRST_MS;
  for (;;) {
    try {
      const store = await agent.stateStore();
      await store.ping();
      if (phase.storeDownSince !== undefined)
        log.info(
          { unreachableFor: formatDuration(Date.now() - phase.storeDownSince) },
          'state store answering',
        );
      phase.storeDownSince = undefined;
      metrics.stateStoreUp.set(1);
      return store;
    } catch (error) {
      if (!stateStoreUnreachable(error)) throw error;
      phase.storeDownSince ??= Date.now();
      // GuardrailStateStoreDown watches this: a replica started against a dead store must raise it too.
      metrics.stateStoreUp.set(0);
      log.error(
        { err: errorMessage(error), retryIn: formatDuration(waitMs) },
        'state store unreachable at start-up: not ready until it answers',
      );
    }
    if (
      !(await sleep(waitMs, stopped).then(
        () => true,
        () => false,
      ))
    )
      return undefined;
    waitMs = Math.min(waitMs * 2, STORE_RETRY_MAX_MS);
  }
}

/** A run in progress in this process; `startedAt` is set once its leases are held and the checks run. */
interface Run {
  check: CheckConfig;
  startedAt?: number;
  done: Promise<void>;
}

/**
 * Runs checks on their cron, one run per check at a time in this process. Replicas sharing one state store
 * coordinate with two leases per check: `check:<id>:<tick>` makes one replica the runner of a scheduled tick,
 * `check:<id>:running` keeps two replicas from running the check at the same time (start-up runs included),
 * so that two alerting passes never read the same alert states side by side and enqueue the same message.
 */
class Scheduler {
  private readonly controller = new AbortController();
  /** Random per process: a replica restarted with the same pid must not inherit its predecessor's leases. */
  private readonly holder = `${hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`;
  private readonly running = new Map<string, Run>();
  private tasks: ScheduledTask[] = [];

  constructor(
    private readonly agent: Agent,
    private readonly store: StateStore,
    private readonly log: Logger,
    private readonly config: GuardrailConfig,
    private readonly metrics: Metrics,
    private readonly storeTrouble: () => void,
  ) {}

  schedule(checks: CheckConfig[]): void {
    this.tasks = checks.map((c) => schedule(c.schedule, (ctx) => void this.run(c, ctx.date), { name: c.id }));
  }

  /**
   * How long a run may take before the watchdog calls it stuck: the check's timeout, then the alerting
   * stage's delivery budget (a run delivers its alerts), then the grace.
   */
  limitMs(check: CheckConfig): number {
    return check.timeoutMs + this.config.alerts.deliveryBudget + this.config.server.watchdogGrace;
  }

  /** One run of `check` for a scheduled tick (node-cron's slot time) or at start-up; never rejects. */
  run(check: CheckConfig, tick: Date | 'start'): Promise<void> {
    const previous = this.running.get(check.id);
    if (previous) {
      // Without taking the tick's lease: another replica may run this tick.
      const why =
        previous.startedAt === undefined
          ? 'previous run still waiting for another replica to finish this check'
          : 'previous run still in progress';
      this.log.warn({ check: check.id }, `${why}; skipped this tick`);
      // Counted only by the replica running the check: one that waits on another's lease skips nothing of its own.
      if (previous.startedAt !== undefined)
        this.metrics.checkSkipped.inc({ check: check.id, reason: 'overlap' });
      return Promise.resolve();
    }
    const run: Run = { check, done: Promise.resolve() };
    const tickId = tick === 'start' ? 'start' : tickName(tick, check.schedule);
    run.done = this.leased(run, tickId)
      .catch((error: unknown) => {
        // The run failed outside its check (the state store down): counted, or a lost tick leaves no trace.
        this.metrics.recordRunFailure(check);
        this.storeTrouble();
        this.log.error({ check: check.id, tick: tickId, err: errorMessage(error) }, 'check run failed');
      })
      .finally(() => this.running.delete(check.id));
    this.running.set(check.id, run);
    return run.done;
  }

  private async leased(run: Run, tickId: string): Promise<void> {
    const { check } = run;
    // The tick's lease is never released: it names one tick, and releasing it would let a replica whose cron
    // fired late run the same tick again. It expires after the run's limit; a holder killed mid-run loses that tick.
    if (tickId !== 'start') {
      const won = await this.store.acquireLease(
        `check:${check.id}:${tickId}`,
        this.holder,
        this.limitMs(check),
      );
      if (!won) return this.log.debug({ check: check.id, tick: tickId }, 'tick taken by another replica');
    }
    const running = `check:${check.id}:running`;
    const ttlMs = Math.min(RUN_LEASE_TTL_MS, this.limitMs(check));
    if (!(await this.waitForLease(running, ttlMs, check.timeoutMs))) {
      this.log.warn({ check: check.id, tick: tickId }, 'check still running on another replica; skipped');
      this.metrics.checkSkipped.inc({ check: check.id, reason: 'running-elsewhere' });
      return;
    }
    // This run's own stop: the process stopping, or the run lease lost.
    const stop = new AbortController();
    const onStop = () => stop.abort(this.controller.signal.reason);
    this.controller.signal.addEventListener('abort', onStop, { once: true });
    let status: string | undefined;
    run.startedAt = Date.now();
    const keeper = keepRunLease({
      store: this.store,
      name: running,
      holder: this.holder,
      ttlMs,
      renewing: () => Date.now() - run.startedAt! <= this.limitMs(check),
      lost: (why) => {
        const reason = `${why}; this run stopped so that one replica at a time runs ${check.id}`;
        this.log.error({ check: check.id, reason }, 'run lease lost');
        this.metrics.checkSkipped.inc({ check: check.id, reason: 'lease-lost' });
        stop.abort(new Error(reason));
      },
      log: this.log,
      checkId: check.id,
      unanswered: this.storeTrouble,
    });
    try {
      const report = await this.agent.runOnce({ checkIds: [check.id], signal: stop.signal });
      status = report.checks.find((c) => c.id === check.id)?.status;
    } finally {
      this.controller.signal.removeEventListener('abort', onStop);
      // A renewal in flight on a store that stopped answering must not hold the run open.
      await settledWithin(keeper.end(), CLOSE_TIMEOUT_MS);
      await this.store
        .releaseLease(running, this.holder)
        .catch((error: unknown) =>
          this.log.warn({ check: check.id, err: errorMessage(error) }, 'could not release the run lease'),
        );
    }
    // Logged once the run lease is given back: a replica killed after this line leaves no lease behind.
    this.log.info({ check: check.id, tick: tickId, status }, 'check run finished');
  }

  /** Asks for the lease until it is held, `waitMs` passed or the process stops. */
  private async waitForLease(name: string, ttlMs: number, waitMs: number): Promise<boolean> {
    const deadline = Date.now() + waitMs;
    for (;;) {
      if (await this.store.acquireLease(name, this.holder, ttlMs)) return true;
      if (this.controller.signal.aborted || Date.now() + RUN_LEASE_POLL_MS > deadline) return false;
      await new Promise((resolve) => setTimeout(resolve, RUN_LEASE_POLL_MS));
    }
  }

  stuck(): StuckRun[] {
    const now = Date.now();
    return [...this.running.values()]
      .filter((r) => r.startedAt !== undefined && now - r.startedAt > this.limitMs(r.check))
      .map((r) => ({ check: r.check.id, forMs: now - r.startedAt!, limitMs: this.limitMs(r.check) }));
  }

  /** Stops the cron tasks, waits up to `graceMs` for runs in progress, then aborts them (bounded). */
  async stop(graceMs: number): Promise<void> {
    for (const task of this.tasks) await task.stop();
    const inFlight = () => Promise.all([...this.running.values()].map((r) => r.done));
    if (this.running.size) this.log.info({ checks: [...this.running.keys()] }, 'finishing in-flight checks');
    if (await settledWithin(inFlight(), graceMs)) return;
    this.log.warn(
      { checks: [...this.running.keys()], grace: formatDuration(graceMs) },
      'in-flight checks did not finish within the shutdown grace; aborting them',
    );
    this.controller.abort(new Error('shutting down'));
    await settledWithin(inFlight(), CLOSE_TIMEOUT_MS);
  }
}

/**
 * A tick's name: its slot time rounded down to the schedule's unit (the second for a 6-field cron, else the
 * minute), the same on every replica whose cron fires for it.
 */
function tickName(slot: Date, cron: string): string {
  const unitMs = cron.trim().split(/\s+/).length === 6 ? 1000 : 60_000;
  return new Date(Math.floor(slot.getTime() / unitMs) * unitMs).toISOString();
}

/** Resolves on the first SIGTERM/SIGINT (a graceful stop); a second one exits at once (see onStopSignals). */
function stopSignals(log: Logger): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    onStopSignals(log, (signal) => {
      log.info({ signal }, 'stopping');
      resolve(signal);
    });
  });
}
