import type { Queryable } from './postgres-db';
import { cleanupPlanRecord, cleanupRecord, type CleanupPlanRow, type CleanupRow } from './rows';
import type { CleanupPlanRecord, CleanupRecord } from './types';

export async function writeCleanupPlan(db: Queryable, p: CleanupPlanRecord): Promise<void> {
  await db.query(
    `INSERT INTO guardrail_cleanup_plan (plan_id, check_id, digest, created_at, expires_at)
     VALUES ($1, $2, $3, $4, $5)`,
    [p.planId, p.checkId, p.digest, p.createdAt, p.expiresAt],
  );
}

export async function readCleanupPlan(db: Queryable, planId: string): Promise<CleanupPlanRecord | undefined> {
  const { rows } = await db.query<CleanupPlanRow>('SELECT * FROM guardrail_cleanup_plan WHERE plan_id = $1', [
    planId,
  ]);
  return rows[0] ? cleanupPlanRecord(rows[0]) : undefined;
}

export async function writeCleanupRecord(db: Queryable, r: CleanupRecord): Promise<void> {
  await db.query(
    `INSERT INTO guardrail_cleanup_result
       (plan_id, check_id, resource_id, action, outcome, detail, monthly_saving_usd, applied_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
     ON CONFLICT (plan_id, resource_id) DO UPDATE SET action = excluded.action, outcome = excluded.outcome,
       detail = excluded.detail, monthly_saving_usd = excluded.monthly_saving_usd, applied_at = excluded.applied_at
     WHERE guardrail_cleanup_result.outcome <> 'done'`,
    [r.planId, r.checkId, r.resourceId, r.action, r.outcome, r.detail, r.monthlySavingUsd, r.appliedAt],
  );
}

export async function readCleanupSavings(
  db: Queryable,
): Promise<{ checkId: string; action: string; monthlySavingUsd: number }[]> {
  const { rows } = await db.query<{ check_id: string; action: string; usd: number }>(
    `SELECT check_id, action, SUM(monthly_saving_usd) AS usd FROM guardrail_cleanup_result WHERE outcome = 'done' GROUP BY check_id, action ORDER BY check_id, action`,
  );
  return rows.map((r) => ({ checkId: r.check_id, action: r.action, monthlySavingUsd: Number(r.usd) }));
}

export async function readCleanupRecords(db: Queryable, planId: string): Promise<CleanupRecord[]> {
  const { rows } = await db.query<CleanupRow>(
    'SELECT * FROM guardrail_cleanup_result WHERE plan_id = $1 ORDER BY resource_id',
    [planId],
  );
  return rows.map(cleanupRecord);
}
