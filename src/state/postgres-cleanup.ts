import type { Queryable } from './postgres-db';
import { cleanupRecord, type CleanupRow } from './rows';
import type { CleanupPlanRecord, CleanupRecord } from './types';

export async function writeCleanupPlan(db: Queryable, p: CleanupPlanRecord): Promise<void> {
  await db.query(
    `INSERT INTO guardrail_cleanup_plan (plan_id, check_id, digest, created_at, expires_at)
     VALUES ($1, $2, $3, $4, $5)`,
    [p.planId, p.checkId, p.digest, p.createdAt, p.expiresAt],
  );
}

export async function readCleanupPlan(db: Queryable, planId: string): Promise<CleanupPlanRecord | undefined> {
  const { rows } = await db.query<{
    plan_id: string;
    check_id: string;
    digest: string;
    created_at: Date;
    expires_at: Date;
  }>('SELECT * FROM guardrail_cleanup_plan WHERE plan_id = $1', [planId]);
  const row = rows[0];
  return row
    ? {
        planId: row.plan_id,
        checkId: row.check_id,
        digest: row.digest,
        createdAt: new Date(row.created_at),
        expiresAt: new Date(row.expires_at),
      }
    : undefined;
}

export async function writeCleanupRecord(db: Queryable, r: CleanupRecord): Promise<void> {
  await db.query(
    `INSERT INTO guardrail_cleanup_result
       (plan_id, check_id, resource_id, action, outcome, detail, monthly_saving_usd, applied_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
     ON CONFLICT (plan_id, resource_id) DO UPDATE SET action = excluded.action, outcome = excluded.outcome,
       detail = excluded.detail, monthly_saving_usd = excluded.monthly_saving_usd, applied_at = excluded.applied_at`,
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
