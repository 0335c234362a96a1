import type { Finding, Measurement, MeasurementDeclaration } from '../../src/core/types';
import type { ConnectionRef } from '../types';
import { defineCheck, type CheckContext } from '../types';
import type { Connector, CountResult } from '../../src/connectors/types';
import { countErrorLine, evaluatePair, timeErrorFinding, unreachableFinding } from './format';
import { duplicatePairs, freshnessWithoutColumn, labelOf, planPairs, type PairPlan } from './plan';
import { RowCountConsistencyConfig, TablePairConfig } from './schema';
import { tablesOf } from './tables';

/** Connection names the check uses, for the config loader's cross-check. */
export function connectionsOf(config: RowCountConsistencyConfig): ConnectionRef[] {
  return [
    { name: config.source, path: ['source'] },
    { name: config.target, path: ['target'] },
  ];
}

const ROW_COUNT_MEASUREMENTS: readonly MeasurementDeclaration[] = [
  {
    name: 'table_rows',
    help: 'Rows counted per table and side (whole table or the closed window).',
    labels: ['table', 'side'],
    type: 'gauge',
  },
  {
    name: 'table_row_diff',
    help: 'Source rows minus target rows per table.',
    labels: ['table'],
    type: 'gauge',
  },
  {
    name: 'table_freshness_lag_seconds',
    help: "How far the target's latest update time lags the source's, per table.",
    labels: ['table'],
    type: 'gauge',
  },
  {
    name: 'table_over_tolerance',
    help: 'The drift verdict per table: 1 when the row difference is over its tolerance, 0 when within; absent when a side could not be counted.',
    labels: ['table'],
    type: 'gauge',
  },
  {
    name: 'table_tolerated_rows',
    help: 'Rows of difference the tolerance in force allows per table this run: max(rows, ratio × source rows), whole rows.',
    labels: ['table'],
    type: 'gauge',
  },
  {
    name: 'table_freshness_over',
    help: 'The freshness verdict per table: 1 when the target lags the source by more than freshness.maxLag, 0 when not.',
    labels: ['table'],
    type: 'gauge',
  },
  {
    name: 'table_freshness_max_lag_seconds',
    help: 'The freshness lag allowed per table (freshness.maxLag), in seconds.',
    labels: ['table'],
    type: 'gauge',
  },
];

/** The `row-count-consistency` check. */
export const rowCountConsistency = defineCheck({
  kind: 'row-count-consistency',
  description: 'Compares row counts (whole table or closed time windows) and freshness of replicated tables',
  configSchema: RowCountConsistencyConfig,
  permissions: [],
  measurements: ROW_COUNT_MEASUREMENTS,
  connectionsOf,
  tablesOf,
  example: {
    source: 'game1',
    target: 'bq',
    tolerance: { ratio: 0.001, rows: 0 },
    window: { column: 'updated_at', size: '1h', lag: '15m' },
    freshness: { maxLag: '10m' },
    tables: [{ source: 'game1.users', target: 'game1_raw.users' }],
  },
  listFiles: [{ key: 'tableFiles', into: 'tables', item: TablePairConfig }],
  covers: (config) =>
    config.tables.map((t) => `${config.source} → ${config.target}: ${labelOf(t).toLowerCase()}`),
  // Runs once `tableFiles` are merged into `tables`, so a pair listed both inline and in a file is caught.
  validate: (config) => [
    ...duplicatePairs(config.tables).map((d) => ({
      path: ['tables', d.index],
      message: d.message,
      also: ['tables', d.first],
    })),
    ...freshnessWithoutColumn(config),
  ],
  async run(ctx, config) {
    // The config loader has already appended the pairs of `tableFiles` to `tables` (see listFiles).
    const plans = planPairs(config, config.tables, ctx.now);
    const [source, target] = await Promise.all([
      ctx.connections.get(config.source),
      ctx.connections.get(config.target),
    ]);

    const total = plans.length * 2;
    const done = { source: 0, target: 0 };
    const onProgress = (side: 'source' | 'target') => (n: number) => {
      done[side] = n;
      ctx.progress({ done: done.source + done.target, total, unit: 'tables' });
    };
    ctx.log.debug({ tables: plans.length, source: config.source, target: config.target }, 'counting rows');
    // Both sides count at once; each connector bounds its own connections.
    const [sourceResults, targetResults] = await Promise.all([
      source.count(
        plans.map((p) => p.source),
        { signal: ctx.signal, onProgress: onProgress('source') },
      ),
      target.count(
        plans.map((p) => p.target),
        { signal: ctx.signal, onProgress: onProgress('target') },
      ),
    ]);
    ctx.signal.throwIfAborted();

    const byId = (results: CountResult[]) => new Map(results.map((r) => [r.id, r]));
    const sources = byId(sourceResults);
    const targets = byId(targetResults);
    await Promise.all([
      suggestTables(source, plans, 'source', sources, ctx),
      suggestTables(target, plans, 'target', targets, ctx),
    ]);
    const findings: Finding[] = [];
    const measurements: Measurement[] = [];
    // A side that could not be counted makes the run an error; its finding covers the pair's drift alerts.
    const errors: string[] = [];
    for (const plan of plans) {
      const missing: CountResult = {
        id: plan.source.id,
        error: { code: 'query-failed', message: 'no result' },
      };
      const counts = {
        source: sources.get(plan.source.id) ?? missing,
        target: targets.get(plan.target.id) ?? missing,
      };
      // Now, not the run's start: a check that waited behind others read its source minutes after it (a review).
      const result = evaluatePair(ctx.checkId, plan, counts.source, counts.target, new Date());
      findings.push(...result.findings);
      measurements.push(...result.measurements);
      for (const side of ['source', 'target'] as const) {
        const failed = counts[side].error;
        // Tables a lost connection left uncounted are one line per side below, not 13,000 in the run's error.
        if (failed && failed.code !== 'unreachable') errors.push(countErrorLine(plan, side, counts[side]));
        const time = counts[side].maxTimestampError;
        if (time) errors.push(`${timeErrorFinding(plan, side, time).title}: ${time.message}`);
      }
    }
    const lost = lostTables(plans, sources, targets);
    for (const { side, tables, message } of lost) {
      errors.push(
        `connection '${config[side]}' (${side}) stopped answering: ${tables.length} of ${plans.length} tables not ` +
          `counted: ${message}`,
      );
    }
    // Each error has its finding: the table's, or the lost connection's.
    const collapsed = collapseUnreachable(findings, lost, plans.length, config);
    // An alert of a table no longer configured (its line deleted), or of its freshness turned off, is retired, not
    // resolved: its drift or lag may remain.
    const keys = new Set(['source-unreachable', 'target-unreachable']);
    for (const plan of plans) {
      for (const key of [plan.label, `${plan.label}:source-error`, `${plan.label}:target-error`])
        keys.add(key);
      if (plan.freshness) keys.add(`${plan.label}:freshness`);
    }
    const scope = { keys };
    return { findings: collapsed, measurements, errorsWithFindings: errors, scope };
  },
});

