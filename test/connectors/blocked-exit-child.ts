// Starts a DuckDB statement that blocks in the operating system (a view over a FIFO that no one writes), as a
// hung network mount does, then exits as `run` does once its report is out. Node's exit waits for the worker
// thread the statement holds, for ever; with the call counted by mayBlock the process ends itself.
import { DuckDBInstance } from '@duckdb/node-api';
import { mayBlock } from '../../src/core/blocking-calls';

async function main(): Promise<void> {
  const fifo = process.argv[2] as string;
  const counted = process.argv[3] === 'counted';
  const instance = await DuckDBInstance.create(':memory:');
  const conn = await instance.connect();
  const statement = conn.run(`CREATE VIEW v AS SELECT * FROM read_csv_auto('${fifo}')`);
  void (counted ? mayBlock(statement) : statement).catch(() => undefined);
  setTimeout(() => {
    process.stdout.write('report\n');
    process.exit(3);
  }, 300);
}

void main();
