import type { CheckTable } from '../types';
import { whereColumns } from '../../src/connectors/where';
import { planPairs } from './plan';
import type { RowCountConsistencyConfig } from './schema';

/** Tables and columns of the check: both sides of every pair (list files included), for `validate --online`. */
export function tablesOf(config: RowCountConsistencyConfig): CheckTable[] {
  return planPairs(config, config.tables, new Date()).flatMap((plan, i) =>
    (['source', 'target'] as const).map((side) => {
      const req = plan[side];
      const pair = plan.pair;
      const windowAt = pair.window ? ['tables', i, 'window'] : ['window'];
      const freshnessAt =
        pair.freshness && pair.freshness.column ? ['tables', i, 'freshness'] : ['freshness'];
      const columns = [
        ...(req.where ? whereColumns(req.where).map((name) => ({ name, at: ['tables', i, 'where'] })) : []),
        ...(req.window ? [{ name: req.window.column, at: windowAt }] : []),
        ...(req.maxTimestampColumn && req.maxTimestampColumn !== req.window?.column
          ? [{ name: req.maxTimestampColumn, at: freshnessAt }]
          : []),
      ];
      return {
        connection: config[side],
        side,
        request: {
          table: req.table,
          columns: columns.map((c) => c.name),
          ...(req.where ? { where: req.where } : {}),
        },
        at: ['tables', i, side],
        columns,
      };
    }),
  );
}
