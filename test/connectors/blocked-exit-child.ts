// Starts a DuckDB statement that blocks in the operating system (a view over a FIFO that no one writes), as a
// hung network mount does, then exits as `guardrail` does once its report is out: after waiting a while for calls
// still pending. Node's exit waits for the worker thread a blocked statement holds, for ever; with the call
// counted by mayBlock the process ends itself. With `slow`, a writer fills the FIFO within the wait, as a slow
// mount answers at last: the statement returns and the process exits with its own code.
import { writeFile } from 'node:fs/promises';
import { DuckDBInstance } from '@duckdb/node-api';
import { blockingCallsReturned, mayBlock } from '../../src/core/blocking-calls';

async function main(): Promise<void> {
  const [fifo, mode] = process.argv.slice(2) as [string, 'uncounted' | 'counted' | 'slow'];
  const instance = await DuckDBInstance.create(':memory:');
  const conn = await instance.connect();
  const statement = conn.run(`CREATE VIEW v AS SELECT * FROM read_csv_auto('${fifo}')`);
  void (mode === 'uncounted' ? statement : mayBlock(statement)).catch(() => undefined);
  if (mode === 'slow') setTimeout(() => void writeFile(fifo, 'id\n1\n'), 300);
  setTimeout(() => {
    process.stdout.write('report\n');
    void blockingCallsReturned(1_000).then(() => process.exit(3));
  }, 100);
}

void main();
