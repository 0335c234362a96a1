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
