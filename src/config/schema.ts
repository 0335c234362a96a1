import * as z from '../core/zod';
import { AwsConfig } from '../aws/config';
import { ConnectionConfig } from '../connectors/config';
import { parseDuration } from '../core/duration';
import { AROUND_STAND_IN, databaseUrlProblem, embedsStandIn } from '../core/url';
import { cronExpression, duration, MAX_TIMER_MS, optionalString, timeout } from '../core/fields';
import type { PendingFor } from '../core/types';
import { AlertsConfig } from '../../alerts/config';
import { CHECKS } from '../../checks/registry';
import { CHANNELS } from '../../alerts/channels/registry';
import type { AnyCheckDefinition } from '../../checks/types';
import { admitInterpolation } from './schema-interpolation';

export const DEFAULT_SCHEDULE = '*/5 * * * *';
export const DEFAULT_TIMEOUT_MS = 5 * 60_000;

/** Where alert states and the outbox live: `sqlite://PATH` (embedded, default) or `postgres://...` (shared). */
export const StateUrl = z.string().superRefine((url, ctx) => {
  const around = embedsStandIn(url) ? { params: AROUND_STAND_IN } : {};
  if (!STATE_URL.test(url)) {
    const message = 'state url must be sqlite://PATH or postgres://USER@HOST/DB (postgresql:// also works)';
    ctx.addIssue({ code: 'custom', message, ...around });
    return;
  }
  const problem = url.startsWith('postgres')
    ? databaseUrlProblem(url, ['postgres', 'postgresql'])
    : undefined;
  if (problem) ctx.addIssue({ code: 'custom', message: `state url (value hidden): ${problem}`, ...around });
});
const STATE_URL = /^(sqlite:\/\/.+|postgres(ql)?:\/\/.+)$/;

export const GcpConfig = z.strictObject({
  projectId: optionalString(),
  location: optionalString(),
  /** Override for tests and emulators (e.g. http://127.0.0.1:9050). */
  apiEndpoint: optionalString(),
});

/** The channel union, composed from each channel plugin's own schema. */
function channelUnion() {
  const [first, ...rest] = CHANNELS.map((c) => c.configSchema.extend({ type: z.literal(c.type) }));
  return z.discriminatedUnion('type', [first as z.ZodObject, ...(rest as z.ZodObject[])]);
}

export const Defaults = z.strictObject({
  schedule: cronExpression().default(DEFAULT_SCHEDULE),
  timeout: timeout().default(DEFAULT_TIMEOUT_MS),
  /** `for:` of every check that does not set its own (a check's `for: 0` notifies at once). */
  for: pendingFor().optional(),
});

/** `guardrail serve`: where it listens and how it starts, watches itself and stops. */
export const ServerConfig = z.strictObject({
  /** Port of `/metrics`, `/healthz` and `/readyz` (0: any free port, logged at start). @default 9464 */
  port: z.number().int().min(0).max(65535).default(9464),
  /** Runs every enabled check once at start-up; `/readyz` answers 200 only after those runs. @default true */
  runOnStart: z.boolean().default(true),
  /**
   * How long a run may go on past its check's `timeout` before `/healthz` answers 500 (a wedged agent, for the
   * orchestrator to restart); also what a replica's lease on a tick outlives the timeout by. @default 60s
   */
  watchdogGrace: duration({ max: MAX_TIMER_MS }).default(60_000),
  /**
   * On SIGTERM/SIGINT, how long in-flight runs may finish before they are aborted, in `serve` and `run` alike
   * (`GUARDRAIL_SHUTDOWN_GRACE` overrides it). @default 20s
   */
  shutdownGrace: duration({ max: MAX_TIMER_MS }).default(20_000),
});

/** The top level, with checks and channels left for per-plugin validation (better errors, check ids). */
export const TopLevel = z.strictObject({
  include: z.array(z.string()).default([]),
  state: z.strictObject({ url: StateUrl.default('sqlite://.guardrail/state.db') }).prefault({}),
  server: ServerConfig.prefault({}),
  metrics: z.strictObject({ pushgateway: optionalString() }).default({}),
  aws: AwsConfig.optional(),
  gcp: GcpConfig.default({}),
  connections: z.record(z.string(), ConnectionConfig).default({}),
  defaults: Defaults.prefault({}),
  checks: z.array(z.unknown()).default([]),
  alerts: AlertsConfig.prefault({}),
});

const CHECK_ID = /^[a-z0-9][a-z0-9_.-]*$/;

const RUNS = /^(\d+) runs?$/;

/** `for:` `N runs`, `1 run` or a duration (`30m`); `0` means notify at once (undefined). */
function pendingFor() {
  return z
    .union([z.literal(0), z.string()])
    .transform((value, ctx): PendingFor | undefined => {
      const text = String(value).trim();
      if (text === '0') return undefined;
      const runs = RUNS.exec(text);
      if (runs) return Number(runs[1]) > 0 ? { runs: Number(runs[1]) } : undefined;
      const ms = parseDuration(text);
      if (ms === undefined) {
        ctx.addIssue({
          code: 'custom',
          message: `'${text}' is not a for: expected e.g. 2 runs, 1 run, 30m or 0`,
        });
        return z.NEVER;
      }
      return ms > 0 ? { ms } : undefined;
    })
    .meta({
      description: 'How long a new finding must persist before it notifies: N runs or a duration (30m)',
    });
}

/** The keys every check has; `schedule`/`timeout` default to `defaults:`. */
export function checkCommonShape() {
  return {
    id: z.string().regex(CHECK_ID, { error: 'check id must be lowercase letters, digits, -, _ or .' }),
    enabled: z.boolean().default(true),
    schedule: cronExpression().optional(),
    timeout: timeout().optional(),
    /** Like Prometheus's `for:`: a new condition is pending until seen this long. @default 0 (at once) */
    for: pendingFor().optional(),
  };
}

function buildCheckSchema(def: AnyCheckDefinition) {
  const own = def.configSchema;
  const schema = z.strictObject({ ...checkCommonShape(), kind: z.literal(def.kind), ...own.shape });
  // A plugin's rules across its keys (a superRefine on its object) are checks of the object, not of its shape:
  // taking the shape alone dropped them, so a config they reject loaded and ran.
  const rules = (own._zod.def.checks ?? []) as z.core.$ZodCheck<z.output<typeof schema>>[];
  return rules.length ? schema.check(...rules) : schema;
}
/** Built once per kind: a config of 40 row-count checks parses them all with one schema. */
const checkSchemas = new WeakMap<AnyCheckDefinition, ReturnType<typeof buildCheckSchema>>();

/** A check's full schema: the common keys plus the plugin's own. */
export function checkSchema(def: AnyCheckDefinition) {
  let schema = checkSchemas.get(def);
  if (!schema) checkSchemas.set(def, (schema = buildCheckSchema(def)));
  return schema;
}

/** The whole config as one JSON Schema (for editors), composed from the plugins' schemas. */
export function configJsonSchema(): unknown {
  const checks = z.discriminatedUnion('kind', CHECKS.map(checkSchema) as unknown as [z.ZodObject]);
  const full = TopLevel.extend({
    checks: z.array(CHECKS.length ? checks : z.never()).optional(),
    alerts: AlertsConfig.extend({ channels: z.record(z.string(), channelUnion()).optional() }).optional(),
  });
  return admitInterpolation(z.toJSONSchema(full, { io: 'input', unrepresentable: 'any' }));
}
