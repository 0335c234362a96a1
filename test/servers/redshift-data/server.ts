import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { Client } from 'pg';

/** How the fake behaves, per test. */
export interface RedshiftDataOptions {
  /** DescribeStatement answers before a statement reports FINISHED. */
  pollsUntilDone?: number;
  /** Rows per GetStatementResult page. */
  pageSize?: number;
  /** Requests answered with ThrottlingException first (the SDK retries them). */
  throttleFirst?: number;
  /** Statements that never finish (until cancelled). */
  hang?: (sql: string) => boolean;
  /** Every GetStatementResult page names the same NextToken (a buggy or hostile endpoint). */
  repeatToken?: boolean;
  /** The cluster's clock, in UTC; GETDATE() gives it in the session's time zone. @default PostgreSQL's clock */
  now?: Date;
  /**
   * The time zone each session starts in (`ALTER USER ... SET timezone`, which Redshift applies to the Data API's
   * sessions too): GETDATE() and a `timestamp` compared with a `timestamptz` read in it. @default 'UTC'
   */
  userTimeZone?: string;
  /** Operations the caller's IAM policy does not grant: answered AccessDeniedException, as AWS words it. */
  denied?: string[];
  /** Milliseconds an operation waits before it is handled (a busy or distant endpoint), by operation name. */
  slow?: Record<string, number>;
}

/**
 * Redshift's GETDATE() and DATEDIFF(datepart, from, to) on the PostgreSQL behind the fake, as session-local
 * functions; DATEDIFF counts the millisecond boundaries crossed, the one datepart the checks use.
 * @see https://docs.aws.amazon.com/redshift/latest/dg/r_DATEDIFF_function.html (checked 2026-12)
 */
function redshiftFunctions(now: Date | undefined): string {
  // GETDATE(): "the current date and time in the current session time zone (UTC by default)".
  const clock = `${now ? `TIMESTAMPTZ '${now.toISOString()}'` : 'now()'} AT TIME ZONE current_setting('TimeZone')`;
  return `
    CREATE FUNCTION pg_temp.getdate() RETURNS timestamp LANGUAGE sql AS $$ SELECT ${clock} $$;
    CREATE FUNCTION pg_temp.datediff(part text, a timestamp, b timestamp) RETURNS bigint LANGUAGE plpgsql AS $$
    BEGIN
      IF lower(part) NOT IN ('ms', 'millisecond', 'milliseconds') THEN
        RAISE EXCEPTION 'the fake Data API knows DATEDIFF only in milliseconds, not %', part;
      END IF;
      RETURN (extract(epoch FROM date_trunc('milliseconds', b) - date_trunc('milliseconds', a)) * 1000)::bigint;
    END $$;`;
}

