import { writeSync } from 'node:fs';

/**
 * Calls into the operating system that may block for ever, of this process, that have not returned: a DuckDB
 * statement over a hung network mount, or the stat of a file there. Such a call ignores every interrupt and holds
 * a libuv worker thread, and Node's exit waits for that thread for ever: `run` printed its report and never ended,
 * and a CronJob with concurrencyPolicy Forbid ran no more. With one left at exit, the process says so and ends
 * itself with SIGKILL (exit status 137), a failure the scheduler sees, instead of hanging.
 */
let pending = 0;
let guarded = false;

/** `call`, counted until it settles (see above). */
export async function mayBlock<T>(call: Promise<T>): Promise<T> {
  if (!guarded) {
    guarded = true;
    process.once('exit', endStuckProcess);
  }
  pending++;
  try {
    return await call;
  } finally {
    pending--;
  }
}

function endStuckProcess(code: number): void {
  if (!pending) return;
  writeSync(
    2,
    `guardrail: ${pending} call(s) into the operating system never returned (a DuckDB view over a hung mount?); ` +
      `Node cannot exit past them, so the process ends with SIGKILL (exit status 137 in place of ${code})\n`,
  );
  process.kill(process.pid, 'SIGKILL');
}
