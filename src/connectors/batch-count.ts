import { setMaxListeners } from 'node:events';
import type { CountErrorCode, CountOptions, CountRequest, CountResult } from './types';
import { countErrorCode, errorMessage, redact } from './errors';
import { chunk, mapLimit, sleep } from '../core/limit';
import { type SqlDialect, unionSql } from './sql-dialect';

/** Runs one read-only statement on some pooled session and returns its rows. */
export type SqlRunner = (sql: string, signal: AbortSignal) => Promise<Record<string, unknown>[]>;

export interface BatchCountOptions extends CountOptions {
  dialect: SqlDialect;
  run: SqlRunner;
  /** Tables per statement. */
  batchSize: number;
  /** Statements in flight (at most the pool size). */
  concurrency: number;
  /** Strings to scrub from error messages. */
  secrets?: readonly string[];
}

/** Between a statement lost with its connection and its one retry. */
export const RETRY_PAUSE_MS = 1_000;

interface Item {
  req: CountRequest;
  index: number;
}

/**
 * Whether a statement failed for running out of time: PostgreSQL's and Redshift's statement_timeout (57014),
 * MySQL's max_execution_time (3024), MariaDB's max_statement_time (1969), or the client's own bound.
 */
export function timedOut(err: unknown): boolean {
  const { code, errno } = (err ?? {}) as { code?: unknown; errno?: unknown };
  if (code === '57014' || errno === 3024 || errno === 1969) return true;
  return /statement timeout|max(imum)?[_ ]statement[_ ]time|maximum statement execution time|timed out after/i.test(
    errorMessage(err),
  );
}

/** Whether the statement compares the time column other than by its max: a window on it, or a `where` naming it. */
function comparesTime(req: CountRequest): boolean {
  const column = req.maxTimestampColumn;
  if (!column) return false;
  if (req.window?.column === column) return true;
  return !!req.where && req.where.toLowerCase().includes(column.toLowerCase());
}

function toNumber(value: unknown): number | undefined {
  if (value === null || value === undefined) return undefined;
  const n = typeof value === 'bigint' ? Number(value) : Number(value);
  return Number.isFinite(n) ? n : undefined;
}

/**
 * Counts many tables with `UNION ALL` statements of `batchSize` tables, `concurrency` at a time. A statement
 * that fails is split in halves until the failing tables stand alone, so one missing table or column costs a
 * few extra round trips and yields an error only for itself. A statement whose connection is lost is tried once
 * more on a fresh one, a second later; when that is lost too, the server is taken as gone for this run: the statements not yet
 * sent fail at once as `unreachable` instead of each waiting out its own timeouts (a server frozen mid-run held a
 * 5-table check 44 s, and a large one up to its check timeout).
 */
export async function batchCount(
  requests: CountRequest[],
  options: BatchCountOptions,
): Promise<CountResult[]> {
  // Statements listen on a signal of their own, so the caller's signal carries one listener, not one per session.
  const local = new AbortController();
  setMaxListeners(options.concurrency + 10, local.signal);
  const forward = (): void => local.abort(options.signal.reason);
  if (options.signal.aborted) forward();
  else options.signal.addEventListener('abort', forward, { once: true });
  try {
    return await countAll(requests, { ...options, signal: local.signal });
  } finally {
    options.signal.removeEventListener('abort', forward);
  }
}

