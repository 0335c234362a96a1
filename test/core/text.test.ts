import { compareText, formatNumber } from '../../src/core/text';

describe('formatNumber writes what Intl.NumberFormat("en-US") writes, without loading ICU', () => {
  const values = [
    0,
    1,
    -1,
    7,
    999,
    1000,
    -1000,
    1234.5,
    999999.995,
    1e6,
    12345678.9,
    0.004,
    0.005,
    0.015,
    2.675,
    1.005,
    123456789012,
    5.1,
    0.1 + 0.2,
    1e-7,
    4.35,
    -2.675,
  ];
  it.each([
    [0, 0],
    [2, 0],
    [2, 2],
    [3, 0],
  ])('with at most %i and at least %i fraction digits', (max, min) => {
    const intl = new Intl.NumberFormat('en-US', { maximumFractionDigits: max, minimumFractionDigits: min });

    expect(values.map((v) => formatNumber(v, max, min))).toEqual(values.map((v) => intl.format(v)));
  });

  it('writes no negative zero and spells infinity', () => {
    expect(formatNumber(-0.001, 2)).toBe('0');
    expect(formatNumber(-0, 2, 2)).toBe('0.00');
    expect(formatNumber(Infinity)).toBe('Infinity');
  });
});

describe('compareText', () => {
  it('orders by code units, the same in every locale', () => {
    expect(['b', 'a-2', 'B', 'a.1', 'a'].sort(compareText)).toEqual(['B', 'a', 'a-2', 'a.1', 'b']);
  });
});
