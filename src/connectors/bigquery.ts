import type { BigQuery } from '@google-cloud/bigquery';
import type { BigQueryConnection } from './config';
import type { Connector, CountRequest, CountResult } from './types';
import { batchCount } from './batch-count';
import { errorMessage, type FailureKind } from './errors';
import { mapLimit } from '../core/limit';
import { SessionCounter, type OpenContext } from './open-context';
import { quoteWith, type SqlDialect } from './sql-dialect';

/** Tables per query; BigQuery bills each scanned column, so batching costs no extra bytes. */
const BIGQUERY_BATCH_SIZE = 100;
/** On-demand queries bill at least 10 MB per table referenced (checked 2026-11). */
export const MIN_BILLED_BYTES_PER_TABLE = 10 * 1024 * 1024;

class OverBudgetError extends Error {}

/** Options of the BigQuery connector's `query`: a job location other than the connection's. */
export interface BigQueryQueryOptions {
  signal: AbortSignal;
  /** Where the job runs, e.g. `asia-northeast3` for that region's INFORMATION_SCHEMA. @default the connection's */
  location?: string;
}

/** Maps BigQuery API errors (`reason` and message) to count error codes. */
export function classifyBigQuery(err: unknown): FailureKind {
  if (err instanceof OverBudgetError) return 'over-budget';
  const e = err as { code?: number; errors?: Array<{ reason?: string }> } | null;
  const message = errorMessage(err);
  const reasons = (e?.errors ?? []).map((x) => x.reason);
  if (reasons.includes('bytesBilledLimitExceeded')) return 'over-budget';
  if (/^Not found: (Table|Dataset)/i.test(message) || e?.code === 404) return 'missing-table';
  if (/Unrecognized name:/i.test(message)) return 'missing-column';
  return 'query-failed';
}

/**
 * A window bound as a string literal, which BigQuery coerces to the column's type: TIMESTAMP (read as UTC) or
 * DATETIME (the same wall-clock time, so DATETIME columns compare as UTC). A typed `TIMESTAMP '…'` literal
 * would fail on a DATETIME column: neither type coerces to the other. A bound at midnight UTC is written as a
 * date alone, the canonical format that also coerces to DATE.
 * @see https://cloud.google.com/bigquery/docs/reference/standard-sql/conversion_rules#literal_coercion
 */
export function bigQueryBound(at: Date): string {
  const iso = at.toISOString(); // 2026-11-20T10:00:00.000Z
  if (iso.endsWith('T00:00:00.000Z')) return `'${iso.slice(0, 10)}'`;
  return `'${iso.slice(0, 10)} ${iso.slice(11, 23)}'`;
}

export const bigQueryDialect: SqlDialect = {
  quote: quoteWith('`'),
  timestamp: bigQueryBound,
  // UNIX_MICROS takes only a TIMESTAMP; DATETIME and DATE cast to one as UTC.
  epochSeconds: (expr) => `UNIX_MICROS(CAST(${expr} AS TIMESTAMP)) / 1e6`,
  nullNumber: 'CAST(NULL AS FLOAT64)',
  classify: classifyBigQuery,
};

/** What tables.get says about rows: `numRows` excludes rows still in the streaming buffer. */
interface TableRows {
  numRows?: string;
  streamingBuffer?: { estimatedRows?: string };
}

/**
 * A whole-table count from metadata. Rows in the streaming buffer are not in `numRows`; when the table has a
 * buffer, its `estimatedRows` (BigQuery's estimate, which may lag) is added and the result says so, so a
 * finding never presents that sum as an exact count.
 * @see https://cloud.google.com/bigquery/docs/reference/rest/v2/tables#Table.FIELDS.num_rows
 */
export function rowsFromMetadata(meta: TableRows): { rows: number; estimate?: string } | undefined {
  const stored = Number(meta.numRows);
  if (meta.numRows === undefined || !Number.isFinite(stored)) return undefined;
  const buffered = Number(meta.streamingBuffer?.estimatedRows);
  if (meta.streamingBuffer?.estimatedRows === undefined || !Number.isFinite(buffered))
    return { rows: stored };
  return {
    rows: stored + buffered,
    estimate:
      `estimate: ${stored} rows stored plus about ${buffered} in the streaming buffer ` +
      `(BigQuery's estimate of the buffer)`,
  };
}

function needsQuery(req: CountRequest): boolean {
  return !!(req.window || req.where || req.maxTimestampColumn);
}

/**
 * BigQuery: whole-table counts from table metadata (no bytes billed); windowed or filtered counts as queries,
 * each dry-run first and capped with `maximumBytesBilled`, within one byte budget per count() call.
 */
