import { toJson, iso } from '../../src/state/rows';

// toJson takes JSON.stringify's fast path unless the text holds a \u0000 escape; it must give what the replacer
// alone (strip every NUL, keys included) gives.
describe('JSON for the state columns', () => {
  it('is plain JSON.stringify for text without NUL, including what stringify turns into nothing', () => {
    const value = { a: 'x', n: 1, when: new Date(0), list: [1, 'two', null], skip: undefined };

    expect(toJson(value)).toBe(JSON.stringify(value));
    expect(toJson(undefined)).toBeUndefined();
    expect(toJson({ toJSON: () => undefined })).toBeUndefined();
  });

  it('strips NUL from keys and values, and keeps a literal backslash-u0000', () => {
    expect(toJson({ 'k\u0000': ['a\u0000b', 'c\\u0000d'] })).toBe('{"k":["ab","c\\\\u0000d"]}');
  });
});

describe('iso', () => {
  it('keeps canonical text as it is and writes every other timestamp in that form', () => {
    expect(iso('2026-12-03T14:05:09.120Z')).toBe('2026-12-03T14:05:09.120Z');
    expect(iso(new Date(Date.UTC(2026, 11, 3, 14, 5, 9, 120)))).toBe('2026-12-03T14:05:09.120Z');
    expect(iso('2026-12-03T14:05:09Z')).toBe('2026-12-03T14:05:09.000Z');
    expect(iso('2026-12-03T23:05:09.120+09:00')).toBe('2026-12-03T14:05:09.120Z');
  });
});
