import * as z from './zod';
import { validate as validateCron } from 'node-cron';
import { formatDuration, parseDuration } from './duration';
import { SEVERITIES } from './severity';

/** Node timers fire at once beyond 2³¹−1 ms (about 24.8 days), so no timeout may be longer. */
export const MAX_TIMER_MS = 2 ** 31 - 1;

export interface DurationBounds {
  /** Smallest allowed value in milliseconds. @default 0 */
  min?: number;
  /** Largest allowed value in milliseconds. */
  max?: number;
}

/**
 * No duration may be longer: ten years is past any window, lag or look-back, and keeps every date Guardrail computes
 * from one valid (`9999999999999999d` passed validation, then failed every run with "Invalid time value").
 */
export const MAX_DURATION_MS = 3650 * 86_400_000;

/** A duration string (`15m`, `1h30m`, `7d`) parsed to milliseconds, bounded (at most MAX_DURATION_MS). */
export function duration(bounds: DurationBounds = {}) {
  const max = Math.min(bounds.max ?? MAX_DURATION_MS, MAX_DURATION_MS);
  return z
    .string({
      // A number (`maxLag: 0`) or a list is a duration written wrong, not "expected string".
      error: (iss) =>
        iss.input === undefined ? undefined : `expected a duration such as 30s, 15m, 1h or 7d (zero is 0s)`,
    })
    .transform((text, ctx) => {
      const ms = parseDuration(text);
      if (ms === undefined) {
        ctx.addIssue({
          code: 'custom',
          message: `'${text}' is not a duration; expected e.g. 30s, 15m, 1h, 7d`,
        });
        return z.NEVER;
      }
      if (ms < (bounds.min ?? 0) || ms > max) {
        // The ten-year cap is named only to a value past it.
        const range = bounds.max !== undefined || ms > max ? ` and at most ${formatDuration(max)}` : '';
        ctx.addIssue({
          code: 'custom',
          message: `'${text}' is out of range: must be at least ${formatDuration(bounds.min ?? 0)}${range}`,
        });
        return z.NEVER;
      }
      return ms;
    })
    .meta({ description: 'Duration: a number followed by ms, s, m, h, d or w (e.g. 15m, 1h30m, 7d)' });
}

/** A timeout: more than nothing, and short enough for a Node timer. */
export function timeout() {
  return duration({ min: 1000, max: MAX_TIMER_MS });
}

/** A cron expression (5 fields, or 6 with seconds), validated by node-cron. */
export function cronExpression() {
  return z
    .string()
    .refine((text) => validateCron(text), { error: (iss) => cronMistake(String(iss.input)) })
    .meta({ description: 'Cron expression (minute hour day-of-month month day-of-week)' });
}

const CRON_FIELDS = [
  'minute (0-59)',
  'hour (0-23)',
  'day of month (1-31)',
  'month (1-12)',
  'day of week (0-7)',
];

/**
 * Why node-cron refuses `text`: the wrong number of fields, or which field is out of range (each field tried
 * alone, the others `*`), so that `0 25 * * *` says "hour", not "expected 5 fields".
 */
export function cronMistake(text: string): string {
  const fields = text.trim() ? text.trim().split(/\s+/) : [];
  const names = fields.length === 6 ? ['second (0-59)', ...CRON_FIELDS] : CRON_FIELDS;
  if (fields.length !== 5 && fields.length !== 6)
    return `'${text}' is not a cron expression: it has ${fields.length} field${fields.length === 1 ? '' : 's'}; expected 5, e.g. "*/5 * * * *"`;
  const bad = fields.flatMap((field, i) =>
    validateCron(fields.map((f, j) => (j === i ? f : '*')).join(' ')) ? [] : [`${names[i]}: '${field}'`],
  );
  const which = bad.length ? `out of range: ${bad.join(', ')}` : 'an impossible date';
  return `'${text}' is not a cron expression (${which}); e.g. "*/5 * * * *"`;
}

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const WEEKDAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];
/** Each field's name, what it wraps round, and its lowest and highest value. */
const FIELD_SPANS = [
  { name: 'minute', round: 'hour', low: 0, high: 59 },
  { name: 'hour', round: 'day', low: 0, high: 23 },
  { name: 'day of month', round: 'month', low: 1, high: 31 },
  { name: 'month', round: 'year', low: 1, high: 12 },
  { name: 'day of week', round: 'week', low: 0, high: 6 },
];
const SECONDS = { name: 'second', round: 'minute', low: 0, high: 59 };