export async function openBigQuery(
  name: string,
  config: BigQueryConnection,
  ctx: OpenContext,
): Promise<Connector> {
  const { BigQuery: Client } = await import('@google-cloud/bigquery');
  const location = config.location ?? ctx.gcp?.location;
  const client: BigQuery = new Client({
    projectId: config.projectId,
    ...(location ? { location } : {}),
    ...(ctx.gcp?.apiEndpoint ? { apiEndpoint: ctx.gcp.apiEndpoint } : {}),
  });
  const counter = new SessionCounter();
  let bytesBilled = 0;

  const metadataCount = async (req: CountRequest): Promise<CountResult> => {
    const [dataset, table] = req.table.parts.slice(-2) as [string, string];
    const projectId = req.table.parts.length === 3 ? req.table.parts[0] : config.projectId;
    try {
      counter.roundTrips++;
      const [meta] = await client.dataset(dataset, { projectId }).table(table).getMetadata();
      const counted = rowsFromMetadata(meta as TableRows);
      if (counted) return { id: req.id, ...counted };
      return { id: req.id, error: { code: 'query-failed', message: `${table} has no row count (a view?)` } };
    } catch (err) {
      const code = classifyBigQuery(err);
      return {
        id: req.id,
        error: { code: code === 'connection' ? 'query-failed' : code, message: errorMessage(err) },
      };
    }
  };

  /**
   * The `maximumBytesBilled` for a dry-run estimate: on-demand queries bill at least 10 MB per referenced table,
   * each rounded up to the next MB, so capping at the bare estimate would fail small queries
   * (`bytesBilledLimitExceeded`). Σ max(10 MB, bytesᵢ rounded up) ≤ estimate + tables × 10 MB.
   * @see https://cloud.google.com/bigquery/pricing#on_demand_pricing
   */
  const billingCap = (estimate: number, tables: number): number =>
    estimate + tables * MIN_BILLED_BYTES_PER_TABLE;

  const queryRunner =
    (budget: { remaining: number }, at = location, params: unknown[] = []) =>
    async (sql: string, signal: AbortSignal) => {
      const base = {
        query: sql,
        useLegacySql: false,
        ...(at ? { location: at } : {}),
        ...(params.length ? { params } : {}),
      };
      counter.roundTrips++;
      const [dry] = await client.createQueryJob({ ...base, dryRun: true });
      // Read-only: the dry run names the statement's type; anything but a query is refused before it runs.
      const statementType = dry.metadata?.statistics?.query?.statementType as string | undefined;
      if (statementType && statementType !== 'SELECT') {
        throw new Error(`refusing to run a ${statementType} statement: the agent only reads`);
      }
      const estimate = Number(dry.metadata?.statistics?.totalBytesProcessed ?? 0);
      // INFORMATION_SCHEMA views list no referenced table, yet bill the 10 MB minimum.
      const tables = Math.max(1, dry.metadata?.statistics?.query?.referencedTables?.length ?? 1);
      const cap = billingCap(estimate, tables);
      if (cap > budget.remaining) {
        throw new OverBudgetError(
          `would process ${estimate} bytes (billed up to ${cap}); ${budget.remaining} of the ` +
            `${config.maximumBytesBilled}-byte budget left`,
        );
      }
      budget.remaining -= cap; // reserved before running, so concurrent queries cannot overspend
      signal.throwIfAborted();
      counter.roundTrips++;
      const [job] = await client.createQueryJob({ ...base, maximumBytesBilled: String(cap) });
      const onAbort = (): void => void job.cancel().catch(() => undefined);
      signal.addEventListener('abort', onAbort, { once: true });
      try {
        counter.roundTrips++;
        const [rows] = await job.getQueryResults({ timeoutMs: config.statementTimeout });
        const billed = Number(job.metadata?.statistics?.totalBytesBilled ?? cap);
        bytesBilled += billed;
        budget.remaining += Math.max(0, cap - billed); // what the cap reserved but the job did not bill
        return rows as Record<string, unknown>[];
      } finally {
        signal.removeEventListener('abort', onAbort);
      }
    };

  return {
    name,
    type: 'bigquery',
    async count(requests, options) {
      const budget = { remaining: config.maximumBytesBilled };
      const fromMetadata = requests.filter((r) => !needsQuery(r));
      const fromQueries = requests.filter(needsQuery);
      let metaDone = 0;
      let queryDone = 0;
      const progress = (): void => options.onProgress?.(metaDone + queryDone);
      const [metaResults, queryResults] = await Promise.all([
        mapLimit(fromMetadata, config.maxConnections, async (req) => {
          const result = options.signal.aborted
            ? { id: req.id, error: { code: 'aborted' as const, message: 'aborted' } }
            : await metadataCount(req);
          metaDone++;
          progress();
          return result;
        }),
        batchCount(fromQueries, {
          signal: options.signal,
          onProgress: (n) => ((queryDone = n), progress()),
          dialect: bigQueryDialect,
          run: queryRunner(budget),
          batchSize: config.batchSize ?? BIGQUERY_BATCH_SIZE,
          concurrency: config.maxConnections,
        }),
      ]);
      const byId = new Map([...metaResults, ...queryResults].map((r) => [r.id, r]));
      return requests.map((r) => byId.get(r.id) as CountResult);
    },
    /** Read-only SQL (`?` positional params), dry-run first and capped like a count, within its own budget. */
    query: (sql, params, options: BigQueryQueryOptions) =>
      queryRunner(
        { remaining: config.maximumBytesBilled },
        options.location ?? location,
        params,
      )(sql, options.signal),
    stats: () => ({ ...counter.snapshot(), bytesBilled }),
    close: async () => undefined,
  };
}