/** Redshift SQL as the PostgreSQL behind the fake runs it: pg_temp functions are called by their schema. */
function toPostgres(sql: string): string {
  return sql
    .replace(/\bgetdate\(\s*\)/gi, 'pg_temp.getdate()')
    .replace(/\bdatediff\(\s*(\w+)\s*,/gi, "pg_temp.datediff('$1',");
}

export interface Statement {
  sql: string;
  /** A batch's statements, in order (`Id:1`, `Id:2`, ...): each holds its own result. */
  subs?: { sql: string; columns: string[]; rows: unknown[][]; error?: string }[];
  polls: number;
  status: 'SUBMITTED' | 'STARTED' | 'FINISHED' | 'FAILED' | 'ABORTED';
  error?: string;
  columns: string[];
  rows: unknown[][];
  hang: boolean;
}

export interface RedshiftDataServer {
  endpoint: string;
  /** Operation names received, in order (`ExecuteStatement`, ...). */
  calls: string[];
  /** The region of each request's SigV4 credential scope, in order. */
  regions: string[];
  statements: Map<string, Statement>;
  close(): Promise<void>;
}

function field(value: unknown): Record<string, unknown> {
  if (value === null || value === undefined) return { isNull: true };
  if (typeof value === 'number')
    return Number.isInteger(value) ? { longValue: value } : { doubleValue: value };
  if (typeof value === 'boolean') return { booleanValue: value };
  return { stringValue: String(value) };
}

/**
 * A Redshift Data API (AWS JSON 1.1) on 127.0.0.1 that runs statements on a real PostgreSQL, asynchronously:
 * SUBMITTED → STARTED → FINISHED/FAILED after some polls, results paged with NextToken.
 */
export async function startRedshiftData(
  pgUrl: string,
  opts: RedshiftDataOptions = {},
): Promise<RedshiftDataServer> {
  const pg = new Client({ connectionString: pgUrl, types: { getTypeParser: () => (v: string) => v } });
  await pg.connect();
  await pg.query(redshiftFunctions(opts.now));
  const statements = new Map<string, Statement>();
  const calls: string[] = [];
  const regions: string[] = [];
  let throttles = opts.throttleFirst ?? 0;

  const send = (res: ServerResponse, status: number, body: unknown, type?: string): void => {
    res.writeHead(status, {
      'content-type': 'application/x-amz-json-1.1',
      'x-amzn-requestid': randomUUID(),
      ...(type ? { 'x-amzn-errortype': type } : {}),
    });
    res.end(JSON.stringify(type ? { __type: type, message: (body as { message: string }).message } : body));
  };

  /** A statement's rows as the Data API returns them: numbers as numbers. */
  const runSql = async (sql: string) => {
    const result = await pg.query({ text: toPostgres(sql), rowMode: 'array' });
    return {
      columns: result.fields.map((f) => f.name),
      rows: (result.rows as unknown[][]).map((r) =>
        r.map((v) => (v !== null && /^-?\d+(\.\d+)?$/.test(String(v)) ? Number(v) : v)),
      ),
    };
  };

  const targetNamed = (input: Record<string, unknown>) =>
    !!input.Database && !!(input.WorkgroupName || input.ClusterIdentifier);
  const refuseTarget = (res: ServerResponse) =>
    send(res, 400, { message: 'Database and a cluster or workgroup are required' }, 'ValidationException');

  const handle = async (op: string, input: Record<string, unknown>, res: ServerResponse): Promise<void> => {
    if (op === 'BatchExecuteStatement') {
      if (!targetNamed(input)) return refuseTarget(res);
      // Redshift runs a batch as one transaction in one session: a SET holds for the statements after it, and
      // the PostgreSQL behind the fake enforces statement_timeout as Redshift would.
      const sqls = (input.Sqls as string[]).map(String);
      const id = randomUUID();
      const last = sqls.at(-1) ?? '';
      const st: Statement = {
        sql: last,
        subs: sqls.map((sql) => ({ sql, columns: [], rows: [] })),
        polls: 0,
        status: 'SUBMITTED',
        columns: [],
        rows: [],
        hang: !!opts.hang?.(last),
      };
      statements.set(id, st);
      if (!st.hang) {
        // A SET in a committed batch outlives it on the fake's one session: each batch starts as a new one would.
        await pg.query(`SET TimeZone TO '${opts.userTimeZone ?? 'UTC'}'`);
        await pg.query('BEGIN');
        for (const sub of st.subs!) {
          try {
            Object.assign(sub, await runSql(sub.sql));
          } catch (err) {
            sub.error = `ERROR: ${(err as Error).message}`;
            st.error = sub.error;
            break;
          }
        }
        await pg.query(st.error ? 'ROLLBACK' : 'COMMIT');
        await pg.query('RESET statement_timeout');
      }
      return send(res, 200, { Id: id, CreatedAt: Date.now() / 1000, Database: input.Database });
    }
    if (op === 'ExecuteStatement') {
      if (!targetNamed(input)) return refuseTarget(res);
      const id = randomUUID();
      const sql = String(input.Sql);
      const st: Statement = {
        sql,
        polls: 0,
        status: 'SUBMITTED',
        columns: [],
        rows: [],
        hang: !!opts.hang?.(sql),
      };
      statements.set(id, st);
      if (!st.hang) {
        await pg.query(`SET TimeZone TO '${opts.userTimeZone ?? 'UTC'}'`);
        try {
          Object.assign(st, await runSql(sql));
        } catch (err) {
          st.error = `ERROR: ${(err as Error).message}`;
        }
      }
      return send(res, 200, { Id: id, CreatedAt: Date.now() / 1000, Database: input.Database });
    }
    const [parentId, index] = String(input.Id).split(':');
    const parent = statements.get(parentId ?? '');
    const sub = index ? parent?.subs?.[Number(index) - 1] : undefined;
    if (op === 'GetStatementResult' && parent && sub) {
      if (parent.status !== 'FINISHED')
        return send(res, 400, { message: 'Query has not finished' }, 'ValidationException');
      return send(res, 200, resultPage(sub, input.NextToken));
    }
    const st = index ? undefined : parent;
    if (!st)
      return send(
        res,
        400,
        { message: `Query does not exist: ${String(input.Id)}` },
        'ResourceNotFoundException',
      );
    if (op === 'DescribeStatement') {
      st.polls++;
      if (st.status !== 'ABORTED' && !st.hang) {
        if (st.polls >= (opts.pollsUntilDone ?? 2)) st.status = st.error ? 'FAILED' : 'FINISHED';
        else st.status = 'STARTED';
      }
      return send(res, 200, {
        Id: input.Id,
        Status: st.status,
        ...(st.status === 'FAILED' ? { Error: st.error } : {}),
        HasResultSet: st.status === 'FINISHED' && st.columns.length > 0,
        ResultRows: st.status === 'FINISHED' ? st.rows.length : -1,
        QueryString: st.sql,
        ...(st.subs
          ? {
              SubStatements: st.subs.map((s, i) => ({
                Id: `${String(input.Id)}:${i + 1}`,
                Status: st.status === 'FINISHED' ? 'FINISHED' : s.error ? 'FAILED' : st.status,
                ...(s.error ? { Error: s.error } : {}),
                HasResultSet: st.status === 'FINISHED' && s.columns.length > 0,
                QueryString: s.sql,
              })),
            }
          : {}),
      });
    }
    if (op === 'GetStatementResult') {
      if (st.status !== 'FINISHED')
        return send(res, 400, { message: 'Query has not finished' }, 'ValidationException');
      return send(res, 200, resultPage(st, input.NextToken));
    }
    if (op === 'CancelStatement') {
      st.status = 'ABORTED';
      return send(res, 200, { Status: true });
    }
    return send(res, 400, { message: `unknown operation ${op}` }, 'UnknownOperationException');
  };

  /** One GetStatementResult page of a statement's rows. */
  const resultPage = (st: { columns: string[]; rows: unknown[][] }, nextToken: unknown) => {
    const size = opts.pageSize ?? 1000;
    const start = Number(nextToken ?? 0);
    const page = st.rows.slice(start, start + size);
    return {
      Records: page.map((r) => r.map(field)),
      ColumnMetadata: st.columns.map((name) => ({ name, label: name })),
      TotalNumRows: st.rows.length,
      ...(opts.repeatToken
        ? { NextToken: 'page-again' }
        : start + size < st.rows.length
          ? { NextToken: String(start + size) }
          : {}),
    };
  };

  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const op = String(req.headers['x-amz-target'] ?? '').replace('RedshiftData.', '');
      calls.push(op);
      const scope = /Credential=[^/]+\/\d+\/([^/]+)\//.exec(String(req.headers.authorization ?? ''));
      regions.push(scope?.[1] ?? '');
      if (throttles > 0) {
        throttles--;
        return send(res, 400, { message: 'Rate exceeded' }, 'ThrottlingException');
      }
      if (opts.denied?.includes(op)) {
        const message =
          'User: arn:aws:sts::123456789012:assumed-role/guardrail/agent is not authorized to perform: ' +
          `redshift-data:${op} on resource: arn:aws:redshift:us-east-1:123456789012:cluster:dw`;
        return send(res, 400, { message }, 'AccessDeniedException');
      }
      const input = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as Record<string, unknown>;
      setTimeout(() => {
        handle(op, input, res).catch((err: Error) =>
          send(res, 500, { message: err.message }, 'InternalServerException'),
        );
      }, opts.slow?.[op] ?? 0);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    calls,
    regions,
    statements,
    close: async () => {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await pg.end();
    },
  };
}
