import type {
  DescribeStatementCommandOutput,
  Field,
  GetStatementResultCommandOutput,
  RedshiftDataClient,
} from '@aws-sdk/client-redshift-data';
import type { RedshiftConnection } from './config';
import type { Connector } from './types';
import { batchCount } from './batch-count';
import { sqlDescribe } from './describe';
import { errorMessage, isSocketError, type FailureKind } from './errors';
import { sleep } from '../core/limit';
import { PageTokens } from '../aws/pages';
import {
  CANCEL_TIMEOUT_MS,
  CLIENT_TIMEOUT_MARGIN_MS,
  clientTimeoutMs,
  connectTimeoutMs,
  deadline,
} from './bounds';
import { SessionCounter, type OpenContext } from './open-context';
import { postgresDialect } from './postgres';
import type { SqlDialect } from './sql-dialect';

/** Tables per statement; the Data API caps a statement's SQL at 100 KB. */
const REDSHIFT_BATCH_SIZE = 200;
/** DescribeStatement polling: first wait, growth and cap. */
const POLL_FIRST_MS = 100;
const POLL_FACTOR = 1.5;
const POLL_MAX_MS = 2_000;
/**
 * How long past the statement timeout the agent polls before it cancels: the cluster's own statement_timeout, which
 * runs from when the cluster started the statement, normally ends it first and says so; the rest of the client
 * margin is for the last poll and the cancel, before the bound on the whole statement.
 */
const POLL_GRACE_MS = CLIENT_TIMEOUT_MARGIN_MS / 2;

/** Redshift's messages (the Data API returns no SQLSTATE), e.g. `ERROR: relation "a.b" does not exist`. */
export function classifyRedshift(err: unknown): FailureKind {
  const message = errorMessage(err);
  if (/(relation|schema) "[^"]*" does not exist/i.test(message)) return 'missing-table';
  if (/column "[^"]*" does not exist/i.test(message)) return 'missing-column';
  // No answer from the Data API within the statement's bound (a TimeoutError), or a connection refused or dropped:
  // the API, not the statement, which the cluster's statement_timeout ends with an answer ("timed out after").
  return isSocketError(err) ? 'connection' : 'query-failed';
}

export const redshiftDialect: SqlDialect = { ...postgresDialect, classify: classifyRedshift };

function fieldValue(field: Field): unknown {
  if (field.isNull) return null;
  return field.longValue ?? field.doubleValue ?? field.stringValue ?? field.booleanValue ?? null;
}

/** Said with the Data API's syntax errors: a write fails as one under the wrapper. */
const READ_ONLY_HINT =
  'read-only connection: each statement runs as SELECT * FROM (...), so only a SELECT parses';

/**
 * Redshift's own limit on a statement (milliseconds): set before each one, in the same batch, so the cluster
 * ends it even when the agent is gone (killed mid-poll) or its CancelStatement fails. `ms` is the connection's
 * statementTimeout, the bound the agent polls to as well.
 * @see https://docs.aws.amazon.com/redshift/latest/dg/r_statement_timeout.html
 */
export function statementTimeoutSql(ms: number): string {
  return `SET statement_timeout TO ${Math.max(1, Math.round(ms))}`;
}

/** Sent before each statement, in its batch: see `run`. */
export const SESSION_UTC = "SET timezone TO 'UTC'";

/**
 * The Data API gives each statement its own session, so no session setting can make it read-only. Instead
 * every statement runs as `SELECT * FROM (<statement>) AS guardrail_q`: Redshift's own parser then refuses DDL,
 * DML, `SELECT ... INTO` and a second statement inside the parentheses (syntax errors), whatever the text says.
 * A statement that could close those parentheses early or end them (an unbalanced `)`, `;`, a comment, a
 * backslash or dollar quote that lexes differently) is refused before it is sent.
 */