async function countAll(requests: CountRequest[], opts: BatchCountOptions): Promise<CountResult[]> {
  const results = new Array<CountResult | undefined>(requests.length);
  let done = 0;
  const settle = (item: Item, result: Omit<CountResult, 'id'>): void => {
    results[item.index] = { id: item.req.id, ...result };
    done++;
  };
  const fail = (items: Item[], code: CountErrorCode, err: unknown): void => {
    const message = redact(errorMessage(err), opts.secrets);
    for (const item of items) settle(item, { error: { code, message } });
    opts.onProgress?.(done);
  };

  /** The rows of `item`'s table counted without its time column; undefined when it has none, or that fails too. */
  const countWithoutTime = async (item: Item): Promise<number | undefined> => {
    if (!item.req.maxTimestampColumn || opts.signal.aborted) return undefined;
    const alone = { ...item, req: { ...item.req, maxTimestampColumn: undefined } };
    try {
      const rows = await opts.run(unionSql(opts.dialect, [alone]), opts.signal);
      const row = rows.find((r) => toNumber(r.i ?? r.I) === item.index);
      return toNumber(row?.n ?? row?.N);
    } catch {
      return undefined; // the table itself fails: the first error stands
    }
  };

  let gone: unknown;
  /** `lost`: the error that lost the first try of these items' statement, when this is its retry. */
  const runItems = async (items: Item[], lost?: unknown): Promise<void> => {
    if (opts.signal.aborted) return fail(items, 'aborted', opts.signal.reason ?? 'aborted');
    if (gone !== undefined) return fail(items, 'unreachable', gone);
    let rows: Record<string, unknown>[];
    try {
      rows = await opts.run(unionSql(opts.dialect, items), opts.signal);
    } catch (err) {
      if (opts.signal.aborted) return fail(items, 'aborted', err);
      const kind = opts.dialect.classify(err);
      // A killed session is replaced by the pool: the same statement once more, after a pause that a blip (a
      // session reset, a proxy restart) outlasts, before giving up on these tables and on the server.
      if (kind === 'connection') {
        if (lost === undefined) {
          await sleep(RETRY_PAUSE_MS, opts.signal).catch(() => undefined);
          return runItems(items, err);
        }
        gone ??= err;
        return fail(items, 'unreachable', err);
      }
      // A retry that the byte budget cannot pay for, once the first try's reservation (a BigQuery job that may
      // still bill) is spent: the tables were lost with the connection, not over budget (a review saw halves sent
      // on to a silent API, each refused as over budget, and the server never taken for gone).
      if (lost !== undefined && kind === 'over-budget') {
        gone ??= lost;
        return fail(items, 'unreachable', lost);
      }
      if (items.length === 1) {
        // A time column missing on this side, or holding text that nothing of the statement but the freshness bound
        // compares: the table counted once more without it, so that the rows are still compared (trials: a replica
        // cut to its header line, every row lost, was reported as a warning about its column). Only then: a retry
        // that succeeds after any other error (a transient one, a byte budget the max alone exceeds) would blame a
        // healthy column, and a column read as text would be compared as text by a `where` on it (a review).
        const item = items[0]!;
        const time = kind === 'missing-column' || (kind === 'not-a-timestamp' && !comparesTime(item.req));
        const counted = time ? await countWithoutTime(item) : undefined;
        if (counted === undefined) return fail(items, countErrorCode(kind), err);
        const message = redact(errorMessage(err), opts.secrets);
        const code = kind === 'missing-column' ? kind : 'not-a-timestamp';
        settle(item, { rows: counted, maxTimestampError: { code, message } });
        return opts.onProgress?.(done);
      }
      // A statement that ran out of time: each table alone, so that one slow table costs one more timeout, not one
      // per halving (a review: 8 timeouts for one slow table in 100, which outlasted the check's own timeout and
      // left the 99 others uncounted on every run).
      if (timedOut(err)) {
        for (const item of items) await runItems([item]);
        return;
      }
      // Each half is a statement of its own: its first loss is a first loss, whatever befell the whole.
      const half = Math.ceil(items.length / 2);
      await runItems(items.slice(0, half));
      return runItems(items.slice(half));
    }
    const byIndex = new Map(rows.map((r) => [toNumber(r.i ?? r.I), r]));
    for (const item of items) {
      const row = byIndex.get(item.index);
      const rowsCounted = toNumber(row?.n ?? row?.N);
      if (rowsCounted === undefined) {
        settle(item, { error: { code: 'query-failed', message: 'no count returned for this table' } });
        continue;
      }
      const ts = toNumber(row?.ts ?? row?.TS);
      settle(item, {
        rows: rowsCounted,
        ...(item.req.maxTimestampColumn
          ? { maxTimestamp: ts === undefined ? null : new Date(ts * 1000) }
          : {}),
      });
    }
    opts.onProgress?.(done);
  };

  const items = requests.map((req, index) => ({ req, index }));
  // Smaller statements when there are few tables, so every allowed session gets work.
  const size = Math.max(1, Math.min(opts.batchSize, Math.ceil(items.length / opts.concurrency)));
  await mapLimit(chunk(items, size), opts.concurrency, (c) => runItems(c));
  return results.map(
    (r, i) => r ?? { id: requests[i]?.id ?? '', error: { code: 'query-failed', message: 'not counted' } },
  );
}
