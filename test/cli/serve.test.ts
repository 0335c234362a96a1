import { spawnSync } from 'node:child_process';
import { connect, createServer, type AddressInfo } from 'node:net';
import { rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { freshPgDatabase } from '../harness/databases';
import { startBlackHole } from '../servers/black-hole';
import { startFreezableProxy, type FreezableProxy } from '../servers/freezable-proxy';
import { exitWithin, get, quickstartCopy, startServe, waitFor, type ServeProcess } from './serve-process';

const LAST_RUN =
  /^guardrail_last_run_timestamp_seconds\{check="shop-consistency",kind="row-count-consistency"\} (\S+)$/m;

describe('guardrail serve: readiness', () => {
  it('answers /readyz 503 until its start-up run finished, then 200 with the run on /metrics; SIGTERM exits 0', async () => {
    const serve = await startServe(quickstartCopy({ append: 'server: { port: 0 }\n' }));
    const before: string[] = [];

    const ready = await waitFor(
      async () => {
        const answer = await get(serve.port, '/readyz');
        if (answer.status === 200) return answer;
        before.push(`${answer.status} ${answer.body}`);
        return undefined;
      },
      20_000,
      '/readyz 200',
    );
    const metrics = await get(serve.port, '/metrics');
    const health = await get(serve.port, '/healthz');
    serve.child.kill('SIGTERM');

    expect(ready).toEqual({ status: 200, body: 'ready\n' });
    expect(new Set(before)).toEqual(new Set(before.length ? ['503 starting\n'] : []));
    const lastRun = Number(LAST_RUN.exec(metrics.body)?.[1]);
    expect(Math.abs(lastRun - Date.now() / 1000)).toBeLessThan(30);
    expect(metrics.body).toMatch(/^guardrail_last_success_timestamp_seconds\{check="shop-consistency",/m);
    // The process's own figures, for watching a long-running agent's memory (a soak test found none).
    expect(metrics.body).toMatch(/^process_resident_memory_bytes \d+$/m);
    expect(metrics.body).toMatch(/^nodejs_heap_size_used_bytes \d+$/m);
    expect(health).toEqual({ status: 200, body: 'ok\n' });
    expect(await serve.exited).toBe(0);
    expect(serve.logs().filter((l) => l.msg === 'check run finished')).toEqual([
      expect.objectContaining({ check: 'shop-consistency', tick: 'start', status: 'firing' }),
    ]);
    expect(serve.stdout()).toContain('FIRING CRITICAL shop.orders');
  });

  it('exits 5 with one line naming the port when the port is taken (Guardrail could not start; no check ran)', async () => {
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const { port } = taken.address() as AddressInfo;
    const config = quickstartCopy({ append: `server: { port: ${port} }\n` });

    const result = spawnSync(
      process.execPath,
      [join(__dirname, '../../dist/src/cli/main.js'), 'serve', '--config', config],
      { env: { PATH: process.env.PATH }, encoding: 'utf8', timeout: 20_000 },
    );
    taken.close();

    expect(result.status).toBe(5);
    expect(result.stderr).toMatch(new RegExp(`^guardrail: .*EADDRINUSE.*${port}`, 'm'));
    expect(result.stderr).not.toMatch(/^\s+at /m);
  });

  it('started while its PostgreSQL store cannot be reached, waits unready and becomes ready once it answers', async () => {
    const pg = new URL(await freshPgDatabase('serve_late_store'));
    // A port where nothing listens yet: the database "comes up" when a forwarder to the real one starts there.
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const { port } = closed.address() as AddressInfo;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const late = new URL(pg.toString());
    late.hostname = '127.0.0.1';
    late.port = String(port);
    late.password = 'sekret-start-up-pw'; // refused before any authentication: never sent, never shown
    const serve = await startServe(quickstartCopy({ append: 'server: { port: 0 }\n' }), [
      '--state',
      late.toString(),
    ]);
    const forwarder = createServer((client) => {
      const upstream = connect(Number(pg.port), pg.hostname);
      for (const socket of [client, upstream]) socket.on('error', () => undefined);
      client.pipe(upstream).pipe(client);
    });
    try {
      const waiting = await waitFor(
        async () => {
          const answer = await get(serve.port, '/readyz');
          return answer.status === 503 && answer.body.startsWith('state store') ? answer : undefined;
        },
        10_000,
        '/readyz naming the state store',
      );
      expect(waiting.body).toMatch(/^state store unreachable since \d{4}-/);
      const waitingMetrics = (await get(serve.port, '/metrics')).body;
      expect(waitingMetrics).toMatch(/^guardrail_state_store_up 0$/m);
      // No outbox count while no one has read the outbox.
      expect(waitingMetrics).not.toMatch(/^guardrail_outbox_pending/m);
      const line = serve
        .logs()
        .find((l) => l.msg === 'state store unreachable at start-up: not ready until it answers');
      expect(line).toMatchObject({ level: 50, err: expect.stringContaining('ECONNREFUSED') });
      expect(JSON.stringify(serve.logs()) + waiting.body).not.toContain('sekret-start-up-pw');
      expect(line?.err).toContain(':***@127.0.0.1');

      await new Promise<void>((resolve) => forwarder.listen(port, '127.0.0.1', resolve));
      await waitFor(
        async () => ((await get(serve.port, '/readyz')).status === 200 ? true : undefined),
        30_000,
        'ready once the store answers',
      );
      expect(serve.logs().some((l) => l.msg === 'state store answering')).toBe(true);
      expect((await get(serve.port, '/metrics')).body).toMatch(/^guardrail_state_store_up 1$/m);
      serve.child.kill('SIGTERM');
      expect(await exitWithin(serve, 15_000)).toBe(0);
    } finally {
      serve.child.kill('SIGKILL');
      forwarder.close();
    }
  }, 60_000);

  it('started while its store accepts and never answers, waits unready; SIGTERM during the wait exits 0 at once', async () => {
    const hole = await startBlackHole();
    const serve = await startServe(quickstartCopy({ append: 'server: { port: 0 }\n' }), [
      '--state',
      `postgres://guardrail:sekret-hole-pw@127.0.0.1:${hole.port}/x`,
    ]);
    try {
      const readyz = await get(serve.port, '/readyz');
      expect(readyz.status).toBe(503);
      expect(hole.accepted).toBeGreaterThan(0);
      const stopped = Date.now();
      serve.child.kill('SIGTERM');
      expect(await exitWithin(serve, 10_000)).toBe(0);
      expect(Date.now() - stopped).toBeLessThan(10_000);
      expect(JSON.stringify(serve.logs())).not.toContain('sekret-hole-pw');
    } finally {
      serve.child.kill('SIGKILL');
      await hole.close();
    }
  }, 30_000);

  it('exits 5 at once when its PostgreSQL store answers but refuses (a missing database): waiting would not mend it', async () => {
    const missing = new URL(await freshPgDatabase('serve_refused'));
    missing.pathname = '/guardrail_no_such_database';
    const config = quickstartCopy({ append: 'server: { port: 0 }\n' });

    const result = spawnSync(
      process.execPath,
      [
        join(__dirname, '../../dist/src/cli/main.js'),
        'serve',
        '--config',
        config,
        '--state',
        missing.toString(),
      ],
      { env: { PATH: process.env.PATH }, encoding: 'utf8', timeout: 20_000 },
    );

    expect(result.status).toBe(5);
    expect(result.stderr).toMatch(
      /^guardrail: Cannot open the state store .*guardrail_no_such_database.*does not exist/m,
    );
  });

  // A review deleted the store mid-serve (the README's "delete it to start over"): serve stayed ready, writing a file
  // that `guardrail alerts` and the next start never read.
  it('answers /readyz 503 once its SQLite file was deleted, and says so once in the log', async () => {
    const config = quickstartCopy({ append: 'server: { port: 0 }\n' });
    const serve = await startServe(config);
    try {
      await waitFor(
        async () => ((await get(serve.port, '/readyz')).status === 200 ? true : undefined),
        20_000,
        'ready',
      );
      const file = join(dirname(config), '.guardrail/state.db');
      for (const f of [file, `${file}-wal`, `${file}-shm`]) rmSync(f, { force: true });

      const down = await waitFor(
        async () => {
          const answer = await get(serve.port, '/readyz');
          return answer.status === 503 ? answer : undefined;
        },
        25_000, // the store is asked every 15 s
        '/readyz 503',
      );
      expect(down.body).toMatch(/^state store unreachable since \d{4}-/);
      expect((await get(serve.port, '/metrics')).body).toMatch(/^guardrail_state_store_up 0$/m);
      const said = serve.logs().filter((l) => String(l.err ?? '').includes('was deleted'));
      expect(said).toHaveLength(1);
      serve.child.kill('SIGTERM');
      expect(await exitWithin(serve, 15_000)).toBe(0);
    } finally {
      serve.child.kill('SIGKILL');
    }
  }, 60_000);

  it('with server.runOnStart: false is ready once the store answered, without running a check', async () => {
    const serve = await startServe(quickstartCopy({ append: 'server: { port: 0, runOnStart: false }\n' }));

    await waitFor(
      async () => ((await get(serve.port, '/readyz')).status === 200 ? true : undefined),
      10_000,
      'ready',
    );
    const metrics = await get(serve.port, '/metrics');
    serve.child.kill('SIGTERM');

    expect(metrics.body).not.toMatch(LAST_RUN);
    expect(await serve.exited).toBe(0);
  });
});

describe('guardrail serve: a run that hangs (its PostgreSQL state store stops answering mid-run)', () => {
  let proxy: FreezableProxy;
  beforeEach(async () => {
    const pg = new URL(await freshPgDatabase('serve_hang'));
    proxy = await startFreezableProxy({ host: pg.hostname, port: Number(pg.port) });
    pg.hostname = '127.0.0.1';
    pg.port = String(proxy.port);
    stateUrl = pg.toString();
  });
  afterEach(() => proxy.close());
  let stateUrl: string;

  /**
   * The quickstart with its state on PostgreSQL through the proxy and a run every 2 s: once the start-up run is
   * done, the next run hangs on the store mid-run (its query timeout, 15 s, is past the watchdog's limit of
   * timeout 1s + delivery budget 1s + watchdogGrace 1s). Delivery itself never outlives its budget.
   */
  async function hangingServe(shutdownGrace: string): Promise<ServeProcess> {
    const serve = await startServe(
      quickstartCopy({
        edits: [
          ["state: { url: 'sqlite://.guardrail/state.db' }", `state: { url: '${stateUrl}' }`],
          [
            '    kind: row-count-consistency\n',
            "    kind: row-count-consistency\n    timeout: 1s\n    schedule: '*/2 * * * * *'\n",
          ],
          ['  sendResolved: true\n', '  sendResolved: true\n  deliveryBudget: 1s\n'],
        ],
        append: `server: { port: 0, watchdogGrace: 1s, shutdownGrace: ${shutdownGrace} }\n`,
      }),
    );
    await waitFor(
      async () => ((await get(serve.port, '/readyz')).status === 200 ? true : undefined),
      20_000,
      'the start-up run',
    );
    // The next run freezes the store once it has started (leases held, check done): at its alert states.
    proxy.freezeOn('guardrail_alert_state');
    return serve;
  }

  /** /healthz once it answers 500: a run is in flight, hung on the store. */
  const stuck = (serve: ServeProcess) =>
    waitFor(
      async () => {
        const answer = await get(serve.port, '/healthz');
        return answer.status === 500 ? answer : undefined;
      },
      15_000,
      '/healthz 500',
    );

  it('answers /healthz 500 naming the check once the run outlived timeout + delivery budget + grace', async () => {
    const serve = await hangingServe('1s');

    const early = await get(serve.port, '/healthz');
    const wedged = await stuck(serve);
    const ready = await get(serve.port, '/readyz');
    serve.child.kill('SIGTERM');

    expect(early).toEqual({ status: 200, body: 'ok\n' });
    expect(wedged.body).toMatch(/^stuck: check shop-consistency running for \S+ \(limit 3s\)\n$/);
    expect(ready).toEqual({ status: 200, body: 'ready\n' });
    expect(await serve.exited).toBe(0);
  });

  it('on SIGTERM waits the shutdown grace for the hung run, aborts it, and exits 0', async () => {
    const serve = await hangingServe('1s');
    await stuck(serve);

    const asked = Date.now();
    serve.child.kill('SIGTERM');
    const stopping = await waitFor(
      async () => ((await get(serve.port, '/readyz')).body === 'stopping\n' ? true : undefined),
      900,
      '/readyz stopping',
    );
    const code = await serve.exited;

    expect(stopping).toBe(true);
    expect(code).toBe(0);
    expect(Date.now() - asked).toBeGreaterThanOrEqual(1000);
    // The grace, then the aborted run's own store call and the pool's close, each bounded (the store never answers).
    expect(Date.now() - asked).toBeLessThan(25_000);
    expect(serve.logs().map((l) => l.msg)).toContain(
      'in-flight checks did not finish within the shutdown grace; aborting them',
    );
  });

  it('exits at once with 143 on a second SIGTERM while the graceful stop waits for the hung run', async () => {
    const serve = await hangingServe('60s');
    await stuck(serve);

    serve.child.kill('SIGTERM');
    const afterFirst = await exitWithin(serve, 500);
    const asked = Date.now();
    serve.child.kill('SIGTERM');
    const afterSecond = await exitWithin(serve, 2000);

    expect(afterFirst).toBe('running');
    expect(afterSecond).toBe(143);
    expect(Date.now() - asked).toBeLessThan(2000);
  });
});
