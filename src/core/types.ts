import type { Severity } from './severity';

/** The check id under which the agent reports its own health (reserved: config validation rejects it). */
export const AGENT_CHECK_ID = 'guardrail-agent';

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

/**
 * A named number a check observed whether or not it fired; becomes the Prometheus gauge (the value now) or
 * counter (an amount to add) that its kind declares.
 */
export interface Measurement {
  /** Metric name without the `guardrail_` prefix, e.g. `table_rows` (counters end in `_total`). */
  name: string;
  value: number;
  labels: Record<string, string>;
}

export interface CheckResult {
  findings: Finding[];
  measurements: Measurement[];
  /**
   * What the check could not read this run (a project or region it could not list, a count that failed), one
   * line each. Non-empty makes the run an `error` while its findings and measurements still count; findings
   * `cover` the alerts this leaves unknown.
   */
  errors?: string[];
  /**
   * Like `errors`, for what the check raised a finding of its own about (a table it could not count): the run is an
   * `error` all the same and they are logged, but no check-error finding says them a second time.
   */
  errorsWithFindings?: string[];
  /**
   * Every alert key the check could report with its config as it is now (its own check-error aside): an earlier
   * alert of another key is about something taken out of the config (a table line deleted, its freshness turned
   * off). It closes as "no longer checked", not "resolved", since nothing says the condition ended. A check that
   * does not say keeps every alert in scope.
   */
  scope?: CheckScope;
}

export interface CheckScope {
  keys: ReadonlySet<string>;
}

export interface Progress {
  done: number;
  total: number;
  unit?: string;
}

/** Fields every check has, whatever its kind (added by the engine to each plugin's schema). */
export interface CheckCommon {
  id: string;
  kind: string;
  enabled: boolean;
  schedule: string;
  /** Milliseconds. */
  timeoutMs: number;
  /** `for:` how long a new condition must keep being reported before it notifies; absent: at once. */
  pendingFor?: PendingFor;
}

/** A check's `for:` (as Prometheus's): N consecutive runs, or a duration in ms since the first sighting. */
export type PendingFor = { runs: number } | { ms: number };

/** A measurement a check kind declares it may report; `/metrics` and the dashboards read these. */
export interface MeasurementDeclaration {
  /** Metric name without the `guardrail_` prefix (counters end in `_total`). */
  name: string;
  /** One line for Prometheus `# HELP`. */
  help: string;
  /** Label names besides `check` (the engine adds it). */
  labels: readonly string[];
  type: 'gauge' | 'counter';
}

/** The state a check may read and write for itself, scoped to its id. */
export interface CheckState {
  getWatermark(name: string): Promise<string | undefined>;
  setWatermark(name: string, value: string): Promise<void>;
  /**
   * Records `now` as first-seen for keys not seen before in `scope`, forgets keys of `scope` not in `keys`
   * (so a volume attached again starts over), and returns first-seen for each key.
   */
  observe(scope: string, keys: string[], now: Date): Promise<Map<string, Date>>;
}

export type CheckStatus = 'ok' | 'firing' | 'error' | 'skipped';

/** One check's outcome in one run, as the runner hands it to metrics, alerts and the report. */
export interface CheckRunResult {
  id: string;
  kind: string;
  status: CheckStatus;
  startedAt: string;
  durationMs: number;
  error?: string;
  /**
   * Set on an `error` from the check's own `errors`: it ran, so the alert lifecycle takes its findings as
   * usual. Without it, an `error` is a check that observed nothing, and its other alerts keep their state.
   */
  partial?: boolean;
  findings: Finding[];
  measurements: Measurement[];
  /** The check's `for:`, for the alert lifecycle. */
  pendingFor?: PendingFor;
  /** See CheckResult.scope. */
  scope?: CheckScope;
}

/** The key of the finding a check raises about itself when it cannot run. */
export const CHECK_ERROR_KEY = 'check-error';
/** The key prefix of an AWS target (account and region) a check could not scan. */
export const REGION_ERROR_PREFIX = 'region-error:';

/**
 * Whether a finding says that a check could not look (its own error, or a region's), rather than what it saw:
 * a new cause for such an alert is told at once (see alerts/lifecycle.ts), so its stored finding is read back.
 */
export function isErrorKey(key: string): boolean {
  return key === CHECK_ERROR_KEY || key.startsWith(REGION_ERROR_PREFIX);
}
/** isErrorKey in SQL, for both stores. */
export const ERROR_KEY_SQL = `(key = '${CHECK_ERROR_KEY}' OR key LIKE '${REGION_ERROR_PREFIX}%')`;
