import { createTask, parse } from 'node-cron';

/** Next runs asked for at a time, and at most: a week and a day of hourly runs. */
const BATCH = 50;
const MAX_RUNS = 200;
/** A week and a day: every weekday-and-hour pattern repeats within it. */
const SPAN_MS = 8 * 86_400_000;

/**
 * The longest time between two consecutive runs of a cron expression (ms), to within an hour, never less than
 * the truth: `0 9 * * 1-5` gives 3 days (Friday to Monday), `*\/5 9-17 * * 1-5` 64 hours, `*\/5 * * * *` 1 hour.
 * Runs within an hour count as one, at its first minute (a per-second schedule has 600,000 runs a week; an
 * hour's precision is what "not succeeded for two intervals, and at least 2 hours" needs).
 */
export function longestInterval(expression: string): number {
  try {
    return longestGap(NICKNAMES[expression.trim().toLowerCase()] ?? expression);
  } catch {
    return 0; // not known: the alert rule's 2-hour floor applies
  }
}

/** node-cron's nicknames, which its task parser does not take. */
const NICKNAMES: Record<string, string> = {
  '@yearly': '0 0 1 1 *',
  '@annually': '0 0 1 1 *',
  '@monthly': '0 0 1 * *',
  '@weekly': '0 0 * * 0',
  '@daily': '0 0 * * *',
  '@midnight': '0 0 * * *',
  '@hourly': '0 * * * *',
};

function longestGap(expression: string): number {
  const fields = expression.trim().split(/\s+/);
  const [hour, dayOfMonth, month, dayOfWeek] = fields.slice(-4);
  const hourly = `${parse(expression).minute[0] ?? 0} ${hour} ${dayOfMonth} ${month} ${dayOfWeek}`;
  const task = createTask(hourly, () => undefined);
  try {
    let runs: Date[] = [];
    for (let n = BATCH; ; n = Math.min(MAX_RUNS, n * 2)) {
      runs = task.getNextRuns(n);
      const span = runs.length > 1 ? runs[runs.length - 1]!.getTime() - runs[0]!.getTime() : 0;
      if (span >= SPAN_MS || n >= MAX_RUNS || runs.length < n) break;
    }
    let longest = 0;
    for (let i = 1; i < runs.length; i++)
      longest = Math.max(longest, runs[i]!.getTime() - runs[i - 1]!.getTime());
    return longest;
  } finally {
    void task.destroy();
  }
}
