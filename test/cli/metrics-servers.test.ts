import { execFile, spawnSync } from 'node:child_process';
import { request } from 'node:http';
import { promisify } from 'node:util';
import { mkdtempSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import {
  freePort,
  removeDir,
  startServer,
  waitUntilReady,
  type ServerProcess,
} from '../harness/server-process';
import { describeWithTools, PROMETHEUS, PUSHGATEWAY } from '../harness/tools';
import { exitWithin, get, quickstartCopy, startServe, waitFor } from './serve-process';
import { startBlackHole } from '../servers/black-hole';

// The metrics reach the real servers (Debian's prometheus and prometheus-pushgateway), on loopback ports.
const CLI = join(__dirname, '../../dist/src/cli/main.js');

async function ok(port: number, path: string): Promise<void> {
  const { status } = await get(port, path);
  if (status !== 200) throw new Error(`${path} answered ${status}`);
}

/**
 * The quickstart run by serve at start-up only: its default schedule (every 5 minutes) could tick while a test
 * waited for the start-up run's count of 1, and the count read 2 (a CI run at 09:00 timed out so).
 */
const ONLY_AT_START = {
  append: 'server: { port: 0 }\n',
  edits: [
    ['    kind: row-count-consistency\n', "    kind: row-count-consistency\n    schedule: '0 0 1 1 *'\n"],
  ] as [string, string][],
};

describe('a Pushgateway that accepts and never answers', () => {
  it('costs `run` its 10 s push timeout and a warning, not the run', async () => {
    const hole = await startBlackHole();
    const config = quickstartCopy({ append: `metrics: { pushgateway: 'http://127.0.0.1:${hole.port}' }\n` });
    const started = Date.now();

    try {
      const run = await promisify(execFile)(process.execPath, [CLI, 'run', '--config', config], {
        encoding: 'utf8',
        env: { PATH: process.env.PATH, GUARDRAIL_LOG_LEVEL: 'warn' },
      });

      expect(run.stderr).toContain('could not push metrics to the Pushgateway');
      expect(run.stdout).toContain('FIRING shop-consistency');
      expect(hole.accepted).toBeGreaterThan(0);
      expect(Date.now() - started).toBeLessThan(20_000);
    } finally {
      await hole.close();
    }
  }, 30_000);
});

/**
 * A Pushgateway of its own: Debian's keeps its metrics in /var/lib/prometheus/pushgateway.data by default, so
 * each test (and each CI run) would start with what the others pushed.
 */
function startPushgateway(port: number, dir: string): ServerProcess {
  const args = [
    `--web.listen-address=127.0.0.1:${port}`,
    `--persistence.file=${join(dir, 'pushgateway.data')}`,
  ];
  return startServer('prometheus-pushgateway', args, dir);
}

describeWithTools([PROMETHEUS, PUSHGATEWAY])('metrics in real Prometheus servers', () => {
  const servers: ServerProcess[] = [];
  const dirs: string[] = [];
  afterAll(async () => {
    await Promise.all(servers.map((s) => s.stop('SIGTERM')));
    dirs.forEach(removeDir);
  });

  /** A Pushgateway of this test's own, ready; its port. */
  async function pushgateway(): Promise<number> {
    const port = await freePort();
    const dir = mkdtempSync(join(tmpdir(), 'guardrail-pushgateway-'));
    dirs.push(dir);
    const gateway = startPushgateway(port, dir);
    servers.push(gateway);
    await waitUntilReady(gateway, 'pushgateway', () => ok(port, '/-/ready'), 20_000);
    return port;
  }

  it('`run` with metrics.pushgateway pushes its metrics to a Pushgateway, under job="guardrail"', async () => {
    const port = await pushgateway();
    const config = quickstartCopy({ append: `metrics: { pushgateway: 'http://127.0.0.1:${port}' }\n` });

    const run = spawnSync(process.execPath, [CLI, 'run', '--config', config], {
      encoding: 'utf8',
      env: { PATH: process.env.PATH, GUARDRAIL_LOG_LEVEL: 'warn' },
    });
    const pushed = (await get(port, '/metrics')).body;

    expect([run.status, run.stderr]).toEqual([0, '']);
    expect(pushed).toMatch(
      /^guardrail_check_runs_total\{check="shop-consistency",instance="",job="guardrail",kind="row-count-consistency",status="firing"\} 1$/m,
    );
    expect(pushed).toMatch(
      /^guardrail_last_success_timestamp_seconds\{check="shop-consistency",.*job="guardrail".*\} \d/m,
    );
    expect(pushed).toMatch(/^guardrail_notifications_total\{channel="console",.*outcome="sent"\} 1$/m);
  });

  /** The pushed guardrail_last_success_timestamp_seconds of the quickstart's check, or undefined. */
  const lastSuccess = (pushed: string) => {
    const match = /^guardrail_last_success_timestamp_seconds\{check="shop-consistency",[^}]*\} (\S+)$/m.exec(
      pushed,
    );
    return match ? Number(match[1]) : undefined;
  };

  it('`run` jobs keep pushing the last success of a check that now errors, and the first run of one that never succeeded', async () => {
    const port = await pushgateway();
    const pushTo = `metrics: { pushgateway: 'http://127.0.0.1:${port}' }\n`;
    const run = (config: string) =>
      spawnSync(process.execPath, [CLI, 'run', '--config', config], {
        encoding: 'utf8',
        env: { PATH: process.env.PATH, GUARDRAIL_LOG_LEVEL: 'error' },
      }).status;

    const config = quickstartCopy({ append: pushTo });
    expect(run(config)).toBe(0);
    const succeeded = lastSuccess((await get(port, '/metrics')).body);
    expect(succeeded).toBeGreaterThan(Date.now() / 1000 - 60);
    // The target's view now reads a file that is gone: the check errors (exit 3) in the next job.
    renameSync(join(dirname(config), 'data/target/orders.csv'), join(dirname(config), 'orders.csv.moved'));
    await new Promise((resolve) => setTimeout(resolve, 1100));
    expect(run(config)).toBe(3);
    const afterError = (await get(port, '/metrics')).body;
    expect(lastSuccess(afterError)).toBe(succeeded);
    // Counters go on from what the group held (a job's own start at 0): both runs are counted.
    const runs = (status: string) =>
      new RegExp(`^guardrail_check_runs_total\\{check="shop-consistency",[^}]*status="${status}"\\} 1$`, 'm');
    expect(afterError).toMatch(runs('firing'));
    expect(afterError).toMatch(runs('error'));
    // The drift's message, then the check error's.
    expect(afterError).toMatch(/^guardrail_notifications_total\{channel="console",.*outcome="sent"\} 2$/m);

    // A check that never succeeded (in a group pushed afresh): from the end of its first run on, so that
    // GuardrailCheckNotSucceeding can fire; before, it had no series at all.
    await new Promise((resolve, reject) =>
      request({ host: '127.0.0.1', port, path: '/metrics/job/guardrail', method: 'DELETE' }, resolve)
        .on('error', reject)
        .end(),
    );
    expect(lastSuccess((await get(port, '/metrics')).body)).toBeUndefined();
    const broken = quickstartCopy({ append: pushTo });
    renameSync(join(dirname(broken), 'data/target/orders.csv'), join(dirname(broken), 'orders.csv.moved'));
    const before = Date.now() / 1000;
    expect(run(broken)).toBe(3);
    const first = lastSuccess((await get(port, '/metrics')).body);
    expect(first).toBeGreaterThanOrEqual(Math.floor(before));
    await new Promise((resolve) => setTimeout(resolve, 1100));
    expect(run(broken)).toBe(3);
    expect(lastSuccess((await get(port, '/metrics')).body)).toBe(first);
  });

  it("`run --check` jobs of different checks keep each other's series: each pushes to a group of its checks", async () => {
    const port = await pushgateway();
    const config = quickstartCopy({
      edits: [
        [
          '\nalerts:\n',
          '  - { id: shop-orders, kind: row-count-consistency, source: source, target: target, ' +
            'tables: [{ source: shop.orders, target: shop_raw.orders }] }\n\nalerts:\n',
        ],
      ],
      append: `metrics: { pushgateway: 'http://127.0.0.1:${port}' }\n`,
    });
    const run = (check: string) =>
      spawnSync(process.execPath, [CLI, 'run', '--config', config, '--check', check], {
        encoding: 'utf8',
        env: { PATH: process.env.PATH, GUARDRAIL_LOG_LEVEL: 'error' },
      }).status;

    expect(run('shop-consistency')).toBe(0);
    expect(run('shop-orders')).toBe(0);
    expect(run('shop-orders')).toBe(0);
    const pushed = (await get(port, '/metrics')).body;

    const series = (check: string) =>
      new RegExp(
        `^guardrail_last_success_timestamp_seconds\\{check="${check}",instance="${check}",job="guardrail",`,
        'm',
      );
    expect(pushed).toMatch(series('shop-consistency'));
    expect(pushed).toMatch(series('shop-orders'));
    // The store's outbox count is one figure, in the shared group, which the latest job replaces.
    expect(pushed.match(/^guardrail_outbox_pending\{.*$/gm)).toEqual([
      'guardrail_outbox_pending{instance="",job="guardrail"} 0',
    ]);
    // Each group's counters go on from its own: two runs of shop-orders, one of shop-consistency.
    expect(pushed).toMatch(
      /^guardrail_check_runs_total\{check="shop-orders",instance="shop-orders",job="guardrail",[^}]*\} 2$/m,
    );
    expect(pushed).toMatch(
      /^guardrail_check_runs_total\{check="shop-consistency",instance="shop-consistency",job="guardrail",[^}]*\} 1$/m,
    );
    // Each group holds its own checks' series only, the zeros included (a review found every check's zeros in each).
    const runSeries = pushed.match(/^guardrail_check_runs_total\{.*$/gm) ?? [];
    expect(runSeries.filter((l) => /check="shop-orders",instance="shop-consistency"/.test(l))).toEqual([]);
    expect(runSeries.filter((l) => /check="shop-consistency",instance="shop-orders"/.test(l))).toEqual([]);
    expect(runSeries.filter((l) => /check="shop-orders",instance="shop-orders"/.test(l))).toHaveLength(4);
  });

  it('`serve` whose check never succeeded shows the series GuardrailCheckNotSucceeding watches', async () => {
    const config = quickstartCopy(ONLY_AT_START);
    renameSync(join(dirname(config), 'data/target/orders.csv'), join(dirname(config), 'orders.csv.moved'));
    const before = Date.now() / 1000;
    const serve = await startServe(config);
    try {
      await waitFor(
        async () => ((await get(serve.port, '/readyz')).status === 200 ? true : undefined),
        20_000,
        'the start-up run',
      );
      const metrics = (await get(serve.port, '/metrics')).body;
      expect(metrics).toMatch(/^guardrail_check_runs_total\{check="shop-consistency",.*status="error"\} 1$/m);
      expect(lastSuccess(metrics)).toBeGreaterThanOrEqual(Math.floor(before));
    } finally {
      serve.child.kill('SIGKILL');
    }
  });

  it('Prometheus scrapes `serve` until guardrail_check_runs_total is in its API', async () => {
    const serve = await startServe(quickstartCopy(ONLY_AT_START));
    servers.push({
      child: serve.child,
      output: serve.stdout,
      stop: async () => void serve.child.kill('SIGKILL'),
    });
    const port = await freePort();
    const dir = mkdtempSync(join(tmpdir(), 'guardrail-prometheus-'));
    dirs.push(dir);
    writeFileSync(
      join(dir, 'prometheus.yml'),
      `global: { scrape_interval: 1s }\n` +
        `scrape_configs:\n  - job_name: guardrail\n    static_configs: [{ targets: ['127.0.0.1:${serve.port}'] }]\n`,
    );
    const prometheus = startServer(
      'prometheus',
      ['--config.file=prometheus.yml', '--storage.tsdb.path=data', `--web.listen-address=127.0.0.1:${port}`],
      dir,
    );
    servers.push(prometheus);
    await waitUntilReady(prometheus, 'prometheus', () => ok(port, '/-/ready'), 30_000);

    type Series = { metric: Record<string, string>; value: [number, string] };
    const series = await waitFor(
      async () => {
        const answer = await get(port, '/api/v1/query?query=guardrail_check_runs_total');
        const result = (JSON.parse(answer.body) as { data: { result: Series[] } }).data.result;
        return result.some((s) => s.metric.status === 'firing' && s.value[1] === '1') ? result : undefined;
      },
      30_000,
      'the firing run of guardrail_check_runs_total in Prometheus',
    );
    serve.child.kill('SIGTERM');

    // Every status is there from the start, at 0 until it happens: increase() then counts its first run.
    const byStatus = Object.fromEntries(series.map((s) => [s.metric.status, s.value[1]]));
    expect(byStatus).toEqual({ ok: '0', firing: '1', error: '0', skipped: '0' });
    expect(series[0]!.metric).toMatchObject({
      __name__: 'guardrail_check_runs_total',
      check: 'shop-consistency',
      instance: `127.0.0.1:${serve.port}`,
      job: 'guardrail',
      kind: 'row-count-consistency',
    });
    expect(await exitWithin(serve, 10_000)).toBe(0);
  });
});
