import { batchCount, type SqlRunner } from '../../src/connectors/batch-count';
import { postgresDialect } from '../../src/connectors/postgres';
import { request } from './sql-connector-suite';

/** A connection error as the pg driver raises it. */
const refused = () =>
  Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });

describe('batchCount when the server stops answering', () => {
  // A stand-in runner (the smallest unit): what matters is which statements are sent, not what a server says.
  it('tries the lost statement once more, then sends no other and reports every table unreachable', async () => {
    const sent: string[] = [];
    const run: SqlRunner = async (sql) => {
      sent.push(sql);
      throw refused();
    };
    const requests = Array.from({ length: 8 }, (_, i) => request(String(i), `public.t${i}`));

    const results = await batchCount(requests, {
      dialect: postgresDialect,
      run,
      batchSize: 2,
      concurrency: 1,
      signal: new AbortController().signal,
    });

    expect(sent).toHaveLength(2); // the first statement, and its one retry
    expect(results.map((r) => r.error?.code)).toEqual(Array(8).fill('unreachable'));
    expect(results[7]?.error?.message).toBe('connect ECONNREFUSED 127.0.0.1:5432');
  });

  it('goes on after a session that was killed once (the retry answers)', async () => {
    let calls = 0;
    const run: SqlRunner = async () => {
      calls++;
      if (calls === 1) throw refused();
      return [
        { i: 0, n: 1 },
        { i: 1, n: 1 },
        { i: 2, n: 1 },
        { i: 3, n: 1 },
      ];
    };
    const requests = Array.from({ length: 4 }, (_, i) => request(String(i), `public.t${i}`));

    const results = await batchCount(requests, {
      dialect: postgresDialect,
      run,
      batchSize: 2,
      concurrency: 1,
      signal: new AbortController().signal,
    });

    expect(results.map((r) => r.rows)).toEqual([1, 1, 1, 1]);
  });

  // A review found two unrelated blips failing a whole sweep: the halves of a split statement inherited its retry,
  // so one lost connection on a half counted as the second loss.
  it('gives each half of a split statement its own retry', async () => {
    const missing = () => Object.assign(new Error('relation "public.t3" does not exist'), { code: '42P01' });
    const answers: ((sql: string) => Record<string, unknown>[])[] = [
      () => {
        throw refused(); // the whole statement, on a stale session
      },
      () => {
        throw missing(); // its retry: one table is missing, so it is split
      },
      () => {
        throw refused(); // the first half, on another stale session
      },
      () => [
        { i: 0, n: 5 },
        { i: 1, n: 5 },
      ],
      () => {
        throw missing();
      },
      () => [{ i: 2, n: 5 }],
      () => {
        throw missing();
      },
    ];
    const run: SqlRunner = async (sql) => answers.shift()!(sql);
    const requests = Array.from({ length: 4 }, (_, i) => request(String(i), `public.t${i}`));

    const results = await batchCount(requests, {
      dialect: postgresDialect,
      run,
      batchSize: 4,
      concurrency: 1,
      signal: new AbortController().signal,
    });

    expect(results.map((r) => r.rows ?? r.error?.code)).toEqual([5, 5, 5, 'missing-table']);
    expect(answers).toEqual([]);
  });
});

// A review: one slow table among 100 cost a timeout per halving (8 on PostgreSQL), which outlasted the check's own
// timeout, so the 99 others went uncounted on every run.
describe('batchCount when a statement runs out of time', () => {
  const statementTimeout = () =>
    Object.assign(new Error('canceling statement due to statement timeout'), { code: '57014' });

  it.each([
    ['PostgreSQL and Redshift', statementTimeout()],
    [
      'MySQL',
      Object.assign(new Error('Query execution was interrupted, maximum statement execution time exceeded'), {
        errno: 3024,
      }),
    ],
    [
      'MariaDB',
      Object.assign(new Error('Query execution was interrupted (max_statement_time exceeded)'), {
        errno: 1969,
      }),
    ],
  ])(
    'counts each table of it alone (%s): one more timeout for the slow table, not one per halving',
    async (_db, error) => {
      const slow: string[] = [];
      const run: SqlRunner = async (sql) => {
        const tables = [...sql.matchAll(/"public"\."t(\d+)"/g)].map((m) => Number(m[1]));
        if (tables.includes(42)) {
          slow.push(sql);
          throw error;
        }
        return tables.map((t) => ({ i: t, n: t }));
      };
      const requests = Array.from({ length: 100 }, (_, i) => request(String(i), `public.t${i}`));

      const results = await batchCount(requests, {
        dialect: postgresDialect,
        run,
        batchSize: 100,
        concurrency: 1,
        signal: new AbortController().signal,
      });

      expect(slow).toHaveLength(2); // the statement of 100, then t42 alone
      expect(results.filter((r) => r.rows !== undefined)).toHaveLength(99);
      expect(results[42]?.error?.message).toBe(error.message);
    },
  );
});

// A review: a retry without the time column after any error blamed a healthy column when the error was transient.
describe('batchCount when a lone table fails', () => {
  it('counts it once more without its time column only when that column is missing', async () => {
    const sent: string[] = [];
    const errors = [
      Object.assign(new Error('canceling statement due to conflict with recovery'), { code: '40001' }),
      Object.assign(new Error('column "updated_at" does not exist'), { code: '42703' }),
    ];
    const run: SqlRunner = async (sql) => {
      sent.push(sql);
      const failing = errors.shift();
      if (failing) throw failing;
      return [{ i: 0, n: 7 }];
    };
    const options = {
      dialect: postgresDialect,
      run,
      batchSize: 1,
      concurrency: 1,
      signal: new AbortController().signal,
    };

    const transient = await batchCount(
      [request('t', 'public.t', { maxTimestampColumn: 'updated_at' })],
      options,
    );
    const missing = await batchCount(
      [request('m', 'public.m', { maxTimestampColumn: 'updated_at' })],
      options,
    );

    expect(transient[0]?.error?.code).toBe('query-failed');
    expect(transient[0]?.rows).toBeUndefined();
    expect(sent).toHaveLength(3); // the transient failure is not sent again; the missing column is
    expect(missing[0]).toEqual({
      id: 'm',
      rows: 7,
      maxTimestampError: { code: 'missing-column', message: 'column "updated_at" does not exist' },
    });
  });
});
