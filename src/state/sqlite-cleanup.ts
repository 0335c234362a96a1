import type { Database } from 'better-sqlite3';
import { cleanupRecord, type CleanupRow } from './rows';
import type { CleanupRecord } from './types';

export function writeCleanupRecord(db: Database, r: CleanupRecord): void {
  db.prepare(
    `INSERT INTO guardrail_cleanup_result
       (plan_id, check_id, resource_id, action, outcome, detail, monthly_saving_usd, applied_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT (plan_id, resource_id) DO UPDATE SET action = excluded.action, outcome = excluded.outcome,
       detail = excluded.detail, monthly_saving_usd = excluded.monthly_saving_usd, applied_at = excluded.applied_at`,
  ).run(r.planId, r.checkId, r.resourceId, r.action, r.outcome, r.detail, r.monthlySavingUsd, r.appliedAt);
}

export function readCleanupSavings(
  db: Database,
): { checkId: string; action: string; monthlySavingUsd: number }[] {
  const rows = db
    .prepare(
      `SELECT check_id, action, SUM(monthly_saving_usd) AS usd FROM guardrail_cleanup_result WHERE outcome = 'done' GROUP BY check_id, action ORDER BY check_id, action`,
    )
    .all() as { check_id: string; action: string; usd: number }[];
  return rows.map((r) => ({ checkId: r.check_id, action: r.action, monthlySavingUsd: Number(r.usd) }));
}

export function readCleanupRecords(db: Database, planId: string): CleanupRecord[] {
  const rows = db
    .prepare('SELECT * FROM guardrail_cleanup_result WHERE plan_id = ? ORDER BY resource_id')
    .all(planId) as CleanupRow[];
  return rows.map(cleanupRecord);
}
