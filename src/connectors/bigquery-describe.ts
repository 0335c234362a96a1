import type { DescribeRequest, TableDescription } from './types';
import { errorMessage } from './errors';
import { bigQueryDialect, classifyBigQuery } from './bigquery-dialect';
import { catalogRows, describeFromRows, missingColumns, probeSql, tableKey } from './describe';

export interface BigQueryDescribeParts {
  /** The connection's project, for tables named `dataset.table`. */
  projectId?: string;
  /** Runs a query as every BigQuery query runs: dry run first, then capped with `maximumBytesBilled`. */
  query(sql: string, signal: AbortSignal): Promise<Record<string, unknown>[]>;
  /** Only a dry run: free, reads nothing; fails when a name is unknown or the data may not be read. */
  dryRun(sql: string, signal: AbortSignal): Promise<void>;
}

/**
 * `describe` on BigQuery: columns from each dataset's INFORMATION_SCHEMA.COLUMNS (a query, capped like any), then
 * a dry run of a statement naming each found table's columns and `where`. A dataset that does not exist makes
 * its tables missing, with no suggestion (other datasets are not listed: that would be a region-wide query).
 * @see https://cloud.google.com/bigquery/docs/information-schema-columns
 */
export function bigQueryDescribe(parts: BigQueryDescribeParts) {
  return async (
    requests: DescribeRequest[],
    { signal }: { signal: AbortSignal },
  ): Promise<Map<string, TableDescription>> => {
    const datasets = new Map<string, DescribeRequest[]>();
    for (const req of requests) {
      const project = req.table.parts.length === 3 ? req.table.parts[0] : parts.projectId;
      const [dataset] = req.table.parts.slice(-2) as [string];
      const relation = `${project ? `\`${project}\`.` : ''}\`${dataset}\`.INFORMATION_SCHEMA.COLUMNS`;
      datasets.set(relation, [...(datasets.get(relation) ?? []), req]);
    }
    const out = new Map<string, TableDescription>();
    for (const [relation, group] of datasets) {
      let rows: Record<string, unknown>[] = [];
      try {
        rows = await parts.query(
          `SELECT table_schema AS s, table_name AS t, column_name AS c FROM ${relation}`,
          signal,
        );
      } catch (err) {
        if (classifyBigQuery(err) !== 'missing-table') throw err; // no such dataset: its tables are missing
      }
      for (const [table, found] of describeFromRows(group, catalogRows(rows))) out.set(table, found);
    }
    for (const req of requests) {
      const found = out.get(tableKey(req.table));
      if (!found || 'missing' in found || missingColumns(req, found.columns).length) continue;
      try {
        await parts.dryRun(probeSql(bigQueryDialect, req), signal);
      } catch (err) {
        signal.throwIfAborted();
        out.set(tableKey(req.table), {
          ...found,
          unreadable: errorMessage(err).split('\n', 1)[0] ?? 'refused',
        });
      }
    }
    return out;
  };
}
