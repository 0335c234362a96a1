import { describeWindow, driftFinding } from '../../../checks/row-count-consistency/format';
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
