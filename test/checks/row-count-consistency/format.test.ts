import type { CountResult } from '../../../src/connectors/types';
import { describeWindow, driftFinding, evaluatePair } from '../../../checks/row-count-consistency/format';
import type { PairPlan } from '../../../checks/row-count-consistency/plan';

const plan = (window?: PairPlan['window']): PairPlan => ({
  label: 'game1.users',
  pair: { source: 'game1.users', target: 'raw.users' },
  window,
  tolerance: { ratio: 0, rows: 0 },
  source: { id: '0', table: { parts: ['game1', 'users'] } },
  target: { id: '0', table: { parts: ['raw', 'users'] } },
});

describe('finding text', () => {
  it.each([
    [undefined, 'whole table'],
    [
      { column: 'updated_at', from: new Date('2026-11-22T09:45:00Z'), to: new Date('2026-11-22T10:45:00Z') },
      'rows with updated_at in [2026-11-22 09:45, 10:45) UTC',
    ],
    [
      { column: 'updated_at', from: new Date('2026-11-21T23:30:00Z'), to: new Date('2026-11-22T00:30:00Z') },
      'rows with updated_at in [2026-11-21 23:30, 2026-11-22 00:30) UTC',
    ],
  ])('describes the window %#', (window, text) => {
    expect(describeWindow(window)).toBe(text);
  });

  // A trial's on-call engineer read what was wrong and nothing of what to do next.
  it.each([
    [10, 7, /Next: if it holds on the next runs, it is loss, not lag: compare the keys of both sides/],
    [
      7,
      10,
      /Next: the target holds rows the source does not: deletes that were not replicated, or a batch loaded twice/,
    ],
  ])('says what to do next: source %d, target %d', (source, target, next) => {
    expect(driftFinding(plan(), source, target)?.summary).toMatch(next);
  });

  it('says a single extra row on the target in analyst words', () => {
    expect(driftFinding(plan(), 1, 2)?.title).toBe(
      'game1.users: target has 1 more row than source (source 1, target 2, 100.00%; whole table)',
    );
  });

  it('reports nothing inside the tolerance', () => {
    expect(driftFinding({ ...plan(), tolerance: { ratio: 0.01, rows: 0 } }, 1000, 990)).toBeUndefined();
  });

  it("says in the summary when a side's count is an estimate (BigQuery streaming buffer)", () => {
    const finding = driftFinding(plan(), 10, 7, {
      target: 'estimate: 5 rows stored plus about 2 in the streaming buffer',
    });

    expect(finding?.summary).toContain(
      'Not exact: target count is an estimate: 5 rows stored plus about 2 in the streaming buffer.',
    );
  });
});

describe('verdict measurements (quickstart tolerance: rows 1, ratio 0.001; freshness 10m)', () => {
  const quickstart: PairPlan = {
    ...plan(),
    tolerance: { rows: 1, ratio: 0.001 },
    freshness: { column: 'updated_at', maxLagMs: 10 * 60_000 },
  };
  const latest = new Date('2026-11-22T10:00:00Z');
  const counted = (rows: number, lagMinutes = 0): CountResult => ({
    id: '0',
    rows,
    maxTimestamp: new Date(latest.getTime() - lagMinutes * 60_000),
  });
  const verdicts = (source: CountResult, target: CountResult) => {
    const { findings, measurements } = evaluatePair('consistency', quickstart, source, target);
    const value = (name: string) => measurements.find((m) => m.name === name)?.value;
    return {
      keys: findings.map((f) => f.key),
      over: value('table_over_tolerance'),
      tolerated: value('table_tolerated_rows'),
      freshnessOver: value('table_freshness_over'),
      maxLag: value('table_freshness_max_lag_seconds'),
    };
  };

  it.each([
    ['2 of 1,000 rows missing is over the 1 row tolerated', 1000, 998, ['game1.users'], 1, 1],
    ['5 of 5,000 rows missing is within the 5 rows tolerated', 5000, 4995, [], 0, 5],
    [
      '6 of 5,500 rows missing is over the 5 rows tolerated (5.5, whole rows)',
      5500,
      5494,
      ['game1.users'],
      1,
      5,
    ],
    ['1 of 100 rows missing is within the 1 row tolerated', 100, 99, [], 0, 1],
  ])('agrees with the drift finding: %s', (_case, sourceRows, targetRows, keys, over, tolerated) => {
    const result = verdicts(counted(sourceRows), counted(targetRows));

    expect(result).toEqual({ keys, over, tolerated, freshnessOver: 0, maxLag: 600 });
  });

  it.each([
    ['11m behind is over the 10m allowed', 11, ['game1.users:freshness'], 1],
    ['10m behind is on time', 10, [], 0],
  ])('agrees with the freshness finding: %s', (_case, lagMinutes, keys, freshnessOver) => {
    const result = verdicts(counted(100), counted(100, lagMinutes));

    expect(result).toEqual({ keys, over: 0, tolerated: 1, freshnessOver, maxLag: 600 });
  });

  // A trial: a source row dated 2099 read as 'target is 26339d 4h behind source'.
  it('says when the source is ahead of now, where its lag is no replication delay', () => {
    const future = { id: '0', rows: 100, maxTimestamp: new Date('2099-01-01T00:00:00Z') };
    const now = new Date(latest.getTime() + 60_000);

    const ahead = evaluatePair('consistency', quickstart, future, counted(100), now).findings;
    const onTime = evaluatePair('consistency', quickstart, counted(100), counted(100, 11), now).findings;

    expect(ahead.map((f) => f.title)).toEqual([
      'game1.users: target is 26337d 14h behind source (latest updated_at 2099-01-01 00:00 vs 2026-11-22 10:00 UTC); ' +
        "allowed 10m; the source's latest updated_at is in the future (a bad value or a wrong clock?)",
    ]);
    expect(onTime.map((f) => f.title)).toEqual([
      'game1.users: target is 11m behind source (latest updated_at 2026-11-22 10:00 vs 2026-11-22 09:49 UTC); allowed 10m',
    ]);
  });

  it('compares the rows of a side whose time column could not be read, and leaves its lag unknown', () => {
    const target: CountResult = {
      id: '0',
      rows: 98,
      maxTimestampError: { code: 'missing-column', message: 'column "updated_at" does not exist' },
    };
    const { findings, measurements } = evaluatePair('consistency', quickstart, counted(100), target);

    expect(findings.map((f) => [f.key, f.severity, f.title, f.covers])).toEqual([
      [
        'game1.users:target-error',
        'critical',
        'game1.users: updated_at unreadable on target (raw.users): column missing; rows compared, lag not checked',
        [{ key: 'game1.users:freshness' }],
      ],
      ['game1.users', 'critical', expect.stringMatching(/^game1\.users: target has 2 fewer rows/), undefined],
    ]);
    expect(measurements.map((m) => m.name)).not.toContain('table_freshness_over');
  });

  it('gives no verdict for a table whose target could not be counted', () => {
    const result = verdicts(counted(100), { id: '0', error: { code: 'query-failed', message: 'timeout' } });

    expect(result).toEqual({
      keys: ['game1.users:target-error'],
      over: undefined,
      tolerated: undefined,
      freshnessOver: undefined,
      maxLag: undefined,
    });
  });
});
