import { formatDuration } from '../../../src/core/duration';
import { formatNumber, formatPercent } from '../../../src/core/text';

// Card text is a small HTML subset: anything a check reports must be escaped, and control characters cost
// six bytes each once JSON-encoded, so they go.
export function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

export function clean(text: string, max: number): string {
  // eslint-disable-next-line no-control-regex -- stripping control characters is the point
  const plain = text.replace(/[\u0000-\u0009\u000b-\u001f\u007f]/g, ' ');
  const chars = [...plain];
  return chars.length <= max ? plain : `${chars.slice(0, max - 1).join('')}…`;
}

export function colored(color: string, html: string): string {
  return `<font color="${color}">${html}</font>`;
}

/**
 * A metric as a person reads it: `monthlyCostUsd` as dollars, `*Seconds` as a duration, a `*Ratio` or `*Rate`
 * (a share, 0.0042) as a percentage (0.42%), as the finding's title writes it.
 */
export function formatMetric(name: string, value: number): string {
  if (!Number.isFinite(value)) return String(value);
  if (/usd$/i.test(name)) return `$${formatNumber(value, 2)}`;
  if (/(ratio|rate)$/i.test(name)) return formatPercent(value);
  if (/seconds$/i.test(name) && value >= 1) return formatDuration(value * 1000);
  return formatNumber(value, 2);
}

/**
 * A metric's name as a fact's label: without the unit its value is now written in (`lagSeconds` shows "58m 20s",
 * so it is labelled `lag`; `monthlyCostUsd` shows "$12", labelled `monthlyCost`).
 */
export function metricLabel(name: string, value: number): string {
  if (!Number.isFinite(value)) return name;
  const unit = /usd$/i.test(name) ? /usd$/i : /seconds$/i.test(name) && value >= 1 ? /seconds$/i : undefined;
  return (unit && name.replace(unit, '')) || name;
}

/** Only absolute http(s) links become buttons; anything else would make Chat reject the message. */
export function isOpenableUrl(url: string, maxChars: number): boolean {
  return url.length <= maxChars && URL.canParse(url) && /^https?:$/.test(new URL(url).protocol);
}
