import type { BigQuery, BigQueryOptions, Job } from '@google-cloud/bigquery';
import type { BigQueryConnection } from './config';
import type { Connector, CountRequest, CountResult } from './types';
import { bigQueryDescribe } from './bigquery-describe';
import { batchCount, RETRY_PAUSE_MS } from './batch-count';
import { countErrorCode, errorMessage } from './errors';
import { mapLimit, sleep } from '../core/limit';
import { SessionCounter, type OpenContext } from './open-context';
import { clientTimeoutMs, deadline, untilAborted } from './bounds';
import {
  bigQueryDialect,
  classifyBigQuery,
  OverBudgetError,
  rowsFromMetadata,
  type TableRows,
} from './bigquery-dialect';
import { requireExternal } from '../core/externals';

export { bigQueryBound, bigQueryDialect, classifyBigQuery, rowsFromMetadata } from './bigquery-dialect';

/** Tables per query; BigQuery bills each scanned column, so batching costs no extra bytes. */
const BIGQUERY_BATCH_SIZE = 100;
/** On-demand queries bill at least 10 MB per table referenced (checked 2026-11). */
export const MIN_BILLED_BYTES_PER_TABLE = 10 * 1024 * 1024;
/**
 * Retries of one API request (the client's default is 3). One rides out a dropped connection or a 5xx blip;
 * each retry of a request that hangs costs a whole request timeout, and the next run retries anyway.
 */
const BIGQUERY_MAX_RETRIES = 1;

/** Options of the BigQuery connector's `query`: a job location other than the connection's. */
export interface BigQueryQueryOptions {
  signal: AbortSignal;
  /** Where the job runs, e.g. `asia-northeast3` for that region's INFORMATION_SCHEMA. @default the connection's */
  location?: string;
}

/**
 * With no credentials in the environment or gcloud's file, google-auth-library pings the GCE metadata server, off
 * GCP a 3 s timeout plus DNS retries for `metadata.google.internal`, then prints a raw MetadataLookupWarning.
 * `bios-only` trusts the BIOS and serverless env probe instead (true on GCE, GKE, Cloud Run), no network; a value
 * the operator set wins.
 * @see https://cloud.google.com/nodejs/docs/reference/gcp-metadata/latest/overview (METADATA_SERVER_DETECTION)
 */
