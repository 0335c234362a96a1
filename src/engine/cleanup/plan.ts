import { createHash, randomBytes } from 'node:crypto';
import * as z from '../../core/zod';
import type { Finding } from '../../core/types';
import { UsageError } from '../../core/errors';
import { roundCents, s3StandardMonthlyCost } from '../../aws/prices';
import type { StateStore } from '../../state/types';

/** How long a plan may be applied after it is written (or after its mark date). */
export const PLAN_TTL_DAYS = 7;
/** With `--mark`, resources are due this many days after the plan. */
export const MARK_DAYS = 7;
const DAY_MS = 86_400_000;

/** Tag keys Guardrail writes: the IAM policy of `iam-policy --cleanup` allows CreateTags for these only. */
export const CLEANUP_AFTER_TAG = 'guardrail:cleanup-after';
export const PLAN_TAG = 'guardrail:cleanup-plan';
export const SOURCE_VOLUME_TAG = 'guardrail:source-volume';
export const CLEANUP_TAG_KEYS = [CLEANUP_AFTER_TAG, PLAN_TAG, SOURCE_VOLUME_TAG] as const;

export const CleanupAction = z.strictObject({
  /** Volume id, allocation id, or `bucket/key/uploadId`. */
  resourceId: z.string().min(1),
  type: z.enum(['snapshot-and-delete-volume', 'release-address', 'abort-upload']),
  accountId: z.string(),
  region: z.string(),
  /** What the resource was when planned; apply leaves it alone when it changed. */
  expect: z.strictObject({
    sizeGiB: z.number().optional(),
    volumeType: z.string().optional(),
    publicIp: z.string().optional(),
    bucket: z.string().optional(),
    key: z.string().optional(),
    uploadId: z.string().optional(),
  }),
  /** List-price $/month saved; null when the region has no price. */
  monthlySavingUsd: z.number().nullable(),
  /** With `--mark`: the tag value written; apply acts only from that date and only while the tag is unchanged. */
  cleanupAfter: z.string().optional(),
});
export type CleanupAction = z.infer<typeof CleanupAction>;

export const CleanupPlan = z.strictObject({
  version: z.literal(1),
  id: z.string().regex(/^plan-[0-9a-z-]+$/),
  checkId: z.string(),
  kind: z.string(),
  createdAt: z.iso.datetime(),
  expiresAt: z.iso.datetime(),
  totalMonthlySavingUsd: z.number(),
  actions: z.array(CleanupAction),
});
export type CleanupPlan = z.infer<typeof CleanupPlan>;

/** The actions a check kind's findings call for; a kind without any cannot be planned. */
const PLANNERS: Record<string, (f: Finding) => CleanupAction[]> = {
  'idle-ebs-volumes': (f) => {
    const r = f.resource ?? {};
    if (f.key.startsWith('gp2:') || typeof r.volumeId !== 'string') return [];
    return [
      {
        resourceId: r.volumeId,
        type: 'snapshot-and-delete-volume',
        accountId: String(r.accountId),
        region: String(r.region),
        expect: { sizeGiB: Number(r.sizeGiB), volumeType: String(r.volumeType) },
        monthlySavingUsd: f.metrics?.monthlyCostUsd ?? null,
      },
    ];
  },
  'idle-elastic-ips': (f) => {
    const r = f.resource ?? {};
    if (typeof r.allocationId !== 'string') return [];
    return [
      {
        resourceId: r.allocationId,
        type: 'release-address',
        accountId: String(r.accountId),
        region: String(r.region),
        expect: { publicIp: String(r.publicIp) },
        monthlySavingUsd: f.metrics?.monthlyCostUsd ?? null,
      },
    ];
  },
  's3-storage-waste': (f) => {
    const r = f.resource ?? {};
    if (!f.key.startsWith('uploads:') || !Array.isArray(r.uploads)) return [];
    const region = String(r.region);
    return (r.uploads as { key: string; uploadId: string; bytes?: number }[]).map((u) => {
      const cost = u.bytes === undefined ? undefined : s3StandardMonthlyCost(region, u.bytes);
      return {
        resourceId: `${String(r.bucket)}/${u.key}/${u.uploadId}`,
        type: 'abort-upload' as const,
        accountId: String(r.accountId),
        region,
        expect: { bucket: String(r.bucket), key: u.key, uploadId: u.uploadId },
        monthlySavingUsd: cost && 'usd' in cost ? cost.usd : null,
      };
    });
  },
};

/**
 * The SHA-256 of a plan's canonical JSON (the schema's key order, so the file's layout does not matter): what
 * `cleanup plan` records in the state store and `cleanup apply` checks a plan file against.
 */
export function planDigest(plan: CleanupPlan): string {
  return createHash('sha256')
    .update(JSON.stringify(CleanupPlan.parse(plan)))
    .digest('hex');
}

/** Records a plan as written, so that apply acts on it, and on nothing edited or made up. */
export async function recordPlan(store: StateStore, plan: CleanupPlan): Promise<void> {
  await store.recordCleanupPlan({
    planId: plan.id,
    checkId: plan.checkId,
    digest: planDigest(plan),
    createdAt: new Date(plan.createdAt),
    expiresAt: new Date(plan.expiresAt),
  });
}

export function canPlan(kind: string): boolean {
  return kind in PLANNERS;
}

/** A plan for what one check run reported; `mark` sets each action's due date `MARK_DAYS` ahead. */
export function buildPlan(
  check: { id: string; kind: string },
  findings: readonly Finding[],
  now: Date,
  options: { mark?: boolean } = {},
): CleanupPlan {
  const planner = PLANNERS[check.kind];
  if (!planner) {
    throw new UsageError(
      `check ${check.id} (${check.kind}) has nothing to clean up; cleanup plans cover ${Object.keys(PLANNERS).join(', ')}`,
    );
  }
  const due = options.mark
    ? new Date(now.getTime() + MARK_DAYS * DAY_MS).toISOString().slice(0, 10)
    : undefined;
  const actions = findings.flatMap(planner).map((a) => (due ? { ...a, cleanupAfter: due } : a));
  const start = due ? new Date(`${due}T00:00:00Z`) : now;
  return {
    version: 1,
    id: `plan-${now.toISOString().slice(0, 10)}-${randomBytes(4).toString('hex')}`,
    checkId: check.id,
    kind: check.kind,
    createdAt: now.toISOString(),
    expiresAt: new Date(start.getTime() + PLAN_TTL_DAYS * DAY_MS).toISOString(),
    totalMonthlySavingUsd: roundCents(actions.reduce((sum, a) => sum + (a.monthlySavingUsd ?? 0), 0)),
    actions,
  };
}

const VERB: Record<CleanupAction['type'], string> = {
  'snapshot-and-delete-volume': 'snapshot, then delete',
  'release-address': 'release',
  'abort-upload': 'abort',
};

/** One line per action, for the terminal and the Chat card. */
export function describePlan(plan: CleanupPlan): string[] {
  const usd = (n: number | null) => (n === null ? 'price unknown' : `$${n.toFixed(2)}/month`);
  return [
    `Cleanup plan ${plan.id} for ${plan.checkId} (${plan.kind}): ${plan.actions.length} resource(s), ` +
      `${usd(plan.totalMonthlySavingUsd)} saved at list price; apply before ${plan.expiresAt}`,
    ...plan.actions.map(
      (a) =>
        `  ${VERB[a.type]} ${a.resourceId} (${a.accountId}/${a.region}) — ${usd(a.monthlySavingUsd)}` +
        (a.cleanupAfter ? `, not before ${a.cleanupAfter}` : ''),
    ),
  ];
}
