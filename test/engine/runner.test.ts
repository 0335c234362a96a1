import pino from 'pino';
import type { CheckConfig } from '../../src/config/load';
import type { CheckContext } from '../../checks/types';
import { runChecks } from '../../src/engine/runner';
import { CHECKS } from '../../checks/registry';
import { processResults } from '../../alerts/pipeline';
import { scanTargets } from '../../src/aws/fan-out';
import type { AwsClientConfig } from '../../src/aws/clients';
import type { AwsProvider } from '../../src/aws/types';
import type { CheckResult, Finding } from '../../src/core/types';
import { openStateStore } from '../../src/state/open-store';

// The runner looks checks up in the registry; these tests swap a kind's run() for the smallest fakes.
const kind = CHECKS[0]!.kind;
const original = CHECKS[0]!.run;
afterEach(() => {
  (CHECKS[0] as { run: unknown }).run = original;
});
const contextOf = (c: CheckConfig, signal: AbortSignal) => ({ checkId: c.id, signal }) as CheckContext;
const check = (id: string, timeoutMs = 1000): CheckConfig => ({
  id,
  kind,
  enabled: true,
  schedule: '* * * * *',
  timeoutMs,
});

describe('runner', () => {
  function fake(behaviour: Record<string, (signal: AbortSignal) => Promise<unknown>>) {
    (CHECKS[0] as { run: unknown }).run = (ctx: CheckContext) => behaviour[ctx.checkId]!(ctx.signal);
  }
  const options = {
    concurrency: 2,
    log: pino({ level: 'silent' }),
    context: contextOf,
  };

  it('makes finding keys well-formed, as the state stores will read them back', async () => {
    fake({
      emoji: async () => ({
        findings: [{ key: 'q \ud83d', severity: 'info', title: 'Q' }],
        measurements: [],
      }),
    });

    const [result] = await runChecks([check('emoji')], options);

    expect(result!.findings.map((f) => f.key)).toEqual(['q \ufffd']);
  });

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
  it('reports an interrupted check as skipped, without a check-error finding that would page on every deploy', async () => {
    (CHECKS[0] as { run: unknown }).run = (ctx: CheckContext) =>
      new Promise((_, reject) => ctx.signal.addEventListener('abort', () => reject(ctx.signal.reason)));
    const stop = new AbortController();
    const options = {
      concurrency: 1,
      log: pino({ level: 'silent' }),
      signal: stop.signal,
      context: contextOf,
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

describe('runner with a check that could not read everything', () => {
  const options = {
    concurrency: 1,
    log: pino({ level: 'silent' }),
    context: contextOf,
  };
  const runs = (body: (ctx: CheckContext) => Promise<CheckResult>) => {
    (CHECKS[0] as { run: unknown }).run = body;
    return runChecks([check('partial')], options);
  };
  const volume = (key: string, region: string): Finding => ({
    key,
    severity: 'warning',
    title: `${key} idle`,
    labels: { account: '111', region },
  });

  it('is an error that keeps the findings and measurements it did observe, plus its check-error finding', async () => {
    const [result] = await runs(async () => ({
      findings: [volume('vol-1', 'us-east-1')],
      measurements: [{ name: 'x', value: 1, labels: {} }],
      errors: ['cannot list jobs of p in region-us: denied', 'cannot list jobs of p in region-eu: denied'],
    }));

    expect(result).toMatchObject({
      status: 'error',
      partial: true,
      error: 'cannot list jobs of p in region-us: denied; cannot list jobs of p in region-eu: denied',
      measurements: [{ name: 'x', value: 1, labels: {} }],
    });
    expect(result?.findings.map((f) => [f.key, f.title])).toEqual([
      ['vol-1', 'vol-1 idle'],
      [
        'check-error',
        'Check partial could not read everything: cannot list jobs of p in region-us: denied (and 1 more)',
      ],
    ]);
  });

  it('raises no check-error finding for errors with findings of their own; the rest still get one', async () => {
    const table = (key: string): Finding => ({ key, severity: 'critical', title: `${key}: table not found` });
    const [covered] = await runs(async () => ({
      findings: [table('t1:source-error'), table('t1:target-error')],
      measurements: [],
      errorsWithFindings: ['t1: table not found on source', 't1: table not found on target'],
    }));
    const [mixed] = await runs(async () => ({
      findings: [table('t1:target-error')],
      measurements: [],
      errors: ['cannot list t2: denied'],
      errorsWithFindings: ['t1: table not found on target'],
    }));

    expect(covered).toMatchObject({
      status: 'error',
      partial: true,
      error: 't1: table not found on source; t1: table not found on target',
    });
    expect(covered?.findings.map((f) => f.key)).toEqual(['t1:source-error', 't1:target-error']);
    expect(mixed?.error).toBe('cannot list t2: denied; t1: table not found on target');
    expect(mixed?.findings.map((f) => [f.key, f.title])).toEqual([
      ['t1:target-error', 't1:target-error: table not found'],
      ['check-error', 'Check partial could not read everything: cannot list t2: denied'],
    ]);
  });

  it('counts an AWS target the fan-out could not scan as an error, with its region-error finding and no second one', async () => {
    const aws: AwsProvider = {
      targets: async () => [
        { accountId: '111', region: 'us-east-1' },
        { accountId: '111', region: 'eu-west-1', error: 'AccessDenied: not authorized' },
      ],
      clientConfig: () => ({}) as AwsClientConfig,
    };

    const [result] = await runs(async (ctx) => {
      const { scans, errors } = await scanTargets({ ...ctx, aws, progress: () => undefined }, async () => 1);
      return {
        findings: errors,
        measurements: scans.map((s) => ({ name: 'x', value: s.value, labels: {} })),
      };
    });

    expect([result?.status, result?.findings.map((f) => f.key)]).toEqual([
      'error',
      ['region-error:111/eu-west-1'],
    ]);
    expect(result?.error).toMatch(/^Could not scan eu-west-1 in account 111: .*AccessDenied/);
  });

  it('lets its other alerts notify and resolve as usual; only what its findings cover keeps its state', async () => {
    const store = await openStateStore('sqlite://:memory:', process.cwd());
    const config = {
      routes: [{ channel: 'console' }],
      silences: [],
      repeatInterval: 3_600_000,
      sendResolved: true,
    };
    const at = (minutes: number) => new Date(Date.parse('2026-11-21T00:00:00Z') + minutes * 60_000);
    const covered: Finding = {
      key: 'region-error:111/eu-west-1',
      severity: 'warning',
      title: 'Could not scan eu-west-1',
      covers: [{ labels: { account: '111', region: 'eu-west-1' } }],
    };
    try {
      const first = await runs(async () => ({
        findings: ['vol-a', 'vol-b'].map((k) => volume(k, 'us-east-1')).concat(volume('vol-eu', 'eu-west-1')),
        measurements: [],
      }));
      await processResults(first, config, store, at(0), false);
      // vol-a still idle, vol-b attached again, eu-west-1 unreadable, vol-new appears.
      const second = await runs(async () => ({
        findings: [volume('vol-a', 'us-east-1'), volume('vol-new', 'us-east-1'), covered],
        measurements: [],
        errors: ['Could not scan eu-west-1'],
      }));

      const out = await processResults(second, config, store, at(1), false);

      const states = Object.fromEntries((out.findings.get('partial') ?? []).map((f) => [f.key, f.state]));
      expect(states).toEqual({
        'vol-a': 'firing', // not announced again as new
        'vol-new': 'new',
        'region-error:111/eu-west-1': 'new',
        'check-error': 'new',
        'vol-b': 'resolved',
      });
      const euVolume = (await store.alertStates('partial')).find((a) => a.key === 'vol-eu');
      expect(euVolume?.status).toBe('firing'); // covered: its region could not be read
    } finally {
      await store.close();
    }
  });
});

describe("runner scrubbing other sessions' SQL", () => {
  const options = {
    concurrency: 1,
    log: pino({ level: 'silent' }),
    context: contextOf,
  };

  it('hides secret literals in every title, summary and resource string, and in the error text', async () => {
    (CHECKS[0] as { run: unknown }).run = async (ctx: CheckContext) => {
      if (ctx.checkId === 'throws')
        throw new Error(`syntax error in: CREATE USER bob IDENTIFIED BY 'hunter2'`);
      return {
        findings: [
          {
            key: 'pid:42',
            severity: 'warning',
            title: `bob has run ALTER USER bob PASSWORD 'hunter2' for 10m`,
            summary: `CREATE SECRET s (TYPE S3, KEY_ID 'AKIA1', SECRET 'abc')`,
            resource: {
              pid: 42,
              sql: `COPY t FROM 's3://b' credentials 'aws_secret_access_key=abc'`,
              nested: { q: `password=hunter2` },
              statements: ['SELECT 1', `ALTER USER a PASSWORD 'p'`, 'SELECT 2'],
            },
          },
        ],
        measurements: [],
      };
    };

    const [ran, threw] = await runChecks([check('ran'), check('throws')], options);

    expect(ran?.findings[0]).toEqual({
      key: 'pid:42',
      severity: 'warning',
      title: `bob has run ALTER USER bob PASSWORD '***' for 10m`,
      summary: `CREATE SECRET s (TYPE S3, KEY_ID '***', SECRET '***')`,
      resource: {
        pid: 42,
        sql: `COPY t FROM 's3://b' credentials '***'`,
        nested: { q: 'password=***' },
        statements: ['SELECT 1', `ALTER USER a PASSWORD '***'`, 'SELECT 2'],
      },
    });
    expect(threw?.error).toBe(`syntax error in: CREATE USER bob IDENTIFIED BY '***'`);
    expect(threw?.findings[0]?.title).not.toContain('hunter2');
  });
});