export function readOnlyStatement(sql: string): string {
  const refuse = (why: string): never => {
    throw new Error(`read-only connection: the redshift connector runs one SELECT only (${why})`);
  };
  let depth = 0;
  for (let i = 0; i < sql.length; i++) {
    const c = sql[i] as string;
    if (c === "'" || c === '"') {
      const end = sql.indexOf(c, i + 1);
      if (end < 0) refuse('an unterminated quote');
      if (sql.slice(i, end).includes('\\')) refuse('a backslash in a quoted string');
      i = end; // a doubled quote closes and reopens: the same span either way
    } else if (c === ';') refuse('a ";"');
    else if (sql.startsWith('--', i) || sql.startsWith('/*', i)) refuse('a comment');
    else if (c === '$' && /^\$\w*\$/.test(sql.slice(i, i + 64))) refuse('a dollar quote');
    else if (c === '(') depth++;
    else if (c === ')' && --depth < 0) refuse('an unbalanced ")"');
  }
  if (depth !== 0) refuse('an unbalanced "("');
  return `SELECT * FROM (\n${sql}\n) AS guardrail_q`;
}

/**
 * Policies made from `guardrail iam-policy` before statements ran in batches grant ExecuteStatement only: after
 * the upgrade, every statement is refused. Say what to grant instead of the bare AccessDenied.
 */
function batchDenied(err: unknown): unknown {
  const name = (err as { name?: unknown } | undefined)?.name;
  if (name !== 'AccessDeniedException' || !/BatchExecuteStatement/.test(errorMessage(err))) return err;
  return new Error(
    `${errorMessage(err)} (Guardrail runs each statement in a Data API batch after SET statement_timeout, so ` +
      'the cluster ends it even without the agent: grant redshift-data:BatchExecuteStatement where ' +
      'ExecuteStatement was granted, e.g. from `guardrail iam-policy`)',
    { cause: err },
  );
}