/** The tables of one side that its lost connection left uncounted, and what the connection said. */
interface LostTables {
  side: 'source' | 'target';
  tables: PairPlan[];
  message: string;
}

function lostTables(
  plans: PairPlan[],
  sources: Map<string, CountResult>,
  targets: Map<string, CountResult>,
): LostTables[] {
  return (
    [
      ['source', sources],
      ['target', targets],
    ] as const
  ).flatMap(([side, results]) => {
    const tables = plans.filter((p) => results.get(p[side].id)?.error?.code === 'unreachable');
    if (!tables.length) return [];
    return [{ side, tables, message: results.get(tables[0]![side].id)?.error?.message ?? 'no answer' }];
  });
}

/**
 * The per-table errors of a side whose connection stopped answering, as one finding when two or more tables were
 * left uncounted by it (a single table keeps its own).
 */
function collapseUnreachable(
  findings: Finding[],
  lost: LostTables[],
  total: number,
  config: { source: string; target: string },
): Finding[] {
  let out = findings;
  for (const { side, tables, message } of lost) {
    if (tables.length < 2) continue;
    const keys = new Set(tables.map((p) => `${p.label}:${side}-error`));
    out = out.filter((f) => !keys.has(f.key));
    out.push(unreachableFinding(side, config[side], tables, total, message));
  }
  return out;
}

/** Adds the closest names the connection knows to each missing table's error (a misspelt name is the usual cause). */
async function suggestTables(
  connector: Connector,
  plans: PairPlan[],
  side: 'source' | 'target',
  results: Map<string, CountResult>,
  ctx: Pick<CheckContext, 'signal' | 'log'>,
): Promise<void> {
  const missing = plans.filter((p) => results.get(p[side].id)?.error?.code === 'missing-table');
  if (!missing.length || !connector.describe) return;
  let described: Awaited<ReturnType<NonNullable<Connector['describe']>>>;
  try {
    described = await connector.describe(
      missing.map((p) => ({ table: p[side].table })),
      { signal: ctx.signal },
    );
  } catch (err) {
    // The finding says the table is missing either way; only the "did you mean" is lost.
    ctx.signal.throwIfAborted();
    ctx.log.warn({ connection: connector.name, err: String(err) }, 'could not list tables for suggestions');
    return;
  }
  for (const plan of missing) {
    const found = described.get(plan[side].table.parts.join('.'));
    const error = results.get(plan[side].id)?.error;
    if (error && found && 'missing' in found) error.suggestions = found.suggestions;
  }
}
