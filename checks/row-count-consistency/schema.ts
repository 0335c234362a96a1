import * as z from '../../src/core/zod';
import { duration, identifier, tableName } from '../../src/core/fields';
import { whereProblem } from '../../src/connectors/where';

/** The smallest window: bounds are aligned to whole minutes, so a shorter window could hold no row at all. */
export const MIN_WINDOW_MS = 60_000;

/** Rows counted over `[now - lag - size, now - lag)` of `column`, so rows still in flight are not drift. */
export const CountWindowConfig = z.strictObject({
  /** Timestamp column compared on both sides. */
  column: identifier(),
  /** Width of the window; at least 1m (window bounds are whole minutes). */
  size: duration().refine((ms) => ms >= MIN_WINDOW_MS, {
    message: 'window size must be at least 1m: windows are whole minutes, and an empty window never drifts',
  }),
  /** How far the window ends before now (CDC latency). @default 0s */
  lag: duration().default(0),
});
export type CountWindowConfig = z.infer<typeof CountWindowConfig>;

export const ToleranceConfig = z.strictObject({
  /** Allowed difference as a fraction of the source rows. @default 0 */
  ratio: z.number().min(0).max(1).default(0),
  /** Allowed difference in rows. @default 0 */
  rows: z.number().int().min(0).default(0),
});
export type ToleranceConfig = z.infer<typeof ToleranceConfig>;

export const FreshnessConfig = z.strictObject({
  /** Timestamp column; defaults to the window's column. */
  column: identifier().optional(),
  /** Most the target's latest row may lag the source's; more than 0. */
  maxLag: duration().refine((ms) => ms > 0, {
    message: 'freshness.maxLag must be more than 0s (a replica is never exactly on time); e.g. 10m',
  }),
});
export type FreshnessConfig = z.infer<typeof FreshnessConfig>;

/**
 * A SQL condition (`deleted_at IS NULL`), checked when the config loads against a small grammar: columns,
 * literals, comparisons, AND/OR/NOT, IS NULL, IN, BETWEEN, LIKE, arithmetic, CAST and a few scalar functions.
 * @see ../../src/connectors/where.ts
 */
const WherePredicate = z
  .string()
  // Once: without abort, zod ran the refinement too and an empty where was two problems (a review).
  .min(1, { abort: true, error: 'where is empty: write one condition, or remove the key' })
  .superRefine((where, ctx) => {
    const problem = whereProblem(where);
    if (problem) ctx.addIssue({ code: 'custom', message: `where is not an accepted condition: ${problem}` });
  });

/** One condition for both sides, or one per side. */
export const WhereConfig = z.union([
  WherePredicate,
  z.strictObject({ source: WherePredicate.optional(), target: WherePredicate.optional() }),
]);
export type WhereConfig = z.infer<typeof WhereConfig>;

/** One replicated table: where it comes from and where it lands. */
export const TablePairConfig = z.strictObject({
  /** `schema.table` on the source connection. */
  source: tableName(),
  /** `dataset.table` (or `project.dataset.table`) on the target connection. */
  target: tableName(),
  /** Name used in findings and metrics. @default the source table */
  name: z.string().min(1).optional(),
  where: WhereConfig.optional(),
  /** Overrides the check's window; `false` counts the whole table. */
  window: z.union([CountWindowConfig, z.literal(false)]).optional(),
  /** Overrides the check's freshness; `false` turns it off for this table. */
  freshness: z.union([FreshnessConfig, z.literal(false)]).optional(),
  tolerance: ToleranceConfig.optional(),
});
export type TablePairConfig = z.infer<typeof TablePairConfig>;

/** A mapping file that analysts own: a list of table pairs, or `{ tables: [...] }`. */
export const TableFileConfig = z.union([
  z.array(TablePairConfig),
  z.strictObject({ tables: z.array(TablePairConfig) }),
]);

export const RowCountConsistencyConfig = z
  .strictObject({
    /** Connection name of the source database. */
    source: z.string().min(1).describe('connection name of the source database'),
    /** Connection name of the replica / warehouse. */
    target: z.string().min(1).describe('connection name of the replica / warehouse'),
    tolerance: ToleranceConfig.default({ ratio: 0, rows: 0 }).describe(
      'allowed difference: breach when |source - target| > max(rows, ratio × source)',
    ),
    window: CountWindowConfig.optional().describe(
      'count rows in a closed time window { column, size, lag }; omit for whole tables',
    ),
    freshness: FreshnessConfig.optional().describe('compare the latest timestamps { column, maxLag }'),
    tables: z
      .array(TablePairConfig)
      .default([])
      .describe('table pairs { source, target, where?, window?, ... }'),
    /** Globs, relative to the config file's folder, of YAML mapping files. */
    tableFiles: z
      .union([z.string().min(1), z.array(z.string().min(1))])
      .optional()
      .describe('globs of YAML mapping files with more table pairs, relative to the config file'),
  })
  .superRefine((config, ctx) => {
    if (config.tables.length === 0 && config.tableFiles === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['tables'],
        message: 'list at least one table pair, or set tableFiles',
      });
    }
    // Freshness without a column takes each table's window column: checked per table once list files are merged
    // (freshnessWithoutColumn in plan.ts), since a table may bring its own window.
  });
export type RowCountConsistencyConfig = z.infer<typeof RowCountConsistencyConfig>;