function skipMetadataProbeOffGcp(): void {
  process.env.METADATA_SERVER_DETECTION ??= 'bios-only';
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
  const { BigQuery: Client } = requireExternal('@google-cloud/bigquery');
  const location = config.location ?? ctx.gcp?.location;
  const statementMs = clientTimeoutMs(config.statementTimeout);
  const clientOptions: BigQueryOptions & { timeout: number } = {
    projectId: config.projectId,
    ...(location ? { location } : {}),
    ...(ctx.gcp?.apiEndpoint ? { apiEndpoint: ctx.gcp.apiEndpoint } : {}),
    // Per HTTP request (the client's typings omit it; its Service reads it): the results long poll below
    // waits up to the statement timeout, so a request may take that long plus the margin, no longer.
    timeout: statementMs,
    // Retries give up once the statement's bound has passed, however many are left (retry-request counts seconds).
    retryOptions: { maxRetries: BIGQUERY_MAX_RETRIES, totalTimeout: Math.ceil(statementMs / 1000) },
  };
  skipMetadataProbeOffGcp();
  const client: BigQuery = new Client(clientOptions);
  const counter = new SessionCounter();
  let bytesBilled = 0;
  // The client's requests take no abort signal: a wait is cut here, the request ends at its own timeout.
  const bounded = (signal: AbortSignal) =>
    deadline(statementMs, `no answer from BigQuery within ${statementMs} ms`, signal);

  /** One table's rows from tables.get; throws what the API (or the bound) threw. */
  const metadataCount = async (req: CountRequest, signal: AbortSignal): Promise<CountResult> => {
    const [dataset, table] = req.table.parts.slice(-2) as [string, string];
    const projectId = req.table.parts.length === 3 ? req.table.parts[0] : config.projectId;
    const bound = bounded(signal);
    try {
      counter.roundTrips++;
      const [meta] = await untilAborted(
        client.dataset(dataset, { projectId }).table(table).getMetadata(),
        bound.signal,
      );
      const counted = rowsFromMetadata(meta as TableRows);
      if (counted) return { id: req.id, ...counted };
      return { id: req.id, error: { code: 'query-failed', message: `${table} has no row count (a view?)` } };
    } finally {
      bound.clear();
    }
  };

  /**
   * Whole-table counts, `maxConnections` at a time. As batchCount does for statements: a call the API never answers
   * (or a connection it drops) is made once more, a pause later; lost again, the API is taken as gone for this
   * count, and the tables not yet asked fail at once as `unreachable` instead of each waiting out its own bound.
   */
  const metadataCounts = (requests: CountRequest[], signal: AbortSignal, progress: () => void) => {
    let gone: unknown;
    const one = async (req: CountRequest, retried: boolean): Promise<CountResult> => {
      if (signal.aborted) return { id: req.id, error: { code: 'aborted', message: 'aborted' } };
      if (gone !== undefined)
        return { id: req.id, error: { code: 'unreachable', message: errorMessage(gone) } };
      try {
        return await metadataCount(req, signal);
      } catch (err) {
        const code = signal.aborted ? 'aborted' : classifyBigQuery(err);
        if (code !== 'connection')
          return { id: req.id, error: { code: countErrorCode(code), message: errorMessage(err) } };
        if (!retried) {
          await sleep(RETRY_PAUSE_MS, signal).catch(() => undefined);
          return one(req, true);
        }
        gone ??= err;
        return { id: req.id, error: { code: 'unreachable', message: errorMessage(err) } };
      }
    };
    return mapLimit(requests, config.maxConnections, async (req) => {
      const result = await one(req, false);
      progress();
      return result;
    });
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
    async (sql: string, outer: AbortSignal) => {
      const base = {
        query: sql,
        useLegacySql: false,
        ...(at ? { location: at } : {}),
        ...(params.length ? { params } : {}),
      };
      const bound = bounded(outer);
      // The job gets what is left of the statement timeout, so a slow job ends as one, before the bound.
      const until = Date.now() + config.statementTimeout;
      const { signal } = bound;
      let onAbort = (): void => undefined;
      try {
        counter.roundTrips++;
        const [dry] = await untilAborted(client.createQueryJob({ ...base, dryRun: true }), signal);
        // Read-only: the dry run names the statement's type (BigQuery's own parser: a script of several
        // statements is SCRIPT); anything but a query, or no type at all, is refused before it runs.
        const statementType = dry.metadata?.statistics?.query?.statementType as string | undefined;
        if (statementType !== 'SELECT') {
          throw new Error(
            `read-only connection: refusing to run a ${statementType ?? 'statement of unknown type'} (only SELECT runs)`,
          );
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
        // A job created after the wait was cut is cancelled as it arrives: it would bill for nothing.
        const cancel = (job: Job): void => void job.cancel().catch(() => undefined);
        const [job] = await untilAborted(
          client.createQueryJob({ ...base, maximumBytesBilled: String(cap) }),
          signal,
          ([late]) => cancel(late),
        );
        onAbort = () => cancel(job);
        signal.addEventListener('abort', onAbort, { once: true });
        counter.roundTrips++;
        const [rows] = await untilAborted(
          job.getQueryResults({ timeoutMs: Math.max(1, until - Date.now()) }),
          signal,
        );
        const billed = Number(job.metadata?.statistics?.totalBytesBilled ?? cap);
        bytesBilled += billed;
        budget.remaining += Math.max(0, cap - billed); // what the cap reserved but the job did not bill
        return rows as Record<string, unknown>[];
      } finally {
        signal.removeEventListener('abort', onAbort);
        bound.clear();
      }
    };

  // A dry run is free and reads nothing, yet checks the statement and the right to read what it names.
  const dryRun = async (sql: string, signal: AbortSignal): Promise<void> => {
    const bound = bounded(signal);
    try {
      counter.roundTrips++;
      const options = { query: sql, useLegacySql: false, dryRun: true, ...(location ? { location } : {}) };
      await untilAborted(client.createQueryJob(options), bound.signal);
    } finally {
      bound.clear();
    }
  };
  const describe = bigQueryDescribe({
    projectId: config.projectId,
    query: (sql, signal) => queryRunner({ remaining: config.maximumBytesBilled })(sql, signal),
    dryRun,
  });

  return {
    name,
    type: 'bigquery',
    describe,
    async count(requests, options) {
      const budget = { remaining: config.maximumBytesBilled };
      const fromMetadata = requests.filter((r) => !needsQuery(r));
      const fromQueries = requests.filter(needsQuery);
      let metaDone = 0;
      let queryDone = 0;
      const progress = (): void => options.onProgress?.(metaDone + queryDone);
      const [metaResults, queryResults] = await Promise.all([
        metadataCounts(fromMetadata, options.signal, () => (metaDone++, progress())),
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
