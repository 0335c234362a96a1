import { z } from 'zod';
import { AwsConfig } from '../aws/config';
import { ConnectionConfig } from '../connectors/config';
import { cronExpression, duration, optionalString, SeveritySchema, timeout } from './fields';
import { CHECKS } from '../../checks/registry';
import { CHANNELS } from '../../alerts/channels/registry';
import type { AnyCheckDefinition } from '../core/types';

export const DEFAULT_SCHEDULE = '*/5 * * * *';
export const DEFAULT_TIMEOUT_MS = 5 * 60_000;

/** Where alert states and the outbox live: `sqlite://PATH` (embedded, default) or `postgres://...` (shared). */
export const StateUrl = z.string().refine((url) => STATE_URL.test(url), {
  error: 'state url must be sqlite://PATH or postgres://USER@HOST/DB (postgresql:// also works)',
});
const STATE_URL = /^(sqlite:\/\/.+|postgres(ql)?:\/\/.+)$/;

export const GcpConfig = z.strictObject({
  projectId: optionalString(),
  location: optionalString(),
  /** Override for tests and emulators (e.g. http://127.0.0.1:9050). */
  apiEndpoint: optionalString(),
});

const Match = z.strictObject({
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

/** The channel union, composed from each channel plugin's own schema. */
function channelUnion() {
  const [first, ...rest] = CHANNELS.map((c) => c.configSchema.extend({ type: z.literal(c.type) }));
  return z.discriminatedUnion('type', [first as z.ZodObject, ...(rest as z.ZodObject[])]);
}

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

export const Defaults = z.strictObject({
  schedule: cronExpression().default(DEFAULT_SCHEDULE),
  timeout: timeout().default(DEFAULT_TIMEOUT_MS),
});

/** The top level, with checks and channels left for per-plugin validation (better errors, check ids). */
export const TopLevel = z.strictObject({
  include: z.array(z.string()).default([]),
  state: z.strictObject({ url: StateUrl.default('sqlite://.guardrail/state.db') }).default({
    url: 'sqlite://.guardrail/state.db',
  }),
  server: z.strictObject({ port: z.number().int().min(0).max(65535).default(9464) }).default({ port: 9464 }),
  metrics: z.strictObject({ pushgateway: optionalString() }).default({}),
  aws: AwsConfig.optional(),
  gcp: GcpConfig.default({}),
  connections: z.record(z.string(), ConnectionConfig).default({}),
  defaults: Defaults.default({ schedule: DEFAULT_SCHEDULE, timeout: DEFAULT_TIMEOUT_MS }),
  checks: z.array(z.unknown()).default([]),
  alerts: AlertsConfig.default({
    channels: {},
    routes: [],
    repeatInterval: 4 * 3_600_000,
    sendResolved: true,
    silences: [],
    maxDeliveryAge: 24 * 3_600_000,
    retention: 30 * 86_400_000,
    deliveryBudget: 60_000,
  }),
});

const CHECK_ID = /^[a-z0-9][a-z0-9_.-]*$/;

/** The keys every check has; `schedule`/`timeout` default to `defaults:`. */
export function checkCommonShape() {
  return {
    id: z.string().regex(CHECK_ID, { error: 'check id must be lowercase letters, digits, -, _ or .' }),
    enabled: z.boolean().default(true),
    schedule: cronExpression().optional(),
    timeout: timeout().optional(),
  };
}

/** A check's full schema: the common keys plus the plugin's own. */
export function checkSchema(def: AnyCheckDefinition) {
  return z.strictObject({ ...checkCommonShape(), kind: z.literal(def.kind), ...def.configSchema.shape });
}

/** The whole config as one JSON Schema (for editors), composed from the plugins' schemas. */
export function configJsonSchema(): unknown {
  const checks = z.discriminatedUnion('kind', CHECKS.map(checkSchema) as unknown as [z.ZodObject]);
  const full = TopLevel.extend({
    checks: z.array(CHECKS.length ? checks : z.never()).optional(),
    alerts: AlertsConfig.extend({ channels: z.record(z.string(), channelUnion()).optional() }).optional(),
  });
  return z.toJSONSchema(full, { io: 'input', unrepresentable: 'any' });
}
