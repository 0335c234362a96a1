import { breaches, planPairs, windowBounds } from '../../../checks/row-count-consistency/plan';
import { RowCountConsistencyConfig } from '../../../checks/row-count-consistency/schema';

describe('tolerance', () => {
  it.each([
    // ratio, rows, source, target, breach
    [0, 0, 1000, 1000, false],
    [0, 0, 1000, 999, true],
    [0.001, 0, 1000, 999, false],
    [0.001, 0, 1000, 998, true],
    [0.001, 5, 1000, 995, false],
    [0.001, 5, 1000, 1006, true],
    [0, 0, 0, 1, true],
    [0.5, 0, 0, 0, false],
    // 0.29 × 100 and 0.57 × 100 fall just short of 29 and 57 in binary floating point (a review).
    [0.29, 0, 100, 71, false],
    [0.29, 0, 100, 70, true],
    [0.57, 0, 100, 43, false],
    [0.57, 0, 100, 42, true],
  ])('ratio %p, rows %p: source %p vs target %p breaches: %p', (ratio, rows, source, target, expected) => {
    expect(breaches({ ratio, rows }, source, target)).toBe(expected);
  });
});

describe('planning the table pairs', () => {
  const now = new Date('2026-11-22T11:07:42.123Z');

  it('closes the window at now − lag on a whole minute', () => {
    expect(windowBounds(now, 'updated_at', 3_600_000, 900_000)).toEqual({
      column: 'updated_at',
      from: new Date('2026-11-22T09:52:00.000Z'),
      to: new Date('2026-11-22T10:52:00.000Z'),
    });
  });

  it('lets a table override the window, freshness and where per side', () => {
    const config = RowCountConsistencyConfig.parse({
      source: 'a',
      target: 'b',
      window: { column: 'updated_at', size: '1h' },
      freshness: { maxLag: '10m' },
      tables: [
        { source: 's.t1', target: 'd.t1', where: { source: 'deleted_at IS NULL' } },
        { source: 's.t2', target: 'd.t2', window: false, freshness: false, where: 'x > 0' },
      ],
    });

    const [first, second] = planPairs(config, config.tables, now);

    expect(first?.source).toEqual({
      id: '0',
      table: { parts: ['s', 't1'] },
      where: 'deleted_at IS NULL',
      window: {
        column: 'updated_at',
        from: new Date('2026-11-22T10:07:00Z'),
        to: new Date('2026-11-22T11:07:00Z'),
      },
      maxTimestampColumn: 'updated_at',
    });
    expect(first?.target.where).toBeUndefined();
    expect(second?.source).toEqual({ id: '1', table: { parts: ['s', 't2'] }, where: 'x > 0' });
    expect(second?.target).toEqual({ id: '1', table: { parts: ['d', 't2'] }, where: 'x > 0' });
  });

  it('refuses the same table twice without distinct names', () => {
    const config = RowCountConsistencyConfig.parse({
      source: 'a',
      target: 'b',
      tables: [
        { source: 's.t', target: 'd.t' },
        { source: 's.t', target: 'e.t' },
      ],
    });

    expect(() => planPairs(config, config.tables, now)).toThrow(
      "tables[0] and tables[1]: 's.t' is compared twice",
    );
  });
});
