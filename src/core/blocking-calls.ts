import { writeSync } from 'node:fs';
import { settledWithin } from './limit';

/**
 * Calls into the operating system that may block for ever, of this process, that have not returned: a DuckDB
 * statement over a hung network mount, or the stat of a file there. Such a call ignores every interrupt and holds
 * a libuv worker thread, and Node's exit waits for that thread for ever: `run` printed its report and never ended,
 * and a CronJob with concurrencyPolicy Forbid ran no more. With one left at exit, the process says so and ends
 * itself with SIGKILL (exit status 137), a failure the scheduler sees, instead of hanging.
 */
let pending = 0;
let guarded = false;
/** Resolved when no call is pending any more. */
const idle: (() => void)[] = [];

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
    if (--pending === 0) for (const resolve of idle.splice(0)) resolve();
  }
}

/**
 * Waits up to `ms` for the calls still pending to return (a slow read that has just been interrupted returns,
 * a hung one never does); true when none is left. Exiting waits for this first, so that only a call still
 * blocked after it costs the process its exit code.
 */
export async function blockingCallsReturned(ms: number): Promise<boolean> {
  return !pending || settledWithin(new Promise<void>((resolve) => idle.push(resolve)), ms);
}

function endStuckProcess(code: number): void {
  if (!pending) return;
  writeSync(
    2,
    `guardrail: ${pending} call(s) into the operating system had not returned at exit (a DuckDB view over a ` +
      `hung mount?); Node cannot exit past them, so the process ends with SIGKILL (exit status 137 in place of ` +
      `${code})\n`,
  );
  process.kill(process.pid, 'SIGKILL');
}
