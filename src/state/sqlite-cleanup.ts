import type { Database } from 'better-sqlite3';
import { cleanupPlanRecord, cleanupRecord, type CleanupPlanRow, type CleanupRow } from './rows';
import type { CleanupPlanRecord, CleanupRecord } from './types';

export function writeCleanupPlan(db: Database, p: CleanupPlanRecord): void {
  db.prepare(
    `INSERT INTO guardrail_cleanup_plan (plan_id, check_id, digest, created_at, expires_at) VALUES (?, ?, ?, ?, ?)`,
  ).run(p.planId, p.checkId, p.digest, p.createdAt.toISOString(), p.expiresAt.toISOString());
}

export function readCleanupPlan(db: Database, planId: string): CleanupPlanRecord | undefined {
  const row = db.prepare('SELECT * FROM guardrail_cleanup_plan WHERE plan_id = ?').get(planId) as
    CleanupPlanRow | undefined;
  return row ? cleanupPlanRecord(row) : undefined;
}

export function writeCleanupRecord(db: Database, r: CleanupRecord): void {
  db.prepare(
    `INSERT INTO guardrail_cleanup_result
       (plan_id, check_id, resource_id, action, outcome, detail, monthly_saving_usd, applied_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT (plan_id, resource_id) DO UPDATE SET action = excluded.action, outcome = excluded.outcome,
       detail = excluded.detail, monthly_saving_usd = excluded.monthly_saving_usd, applied_at = excluded.applied_at
     WHERE guardrail_cleanup_result.outcome <> 'done'`,
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