/**
 * What to say of a schedule with a range written high to low (`5-1`, `22-2`, `fri-tue`), which node-cron runs round
 * the field's end: `5-1` in the minutes at 5 to 59 and 0 to 1, 57 times an hour, where `1-5` may have been meant (a
 * trial), and `22-2` overnight, as may well be meant (a review). A warning, not a refusal: such schedules run today.
 * A day-of-week range ending on Sunday (`mon-sun`, `sat-0`) is Sunday as 7, no wrap.
 */
export function wrappingRange(text: string): string | undefined {
  const fields = text.trim().split(/\s+/);
  const spans = fields.length === 6 ? [SECONDS, ...FIELD_SPANS] : FIELD_SPANS;
  /** A field's value as a number: month and weekday names by their place (`jan` 1, `sun` 0), the rest as written. */
  const value = (part: string, span: (typeof FIELD_SPANS)[number]): number => {
    const names = span.round === 'year' ? MONTHS : span.round === 'week' ? WEEKDAYS : [];
    const named = names.indexOf(part.toLowerCase().slice(0, 3));
    return named < 0 ? Number(part) : named + (names === MONTHS ? 1 : 0);
  };
  for (const [i, spec] of fields.entries()) {
    const span = spans[i];
    if (!span) return undefined;
    for (const item of spec.split(',')) {
      const range = /^(\w+)-(\w+)(\/\d+)?$/.exec(item);
      if (!range) continue;
      // Sunday is 0 and 7: `7-1` is Sunday to Monday, `sat-sun` Saturday to Sunday.
      const week = span.round === 'week';
      let [from, to] = [value(range[1]!, span), value(range[2]!, span)];
      if (week && from === 7) from = 0;
      if (week && to === 0) to = 7;
      if (!(from > to)) continue;
      const written = `${range[1]}-${range[2]}${range[3] ?? ''}`;
      const reversed = `${range[2]}-${range[1]}${range[3] ?? ''}`;
      const wraps = `schedule '${text}': the ${span.name} range ${written} wraps round the end of the ${span.round}`;
      // A step carries on across the end (5-1/2: 5, 7, … 59, 1), which no plain split says.
      if (range[3])
        return `${wraps}, and node-cron counts its step on from ${from} past ${span.high} to ${to}; write ${reversed} if that was meant`;
      return (
        `${wraps}, and node-cron runs it at ${from}-${span.high} and ${span.low}-${to}: write ` +
        `${from}-${span.high},${span.low}-${to} to say so, or ${reversed} if that was meant`
      );
    }
  }
  return undefined;
}

// Letters, digits, underscore, dollar and dash: enough for MySQL/PostgreSQL/Redshift/BigQuery names that we
// always quote, never anything that could close a quote or start a statement.
const IDENTIFIER = /^[A-Za-z0-9_$-]+$/;

/** One SQL identifier (column, schema) from config; quoted when used. */
export function identifier() {
  return z.string().regex(IDENTIFIER, {
    error: (iss) =>
      `'${String(iss.input)}' is not a valid identifier; use letters, digits, _, $ or - (no quotes, spaces or dots)`,
  });
}

/** A table name `schema.table` (or `catalog.schema.table`); each part is an identifier. */
export function tableName(minParts = 2, maxParts = 3) {
  const expected = minParts === 1 ? 'table or schema.table' : 'schema.table';
  return z.string().superRefine((text, ctx) => {
    const parts = text.split('.');
    if (parts.length < minParts || parts.length > maxParts || parts.some((p) => !IDENTIFIER.test(p))) {
      ctx.addIssue({
        code: 'custom',
        message: `table name must be ${expected} with letters, digits, _, $ or - in each part; got '${text}'`,
      });
    }
  });
}

/** Optional string where an empty value (e.g. `${VAR:-}`) means "not set". */
export function optionalString() {
  return z.preprocess((v) => (v === '' || v === null ? undefined : v), z.string().optional());
}

export const SeveritySchema = z.enum(SEVERITIES);
