import type { Logger } from 'pino';
import type * as z from 'zod';
import type { AwsProvider } from '../src/aws/types';
import type { ConnectionProvider, DescribeRequest } from '../src/connectors/types';
import type {
  CheckCommon,
  CheckResult,
  CheckState,
  MeasurementDeclaration,
  Progress,
} from '../src/core/types';

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
  /**
   * Records a part of the source the check could not read (a region, a project, a table) while it goes on with
   * the rest: the run is then `error` (partial), with the check's other findings kept. `CheckResult.errors` says
   * the same from a check's return value. `withFinding` when the check raised a finding of its own about it (see
   * `CheckResult.errorsWithFindings`).
   */
  readonly reportError?: (message: string, withFinding?: boolean) => void;
}

/** A check plugin: one definition object per kind (see checks/<kind>/index.ts). */
export interface CheckDefinition<Config = unknown> {
  kind: string;
  /** One line, shown by `guardrail checks`. */
  description: string;
  /** The plugin's own keys (a zod object); the engine adds id/kind/schedule/timeout/enabled. */
  configSchema: z.ZodObject;
  /**
   * IAM actions the check itself calls, for `guardrail iam-policy`; empty for checks that call no AWS API. What
   * its connections call (the Redshift Data API) the engine adds from `connectionsOf` and the connector.
   */
  permissions: readonly string[];
  /** Every measurement the check may report (name, help, labels, gauge or counter). */
  measurements: readonly MeasurementDeclaration[];
  /**
   * The counter series the config names in advance (e.g. one per listed project), exported at 0 from the start:
   * Prometheus's increase() does not count a series' first sample, so a series born at its first amount loses
   * it. @default none
   */
  counterSeries?(config: Config): { name: string; labels: Record<string, string> }[];
  /** A config example (without id/kind), validated by the contract tests. */
  example: Record<string, unknown>;
  run(ctx: CheckContext, config: Config & CheckCommon): Promise<CheckResult>;
  /**
   * Connection names the config refers to, with their path inside the check: for load-time validation and for
   * the permissions those connections need.
   */
  connectionsOf?(config: Config): ConnectionRef[];
  /**
   * Checks across keys once the config is loaded (list files merged), e.g. a table pair listed twice; each
   * problem names its path inside the check, and `also` the path of an earlier item it clashes with (the
   * loader adds where that stands, in whichever file).
   */
  validate?(
    config: Config & CheckCommon,
  ): { path: (string | number)[]; message: string; also?: (string | number)[] }[];
  /**
   * The tables and columns the configuration reads, each located in the check's config, for `validate --online`
   * (which checks they exist and can be read on their connections). @default none
   */
  tablesOf?(config: Config): CheckTable[];
  /** Keys naming YAML files whose items join a list key, read and validated when the config loads. */
  listFiles?: readonly ListFiles[];
  /**
   * What the check watches, one key per thing (e.g. `source→target: table`): two enabled checks of one kind that
   * share a key are a warning at load time, since one fault then fires an alert in each. @default none
   */
  covers?(config: Config): string[];
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

/** One table a check reads on one of its connections, with the columns it names and where each is written. */
export interface CheckTable {
  connection: string;
  /** Which of the check's connections (e.g. `source`, `target`), as the messages name it. */
  side: string;
  request: DescribeRequest;
  /** Path inside the check of the table name, e.g. ['tables', 3, 'target']. */
  at: (string | number)[];
  /** Each column and the path inside the check that names it. */
  columns: { name: string; at: (string | number)[] }[];
}