/** Opens a Redshift connection through the Data API (provisioned cluster or serverless workgroup). */
export async function openRedshift(
  name: string,
  config: RedshiftConnection,
  ctx: OpenContext,
): Promise<Connector> {
  if (!config.workgroup && !config.clusterIdentifier) {
    throw new Error('set workgroup (serverless) or clusterIdentifier (provisioned)');
  }
  const sdk = await import('../aws/sdk/redshift-data.js');
  // The connection's own region, else the AWS provider's home region (`aws.region`), else the environment's.
  const region = config.region ?? ctx.aws?.homeRegion ?? process.env.AWS_REGION ?? 'us-east-1';
  const statementMs = clientTimeoutMs(config.statementTimeout);
  const client: RedshiftDataClient = new sdk.RedshiftDataClient({
    ...(ctx.aws ? ctx.aws.clientConfig({ accountId: '', region }) : { region }),
    // Each Data API call answers at once (statements run asynchronously): these bound an endpoint that hangs.
    requestHandler: {
      connectionTimeout: connectTimeoutMs(config.statementTimeout),
      requestTimeout: statementMs,
      // Without it the handler only warns when requestTimeout passes (see AwsClientConfig.requestHandler).
      throwOnRequestTimeout: true,
    },
  });
  const counter = new SessionCounter();
  const target = {
    Database: config.database,
    ...(config.workgroup
      ? { WorkgroupName: config.workgroup }
      : { ClusterIdentifier: config.clusterIdentifier }),
    ...(config.secretArn ? { SecretArn: config.secretArn } : {}),
    ...(config.dbUser ? { DbUser: config.dbUser } : {}),
  };

  const cancel = (id: string): Promise<unknown> =>
    client
      .send(new sdk.CancelStatementCommand({ Id: id }), {
        abortSignal: AbortSignal.timeout(CANCEL_TIMEOUT_MS),
      })
      .catch((err: unknown) => {
        ctx.log.warn(
          { connection: name, statement: id, err: errorMessage(err) },
          'cancelling a statement failed',
        );
      });

  const results = async (
    id: string,
    hasResultSet: boolean,
    signal: AbortSignal,
  ): Promise<Record<string, unknown>[]> => {
    if (!hasResultSet) return [];
    const rows: Record<string, unknown>[] = [];
    const tokens = new PageTokens('redshift-data:GetStatementResult');
    let token: string | undefined;
    do {
      counter.roundTrips++;
      const page: GetStatementResultCommandOutput = await client.send(
        new sdk.GetStatementResultCommand({ Id: id, ...(token ? { NextToken: token } : {}) }),
        { abortSignal: signal },
      );
      const names = (page.ColumnMetadata ?? []).map((c) => c.name ?? '');
      for (const record of page.Records ?? []) {
        rows.push(Object.fromEntries(record.map((field, i) => [names[i] ?? String(i), fieldValue(field)])));
      }
      token = tokens.next(page.NextToken);
    } while (token);
    return rows;
  };

  /** Polls until the statement ends; `until`: when its statement timeout, counted from before it was sent, ends. */
  const waitFinished = async (
    id: string,
    until: number,
    signal: AbortSignal,
  ): Promise<DescribeStatementCommandOutput> => {
    for (let wait = POLL_FIRST_MS; ; wait = Math.min(POLL_MAX_MS, wait * POLL_FACTOR)) {
      counter.roundTrips++;
      const out = await client.send(new sdk.DescribeStatementCommand({ Id: id }), { abortSignal: signal });
      if (out.Status === 'FINISHED') return out;
      if (out.Status === 'FAILED') {
        const error = out.Error ?? 'no error message';
        // The wrapper of readOnlyStatement() turns a write into a syntax error: say why.
        const hint = /syntax error/i.test(error) ? ` (${READ_ONLY_HINT})` : '';
        throw new Error(`statement failed: ${error}${hint}`);
      }
      if (out.Status === 'ABORTED') throw new Error('statement was cancelled (ABORTED)');
      const left = until - Date.now();
      if (left <= 0) {
        await cancel(id);
        throw new Error(`statement timed out after ${config.statementTimeout} ms (cancelled)`);
      }
      await sleep(Math.min(wait, left), signal);
    }
  };

  const run = async (sql: string, outer: AbortSignal): Promise<Record<string, unknown>[]> => {
    const statement = readOnlyStatement(sql);
    outer.throwIfAborted();
    // The whole statement, retries included: the SDK would retry a silent endpoint maxAttempts times.
    const bound = deadline(statementMs, `no answer from the Data API within ${statementMs} ms`, outer);
    // The statement's own timeout runs from here, as the bound does: counted from the answer to
    // BatchExecuteStatement, an endpoint slow to take it (throttling retries) let the bound, a connection's loss,
    // end a statement that was only slow, and the server was taken for gone (a review).
    const until = Date.now() + config.statementTimeout + POLL_GRACE_MS;
    const signal = bound.signal;
    let id: string | undefined;
    try {
      counter.roundTrips++;
      // One batch, one session: the timeout and the time zone first, then the statement (its result is the batch's
      // third, `:3`). UTC: GETDATE() and a `timestamp` compared with a bound read in the session's zone, which a
      // user default (ALTER USER ... SET timezone) would shift by its offset (a review).
      const started = await client
        .send(
          new sdk.BatchExecuteStatementCommand({
            ...target,
            Sqls: [statementTimeoutSql(config.statementTimeout), SESSION_UTC, statement],
            StatementName: 'guardrail',
          }),
          { abortSignal: signal },
        )
        .catch((err: unknown) => {
          throw batchDenied(err);
        });
      id = started.Id as string;
      const done = await waitFinished(id, until, signal);
      return await results(`${id}:3`, !!done.SubStatements?.[2]?.HasResultSet, signal);
    } catch (err) {
      if (id && signal.aborted) await cancel(id);
      // The SDK rejects an aborted call with its own AbortError: say which bound ran out instead.
      throw signal.aborted && !outer.aborted ? (signal.reason as Error) : err;
    } finally {
      bound.clear();
    }
  };

  return {
    name,
    type: 'redshift',
    count: (requests, options) =>
      batchCount(requests, {
        ...options,
        dialect: redshiftDialect,
        run,
        batchSize: config.batchSize ?? REDSHIFT_BATCH_SIZE,
        concurrency: config.maxConnections,
      }),
    // information_schema through the Data API (SVV_COLUMNS would add external tables; the schema is the same).
    describe: sqlDescribe({ dialect: redshiftDialect, run }),
    query: (sql, params, { signal }) => {
      if (params.length) return Promise.reject(new Error('redshift connector: parameters are not supported'));
      return run(sql, signal);
    },
    stats: () => counter.snapshot(),
    close: async () => client.destroy(),
  };
}
