import { RUN_LEASE_TTL_MS } from '../../src/cli/run-lease';
import { freshPgDatabase } from '../harness/databases';
import { startFreezableProxy, type FreezableProxy } from '../servers/freezable-proxy';
import { get, quickstartCopy, startServe, waitFor, type ServeProcess } from './serve-process';

/**
 * Two replicas on one PostgreSQL state store, a run every 2 s that may take a minute (timeout 60s: the run limit
 * is 62 s). The first replica reaches the store through a proxy that freezes its next run mid-run (at the alert
 * states, leases held), as a replica that hangs or loses its network does.
 */
describe('guardrail serve: a replica that dies or hangs mid-run holds its check for the run lease only', () => {
  let proxy: FreezableProxy;
  let direct: string;
  let viaProxy: string;
  const serves: ServeProcess[] = [];
  beforeEach(async () => {
    direct = await freshPgDatabase('serve_lease');
    const pg = new URL(direct);
    proxy = await startFreezableProxy({ host: pg.hostname, port: Number(pg.port) });
    pg.hostname = '127.0.0.1';
    pg.port = String(proxy.port);
    viaProxy = pg.toString();
  });
  afterEach(async () => {
    for (const s of serves.splice(0)) s.child.kill('SIGKILL');
    await proxy.close();
  });

  const config = () =>
    quickstartCopy({
      edits: [
        [
          '    kind: row-count-consistency\n',
          "    kind: row-count-consistency\n    timeout: 60s\n    schedule: '*/2 * * * * *'\n",
        ],
        ['  sendResolved: true\n', '  sendResolved: true\n  deliveryBudget: 1s\n'],
      ],
      append: 'server: { port: 0, watchdogGrace: 1s }\n',
    });

  /** The first replica, ready, then frozen in its next run while it holds the check's run lease. */
  async function frozenReplica(file: string): Promise<ServeProcess> {
    const victim = await startServe(file, ['--state', viaProxy]);
    serves.push(victim);
    await waitFor(
      async () => ((await get(victim.port, '/readyz')).status === 200 ? true : undefined),
      20_000,
      'the first replica ready',
    );
    proxy.freezeOn('guardrail_alert_state');
    await waitFor(() => (proxy.frozen() ? true : undefined), 10_000, 'the first replica frozen mid-run');
    return victim;
  }

  const finished = (serve: ServeProcess) =>
    serve.logs().filter((l) => l.msg === 'check run finished' && l.status !== undefined);

  it('killed with SIGKILL: the other replica runs the check within the lease ttl, not the 62 s run limit', async () => {
    const file = config();
    const victim = await frozenReplica(file);
    victim.child.kill('SIGKILL');
    // The kernel closes a killed process's connections: the server sees it go (and drops its locks) at once.
    await proxy.close();
    const killedAt = Date.now();
    const survivor = await startServe(file, ['--state', direct]);
    serves.push(survivor);
    await waitFor(() => (finished(survivor).length ? true : undefined), 40_000, 'a run on the survivor');
    const waited = Date.now() - killedAt;
    expect(waited).toBeLessThan(RUN_LEASE_TTL_MS + 8_000);
    // Its ticks meanwhile waited behind its own start-up run, itself waiting for the lease: logged, not counted as
    // skips (the replica running the check counts those), and its start-up run did not give up.
    expect(survivor.logs().some((l) => /still waiting for another replica/.test(String(l.msg)))).toBe(true);
    const metrics = (await get(survivor.port, '/metrics')).body;
    const skipped = Object.fromEntries(
      [...metrics.matchAll(/^guardrail_check_skipped_total\{.*reason="([^"]+)"\} (\S+)$/gm)].map((m) => [
        m[1],
        m[2],
      ]),
    );
    // Each reason is there from the start. Only a tick that found the survivor's own run going counts (a run
    // slower than the 2 s schedule, on a loaded machine); the ticks that waited for the lease count nothing.
    const overlaps = survivor
      .logs()
      .filter((l) => /previous run still in progress/.test(String(l.msg))).length;
    expect(skipped).toEqual({ overlap: String(overlaps), 'running-elsewhere': '0', 'lease-lost': '0' });
  }, 60_000);

  it('hung on its store: the other replica takes the check once the lease lapses; the hung one reports its store on /readyz and /metrics', async () => {
    const file = config();
    const victim = await frozenReplica(file);
    const frozenAt = Date.now();
    const survivor = await startServe(file, ['--state', direct]);
    serves.push(survivor);
    await waitFor(() => (finished(survivor).length ? true : undefined), 40_000, 'a run on the survivor');
    expect(Date.now() - frozenAt).toBeLessThan(RUN_LEASE_TTL_MS + 8_000);
    // Its first run found the check's alert lock free: the store ended the hung replica's transaction as well.
    expect(finished(survivor)[0]).toMatchObject({ tick: 'start', status: 'firing' });
    expect(survivor.logs().filter((l) => l.msg === 'check run failed')).toEqual([]);
    const readyz = await waitFor(
      async () => {
        const answer = await get(victim.port, '/readyz');
        return answer.status === 503 ? answer : undefined;
      },
      25_000,
      '/readyz 503 on the hung replica',
    );
    expect(readyz.body).toMatch(/^state store unreachable since \d{4}-\d\d-\d\dT/);
    expect((await get(victim.port, '/metrics')).body).toMatch(/^guardrail_state_store_up 0$/m);
    expect(
      victim
        .logs()
        .filter(
          (l) =>
            l.msg ===
            'state store unreachable: checks cannot record results or deliver alerts until it answers',
        ),
    ).toHaveLength(1);
    expect((await get(survivor.port, '/metrics')).body).toMatch(/^guardrail_state_store_up 1$/m);
    // A store that does not answer stops no run: only a lease taken does (test/cli/run-lease.test.ts).
    expect(victim.logs().filter((l) => l.msg === 'run lease lost')).toEqual([]);
  }, 80_000);
});
