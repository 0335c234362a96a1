import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { processResults, type PipelineConfig } from '../alerts/pipeline';
import type { CheckRunResult, Finding } from '../src/core/types';
import { openStateStore } from '../src/state/open-store';

const EVENTS = 100_000;
const NEW_PER_RUN = 100;
const RUNS = EVENTS / NEW_PER_RUN;
const HOUR = 3_600_000;
/** alerts.retention: a day of hourly runs, so about 2,400 events are kept at any time. */
const RETENTION_MS = 24 * HOUR;
const REPORT_AT = [1_000, 10_000, 100_000];
/** Runs averaged per figure: the ones just before each reporting point. */
const WINDOW = 10;
const T0 = Date.parse('2026-01-01T00:00:00Z');

const CONFIG: PipelineConfig = {
  routes: [{ channel: 'console' }],
  silences: [],
  repeatInterval: 4 * HOUR,
  sendResolved: true,
};

const job = (n: number): Finding => ({
  key: `job-${n}`,
  severity: 'warning',
  title: `job-${n} scanned 2.1 TB`,
  metrics: { bytesBilled: 2.1e12, costUsd: 13.1 },
  lifecycle: 'event',
});

/** Run `run` reports its 100 new jobs and, as a lookback window does, the previous run's 100 again. */
function result(run: number, now: number): CheckRunResult {
  const first = Math.max(0, (run - 1) * NEW_PER_RUN);
  const findings = Array.from({ length: (run + 1) * NEW_PER_RUN - first }, (_, i) => job(first + i));
  return {
    id: 'bq-cost',
    kind: 'bigquery-cost',
    status: 'firing',
    startedAt: new Date(now).toISOString(),
    durationMs: 1,
    findings,
    measurements: [],
  };
}

const size = (file: string) => {
  try {
    return statSync(file).size;
  } catch {
    return 0;
  }
};
const kib = (bytes: number) => `${(bytes / 1024).toFixed(0)} KiB`;

/** Hourly runs of a check reporting 100 new events each into one SQLite store with a day of retention. */
export async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'guardrail-bench-state-'));
  const file = join(dir, 'state.db');
  const store = await openStateStore(`sqlite://${file}`, dir);
  console.log(
    `state growth: ${EVENTS} event findings, ${NEW_PER_RUN} new per hourly run (each reported twice), ` +
      `retention ${RETENTION_MS / HOUR} h, SQLite file, each run = pipeline + send + prune`,
  );
  try {
    const recent: number[] = [];
    for (let run = 0; run < RUNS; run++) {
      const now = T0 + run * HOUR;
      const started = performance.now();
      const out = await processResults([result(run, now)], CONFIG, store, new Date(now), false);
      for (const message of out.notifications) await store.markSent(message.id, new Date(now));
      await store.prune(new Date(now - RETENTION_MS));
      recent.push(performance.now() - started);
      if (recent.length > WINDOW) recent.shift();
      if (out.notifications[0]?.items.length !== NEW_PER_RUN)
        throw new Error(`run ${run} announced a repeat`);
      const events = (run + 1) * NEW_PER_RUN;
      if (!REPORT_AT.includes(events)) continue;
      const perRun = recent.reduce((a, b) => a + b) / recent.length;
      const kept = (await store.alertStates('bq-cost')).length;
      const [db, wal] = [size(file), size(`${file}-wal`)];
      console.log(
        `  ${String(events).padStart(7)} events: ${perRun.toFixed(2)} ms per run (last ${recent.length} runs), ` +
          `${kept} alert states kept, store ${kib(db + wal)} (file ${kib(db)} + WAL ${kib(wal)})`,
      );
    }
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
