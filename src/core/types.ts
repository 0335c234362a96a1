import type { Logger } from 'pino';
import type { z } from 'zod';
import type { ConnectionProvider } from '../connectors/types';
import type { AwsProvider } from '../aws/types';
import type { CheckState } from '../state/types';

export type Severity = 'info' | 'warning' | 'critical';

/** The check id under which the agent reports its own health (reserved: config validation rejects it). */
export const AGENT_CHECK_ID = 'guardrail-agent';

export const SEVERITIES: readonly Severity[] = ['info', 'warning', 'critical'];

export interface FindingLink {
  label: string;
  url: string;
}

/** One thing a check observed that a human should know about. */
export interface Finding {
  /** Stable within the check (volume id, `schema.table`, job id); the fingerprint is `checkId + key`. */
  key: string;
  severity: Severity;
  /** One line a human reads in Chat. */
  title: string;
  summary?: string;
  resource?: Record<string, unknown>;
  labels?: Record<string, string>;
  /** The numbers behind the title (`sourceRows`, `monthlyCostUsd`, ...). */
  metrics?: Record<string, number>;
  links?: FindingLink[];
  /**
   * `condition` fires until a later run no longer reports it; `event` is notified exactly once and never resolves.
   * @default 'condition'
   */
  lifecycle?: 'condition' | 'event';
  /**
   * Alerts this finding leaves unknown for this run (a failed count hides whether its table drifted; a failed
   * region hides its volumes): previous alerts that match keep their state instead of resolving.
   */
  covers?: AlertSelector[];
}

/** Selects alerts of the same check: a key glob and/or labels the alert's finding carries. */
export interface AlertSelector {
  key?: string;
  labels?: Record<string, string>;
}

/** A named number a check observed whether or not it fired; becomes a Prometheus gauge. */
export interface Measurement {
  /** Metric name without the `guardrail_` prefix, e.g. `table_rows` (counters end in `_total`). */
  name: string;
  value: number;
  labels: Record<string, string>;
  /**
   * `gauge`: the value now (replaces the previous run's series); `counter`: an amount to add (e.g. the cost of
   * the jobs seen this run, for `bigquery_query_cost_usd_total`). @default 'gauge'
   */
  type?: 'gauge' | 'counter';
}

export interface CheckResult {
  findings: Finding[];
  measurements: Measurement[];
}

export interface Progress {
  done: number;
  total: number;
  unit?: string;
}

/** What the engine hands a check for one run. */
export interface CheckContext {
  readonly checkId: string;
  readonly kind: string;
  /** Aborted when the check's timeout passes or the process stops. */
  readonly signal: AbortSignal;
  readonly log: Logger;
  /** The run's start time; checks compute windows from it. */
  readonly now: Date;
  /** Folder of the config file, for resolving relative paths. */
  readonly configDir: string;
  readonly connections: ConnectionProvider;
  readonly aws: AwsProvider;
  readonly state: CheckState;
  readonly progress: (p: Progress) => void;
}

/** Fields every check has, whatever its kind (added by the engine to each plugin's schema). */
export interface CheckCommon {
  id: string;
  kind: string;
  enabled: boolean;
  schedule: string;
  /** Milliseconds. */
  timeoutMs: number;
}

/** A check plugin: one definition object per kind (see checks/<kind>/index.ts). */
export interface CheckDefinition<Config = unknown> {
  kind: string;
  /** One line, shown by `guardrail checks`. */
  description: string;
  /** The plugin's own keys (a zod object); the engine adds id/kind/schedule/timeout/enabled. */
  configSchema: z.ZodObject;
  /** IAM actions the check calls, for `guardrail iam-policy`. Empty for checks that call no AWS API. */
  permissions: readonly string[];
  /** A config example (without id/kind), validated by the contract tests. */
  example: Record<string, unknown>;
  run(ctx: CheckContext, config: Config & CheckCommon): Promise<CheckResult>;
  /**
   * The subset of `permissions` this configuration needs, for a least-privilege `iam-policy` (e.g. the Redshift
   * Data API only when a connection is `redshift`). @default all of `permissions`
   */
  permissionsFor?(config: Config, connections: Record<string, { type: string }>): readonly string[];
  /** Connection names the config refers to, with their path inside the check, for load-time validation. */
  connectionsOf?(config: Config): ConnectionRef[];
  /**
   * Checks across keys once the config is loaded (list files merged), e.g. a table pair listed twice; each
   * problem names its path inside the check.
   */
  validate?(config: Config & CheckCommon): { path: (string | number)[]; message: string }[];
  /** Keys naming YAML files whose items join a list key, read and validated when the config loads. */
  listFiles?: readonly ListFiles[];
}

/** A key of globs (e.g. `tableFiles`) whose files hold more items for a list key (e.g. `tables`). */
export interface ListFiles {
  key: string;
  into: string;
  /** Schema of one item, as in the list key. */
  item: z.ZodType;
}

export interface ConnectionRef {
  name: string;
  /** Path inside the check's config, e.g. ['source'] or ['tables', 3, 'target']. */
  path: (string | number)[];
}

// Definitions are heterogeneous; the registry stores them erased.
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- config type is per plugin, validated by its schema
export type AnyCheckDefinition = CheckDefinition<any>;

export function defineCheck<S extends z.ZodObject>(
  def: Omit<CheckDefinition<z.infer<S>>, 'configSchema'> & { configSchema: S },
): CheckDefinition<z.infer<S>> {
  return def;
}
