// Numbers and ordering for the text Guardrail prints, without Intl: the first Intl.NumberFormat or localeCompare
// loads ICU's data (about 8 MB of RSS), a tenth of what a whole idle sweep may use, to put commas in numbers.

/**
 * `1,234,567` or `1,234.5`: `value` rounded to at most `maxFractionDigits` (trailing zeros dropped down to
 * `minFractionDigits`), its whole part grouped by thousands, as Intl.NumberFormat('en-US') writes it.
 */
export function formatNumber(value: number, maxFractionDigits = 0, minFractionDigits = 0): string {
  if (!Number.isFinite(value)) return String(value); // Intl writes ∞; a log line or a card wants `Infinity`
  const fixed = roundHalfUp(Math.abs(value), maxFractionDigits);
  const [whole = '0', digits = ''] = fixed.split('.');
  let fraction = digits;
  while (fraction.length > minFractionDigits && fraction.endsWith('0')) fraction = fraction.slice(0, -1);
  const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  const negative = value < 0 && /[1-9]/.test(fixed);
  return `${negative ? '-' : ''}${grouped}${fraction ? `.${fraction}` : ''}`;
}

/** Past this many decimals a percentage is written in exponent form: toFixed takes at most 100, no one reads 20. */
const MAX_PERCENT_DECIMALS = 20;

/**
 * `ratio` as a percentage with two decimals, and more for a small share so that it keeps two significant digits:
 * `2.92%`, `0.42%`, `0.0031%`. A share that is not 0 never reads as 0.
 */
export function formatPercent(ratio: number): string {
  if (!Number.isFinite(ratio)) return String(ratio);
  const percent = ratio * 100;
  const magnitude = percent === 0 ? 0 : Math.floor(Math.log10(Math.abs(percent)));
  const decimals = Math.max(2, 1 - magnitude);
  if (decimals > MAX_PERCENT_DECIMALS) return `${percent.toPrecision(2)}%`;
  return `${formatNumber(percent, decimals, decimals)}%`;
}

/** `text` on one line: each run of whitespace or control characters (a driver's multi-line error) as one space. */
export function oneLine(text: string): string {
  // eslint-disable-next-line no-control-regex -- control characters are what a table row cannot hold
  return text.replace(/[\s\u0000-\u001f\u007f]+/g, ' ').trim();
}

/**
 * `abs` to `digits` fraction digits, rounding its shortest decimal form half up as Intl does (2.675 → 2.68),
 * where toFixed would round the binary value just below it (2.67).
 */
function roundHalfUp(abs: number, digits: number): string {
  const text = String(abs);
  if (text.includes('e')) return abs.toFixed(digits);
  return (Math.round(Number(`${text}e${digits}`)) / 10 ** digits).toFixed(digits);
}

/** Orders by UTF-16 code units, the same on every machine and locale (ids, keys and file names). */
export function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
