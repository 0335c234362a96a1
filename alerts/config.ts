import * as z from '../src/core/zod';
import { duration, SeveritySchema, timeout } from '../src/core/fields';

/** What a route or silence selects: any of check id, kind, severity, a key glob and labels. */
export const Match = z.strictObject({
  check: z.string().optional(),
  kind: z.string().optional(),
  severity: SeveritySchema.optional(),
  /** Glob on the finding key (e.g. `vol-0abc*`). */
  key: z.string().optional(),
  labels: z.record(z.string(), z.string()).optional(),
});
export type Match = z.infer<typeof Match>;

export const Route = z.strictObject({ match: Match.optional(), channel: z.string().min(1) });
export type Route = z.infer<typeof Route>;

export const Silence = z.strictObject({
  match: Match,
  /** Date or date-time (UTC when no offset); the silence no longer mutes after it. */
  until: z.union([z.string(), z.date()]).transform((value, ctx) => {
    const text = value instanceof Date ? value.toISOString() : value;
    const at = Date.parse(/^\d{4}-\d{2}-\d{2}$/.test(text) ? `${text}T23:59:59.999Z` : text);
    if (Number.isNaN(at)) {
      ctx.addIssue({
        code: 'custom',
        message: `'${text}' is not a date; expected YYYY-MM-DD or an ISO date-time`,
      });
      return z.NEVER;
    }
    return new Date(at).toISOString();
  }),
  reason: z.string().min(1, { error: 'a silence needs a reason' }),
});
export type Silence = z.infer<typeof Silence>;

/** `alerts:`: channels, routes (first match wins), silences, the lifecycle and delivery limits. */
export const AlertsConfig = z.strictObject({
  channels: z.record(z.string(), z.unknown()).default({}),
  routes: z.array(Route).default([]),
  repeatInterval: duration({ min: 60_000 }).default(4 * 3_600_000),
  sendResolved: z.boolean().default(true),
  silences: z.array(Silence).default([]),
  /** Undelivered messages older than this are dropped (logged, counted). @default 24h */
  maxDeliveryAge: duration({ min: 60_000 }).default(24 * 3_600_000),
  /** Sent and dropped messages and resolved alerts are deleted after this. @default 30d */
  retention: duration({ min: 86_400_000 }).default(30 * 86_400_000),
  /** How long one run keeps retrying delivery before leaving the rest for the next run. @default 60s */
  deliveryBudget: timeout().default(60_000),
});
export type AlertsConfig = z.infer<typeof AlertsConfig>;
