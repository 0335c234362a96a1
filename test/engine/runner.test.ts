import pino from 'pino';
import type { CheckConfig } from '../../src/config/load';
import type { CheckContext } from '../../checks/types';
import { runChecks } from '../../src/engine/runner';
import { CHECKS } from '../../checks/registry';

// The runner looks checks up in the registry; these tests swap a kind's run() for the smallest fakes.
const kind = CHECKS[0]!.kind;
const check = (id: string, timeoutMs = 1000): CheckConfig => ({
  id,
  kind,
  enabled: true,
  schedule: '* * * * *',
  timeoutMs,
});

describe('runner', () => {
  const original = CHECKS[0]!.run;
  afterEach(() => {
    (CHECKS[0] as { run: unknown }).run = original;
  });

  function fake(behaviour: Record<string, (signal: AbortSignal) => Promise<unknown>>) {
    (CHECKS[0] as { run: unknown }).run = (ctx: CheckContext) => behaviour[ctx.checkId]!(ctx.signal);
  }
  const options = {
    concurrency: 2,
    log: pino({ level: 'silent' }),
    context: (c: CheckConfig, signal: AbortSignal) => ({ checkId: c.id, signal }) as CheckContext,
  };

  it('turns a throwing check and a hanging check into check-error findings; the others finish', async () => {
    fake({
      good: async () => ({ findings: [], measurements: [{ name: 'x', value: 1, labels: {} }] }),
      throws: async () => {
        throw new Error('connect ECONNREFUSED postgres://app:hunter2@db:5432/x');
      },
      hangs: () => new Promise(() => undefined),
      firing: async () => ({ findings: [{ key: 'a', severity: 'warning', title: 'A' }], measurements: [] }),
    });

    const results = await runChecks(
      [check('good'), check('throws'), check('hangs', 50), check('firing')],
      options,
    );

    expect(results.map((r) => [r.id, r.status, r.findings.map((f) => f.key)])).toEqual([
      ['good', 'ok', []],
      ['throws', 'error', ['check-error']],
      ['hangs', 'error', ['check-error']],
      ['firing', 'firing', ['a']],
    ]);
    expect(results[1]!.error).toBe('connect ECONNREFUSED postgres://app:***@db:5432/x');
    expect(results[2]!.error).toBe('timed out after 50ms');
  });

  it('aborts the signal of a check that times out', async () => {
    let seen: AbortSignal | undefined;
    fake({ slow: (signal) => ((seen = signal), new Promise(() => undefined)) });

    await runChecks([check('slow', 20)], options);

    expect(seen?.aborted).toBe(true);
  });

  it('runs no more checks at once than the concurrency limit', async () => {
    let running = 0;
    let peak = 0;
    const body = async () => {
      peak = Math.max(peak, ++running);
      await new Promise((r) => setTimeout(r, 10));
      running--;
      return { findings: [], measurements: [] };
    };
    fake(Object.fromEntries(['a', 'b', 'c', 'd', 'e'].map((id) => [id, body])));

    await runChecks(
      ['a', 'b', 'c', 'd', 'e'].map((id) => check(id)),
      options,
    );

    expect(peak).toBe(2);
  });

  it('skips a disabled check without running it', async () => {
    fake({});

    const [result] = await runChecks([{ ...check('off'), enabled: false }], options);

    expect(result?.status).toBe('skipped');
  });
});

describe('runner when the process stops', () => {
  const original = CHECKS[0]!.run;
  afterEach(() => {
    (CHECKS[0] as { run: unknown }).run = original;
  });

  it('reports an interrupted check as skipped, without a check-error finding that would page on every deploy', async () => {
    (CHECKS[0] as { run: unknown }).run = (ctx: CheckContext) =>
      new Promise((_, reject) => ctx.signal.addEventListener('abort', () => reject(ctx.signal.reason)));
    const stop = new AbortController();
    const options = {
      concurrency: 1,
      log: pino({ level: 'silent' }),
      signal: stop.signal,
      context: (c: CheckConfig, signal: AbortSignal) => ({ checkId: c.id, signal }) as CheckContext,
    };

    const running = runChecks([check('slow', 10_000)], options);
    stop.abort(new Error('shutting down'));
    const [result] = await running;

    expect([result?.status, result?.error, result?.findings]).toEqual([
      'skipped',
      'interrupted: shutting down',
      [],
    ]);
  });
});
