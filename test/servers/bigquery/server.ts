import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { evaluateJobs, isJobsQuery, JOBS_SCHEMA, type FakeJobs } from './jobs';
import { evaluate, QueryError, type FakeTables } from './tables';

export interface BigQueryServer {
  apiEndpoint: string;
  /** `METHOD path` of each request, plus ` dryRun` / ` maximumBytesBilled=N` for jobs.insert. */
  calls: string[];
  close(): Promise<void>;
}

interface Job {
  rows: unknown[][];
  reference: Record<string, unknown>;
  schema: typeof SCHEMA;
}

const SCHEMA = {
  fields: [
    { name: 'i', type: 'INTEGER', mode: 'NULLABLE' },
    { name: 'n', type: 'INTEGER', mode: 'NULLABLE' },
    { name: 'ts', type: 'FLOAT', mode: 'NULLABLE' },
  ],
};

/**
 * BigQuery REST v2 on 127.0.0.1: tables.get, jobs.insert (dry run included), jobs.getQueryResults (paged), jobs.cancel.
 * Queries are the connector's counts, or INFORMATION_SCHEMA.JOBS_BY_PROJECT listings over `opts.jobs`.
 */
export async function startBigQuery(
  tables: FakeTables,
  opts: {
    pageSize?: number;
    jobs?: FakeJobs;
    /** The dry run's `statementType` for a query (`undefined`: none reported). @default always 'SELECT' */
    statementType?: (sql: string) => string | undefined;
    /** Requests (`METHOD path`) taken and never answered, as by an API that hangs; closing the server ends them. */
    silent?: RegExp;
  } = {},
): Promise<BigQueryServer> {
  const calls: string[] = [];
  const jobs = new Map<string, Job>();

  const send = (res: ServerResponse, status: number, body: unknown): void => {
    res.writeHead(status, { 'content-type': 'application/json; charset=UTF-8' });
    res.end(JSON.stringify(body));
  };
  const fail = (res: ServerResponse, err: QueryError): void =>
    send(res, err.status, {
      error: {
        code: err.status,
        message: err.message,
        errors: [{ message: err.message, domain: 'global', reason: err.reason }],
        status: err.status === 404 ? 'NOT_FOUND' : 'INVALID_ARGUMENT',
      },
    });

  const route = (
    method: string,
    path: string,
    url: URL,
    body: Record<string, unknown>,
    res: ServerResponse,
  ): void => {
    let m = /^\/bigquery\/v2\/projects\/([^/]+)\/datasets\/([^/]+)\/tables\/([^/]+)$/.exec(path);
    if (method === 'GET' && m) {
      const [, project, dataset, table] = m as unknown as [string, string, string, string];
      const t = tables[`${dataset}.${table}`];
      if (!t)
        return fail(res, new QueryError(404, 'notFound', `Not found: Table ${project}:${dataset}.${table}`));
      return send(res, 200, {
        kind: 'bigquery#table',
        id: `${project}:${dataset}.${table}`,
        tableReference: { projectId: project, datasetId: dataset, tableId: table },
        type: t.type ?? 'TABLE',
        ...(t.type === 'VIEW' ? {} : { numRows: String(t.rows.length), numBytes: String(t.bytes) }),
        ...(t.streaming
          ? {
              streamingBuffer: {
                estimatedRows: String(t.streaming.estimatedRows),
                estimatedBytes: '1024',
                oldestEntryTime: String(Date.now() - 60_000),
              },
            }
          : {}),
      });
    }
    m = /^\/bigquery\/v2\/projects\/([^/]+)\/jobs$/.exec(path);
    if (method === 'POST' && m) {
      const project = m[1] as string;
      const config = body.configuration as {
        dryRun?: boolean;
        query: { query: string; maximumBytesBilled?: string };
      };
      const requested = body.jobReference as { location?: string } | undefined;
      const reference = {
        ...(body.jobReference as object),
        projectId: project,
        location: requested?.location ?? 'US',
      };
      calls[calls.length - 1] += config.dryRun
        ? ' dryRun'
        : ` maximumBytesBilled=${config.query.maximumBytesBilled}`;
      const sql = config.query.query;
      const listing = isJobsQuery(sql);
      const { rows, bytes, billed, referenced } = listing
        ? evaluateJobs(sql, reference.location, opts.jobs ?? { jobs: {} })
        : evaluate(project, sql, tables);
      const cap = Number(config.query.maximumBytesBilled ?? Infinity);
      if (!config.dryRun && billed > cap) {
        const message = `Query exceeded limit for bytes billed: ${cap}. ${billed} or higher required.`;
        return fail(res, new QueryError(400, 'bytesBilledLimitExceeded', message));
      }
      const referencedTables = referenced.map((t) => {
        const [datasetId, tableId] = t.split('.');
        return { projectId: project, datasetId, tableId };
      });
      const statistics = {
        totalBytesProcessed: String(bytes),
        query: {
          totalBytesProcessed: String(bytes),
          totalBytesBilled: config.dryRun ? '0' : String(billed),
          referencedTables,
          statementType: opts.statementType ? opts.statementType(sql) : 'SELECT',
        },
        ...(config.dryRun ? {} : { totalBytesBilled: String(billed) }),
      };
      if (config.dryRun) {
        const { jobId: _omitted, ...dryReference } = reference as Record<string, unknown>;
        return send(res, 200, {
          kind: 'bigquery#job',
          jobReference: dryReference,
          configuration: config,
          status: { state: 'DONE' },
          statistics,
        });
      }
      const jobId = String((reference as Record<string, unknown>).jobId ?? randomUUID());
      jobs.set(jobId, { rows, reference, schema: listing ? JOBS_SCHEMA : SCHEMA });
      return send(res, 200, {
        kind: 'bigquery#job',
        id: `${project}:US.${jobId}`,
        jobReference: reference,
        configuration: config,
        status: { state: 'DONE' },
        statistics,
      });
    }
    m = /^\/bigquery\/v2\/projects\/([^/]+)\/queries\/([^/]+)$/.exec(path);
    if (method === 'GET' && m) {
      const job = jobs.get(m[2] as string);
      if (!job) return fail(res, new QueryError(404, 'notFound', `Not found: Job ${m[1]}:${m[2]}`));
      const size = opts.pageSize ?? 1000;
      const start = Number(url.searchParams.get('pageToken') ?? 0);
      const page = job.rows.slice(start, start + size);
      return send(res, 200, {
        kind: 'bigquery#getQueryResultsResponse',
        jobReference: job.reference,
        schema: job.schema,
        rows: page.map((r) => ({ f: r.map((v) => ({ v: v === null ? null : String(v) })) })),
        totalRows: String(job.rows.length),
        jobComplete: true,
        ...(start + size < job.rows.length ? { pageToken: String(start + size) } : {}),
      });
    }
    m = /^\/bigquery\/v2\/projects\/([^/]+)\/jobs\/([^/]+)\/cancel$/.exec(path);
    if (method === 'POST' && m) return send(res, 200, { kind: 'bigquery#jobCancelResponse', job: {} });
    return fail(res, new QueryError(404, 'notFound', `no route for ${method} ${path}`));
  };

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://localhost');
      calls.push(`${req.method} ${url.pathname}`);
      if (opts.silent?.test(`${req.method} ${url.pathname}`)) return;
      try {
        const body = chunks.length
          ? (JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>)
          : {};
        route(req.method ?? 'GET', url.pathname, url, body, res);
      } catch (err) {
        if (err instanceof QueryError) fail(res, err);
        else send(res, 500, { error: { code: 500, message: String(err) } });
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    apiEndpoint: `http://127.0.0.1:${port}`,
    calls,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
