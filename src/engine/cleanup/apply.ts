import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { UsageError } from '../../core/errors';
import { describeAwsError } from '../../aws/clients';
import type { AwsProvider } from '../../aws/types';
import { IGNORE_TAG_KEY, isIgnored } from '../../aws/tags';
import {
  createSnapshot,
  deleteVolume,
  describeAddress,
  describeVolume,
  releaseAddress,
  tagResources,
  untagResources,
  waitForSnapshot,
  type SnapshotWait,
} from '../../aws/cleanup/ec2';
import { abortUpload, bucketIgnored, uploadExists } from '../../aws/cleanup/s3';
import type { StateStore } from '../../state/types';
import {
  CLEANUP_AFTER_TAG,
  PLAN_TAG,
  planDigest,
  SOURCE_VOLUME_TAG,
  type CleanupAction,
  type CleanupPlan,
} from './plan';

/** Snapshot polling: every 15 s, up to 40 times (10 minutes), then the volume is kept and the action fails. */
export const DEFAULT_SNAPSHOT_WAIT: SnapshotWait = { intervalMs: 15_000, attempts: 40 };

export interface ApplyOptions {
  aws: AwsProvider;
  store: StateStore;
  now: Date;
  signal: AbortSignal;
  dryRun?: boolean;
  continueOnError?: boolean;
  snapshotWait?: SnapshotWait;
  /** Prints each result as it happens. */
  out?: (line: string) => void;
}

export type ApplyOutcome = 'done' | 'skipped' | 'failed' | 'would-do' | 'already-done';

export interface ApplyResult {
  resourceId: string;
  action: CleanupAction['type'];
  outcome: ApplyOutcome;
  detail: string;
  monthlySavingUsd: number;
}

export interface ApplyReport {
  planId: string;
  results: ApplyResult[];
  /** True when it stopped at an unexpected error (without --continue-on-error). */
  stopped: boolean;
  /** $/month saved by what this apply did. */
  savedMonthlyUsd: number;
}

/** Why an action must not run now; undefined = go. */
type Verdict = string | undefined;

/**
 * Applies a plan: only its resources, each re-read right before acting (still idle, not ignored, unchanged, due);
 * what is done is recorded and never done again, so a second apply of the same plan changes nothing.
 */
export async function applyPlan(plan: CleanupPlan, options: ApplyOptions): Promise<ApplyReport> {
  // Only a plan `cleanup plan` wrote, as it wrote it: a trial edited a plan's dates and actions (a volume made
  // after it, a made-up saving) and apply deleted the volume and recorded the saving.
  const recorded = await options.store.cleanupPlan(plan.id);
  if (!recorded) {
    throw new UsageError(
      `plan ${plan.id} has no record in this state store: apply acts only on a plan guardrail cleanup plan ` +
        'recorded, and plans written with another state store, or before plans were recorded (Guardrail ' +
        'before 2026-12-03), have none; write a new plan (guardrail cleanup plan) with the state store apply uses',
    );
  }
  if (recorded.digest !== planDigest(plan) || recorded.checkId !== plan.checkId) {
    throw new UsageError(
      `plan ${plan.id} is not the plan guardrail cleanup plan wrote (an action, a figure or a date differs); ` +
        'apply refuses an edited plan: write a new one',
    );
  }
  if (options.now.getTime() > recorded.expiresAt.getTime()) {
    throw new UsageError(
      `plan ${plan.id} expired at ${recorded.expiresAt.toISOString()}; write a new plan (guardrail cleanup plan)`,
    );
  }
  // One apply of a plan at a time, across processes sharing the store: two at once each took a snapshot of the
  // same volume, and the one that lost the race recorded a failure (a review). A dry run acts on nothing.
  const lease = options.dryRun ? undefined : await applyLease(plan.id, options.store);
  try {
    return await applyActions(plan, options);
  } finally {
    await lease?.end();
  }
}

/** A lease held while the apply lasts, renewed a third of its life apart; undefined when another apply holds it. */
async function applyLease(planId: string, store: StateStore): Promise<{ end(): Promise<void> }> {
  const name = `cleanup:${planId}:applying`;
  const holder = `${hostname()}:${process.pid}:${randomUUID()}`;
  if (!(await store.acquireLease(name, holder, APPLY_LEASE_TTL_MS))) {
    throw new UsageError(
      `another apply of plan ${planId} is running (its lease in the state store is held); wait for it to end, ` +
        `then apply again: what it did is recorded, and done actions are not done twice`,
    );
  }
  const timer = setInterval(
    () => void store.acquireLease(name, holder, APPLY_LEASE_TTL_MS).catch(() => false),
    APPLY_LEASE_TTL_MS / 3,
  );
  timer.unref();
  return {
    end: async () => {
      clearInterval(timer);
      await store.releaseLease(name, holder).catch(() => undefined);
    },
  };
}

/** A killed apply holds its plan this long at most. */
export const APPLY_LEASE_TTL_MS = 30_000;

async function applyActions(plan: CleanupPlan, options: ApplyOptions): Promise<ApplyReport> {
  const done = new Set(
    (await options.store.cleanupRecords(plan.id))
      .filter((r) => r.outcome === 'done')
      .map((r) => r.resourceId),
  );
  const results: ApplyResult[] = [];
  let stopped = false;
  for (const action of plan.actions) {
    const result = done.has(action.resourceId)
      ? outcome(action, 'already-done', 'done by an earlier apply of this plan')
      : await applyOne(plan, action, options);
    results.push(result);
    options.out?.(`${result.outcome.padEnd(12)} ${action.type} ${action.resourceId}: ${result.detail}`);
    // A dry run writes nothing, not even what it would skip: a skipped row would replace an earlier failed one
    // that named the snapshot it kept (a review).
    if (
      !options.dryRun &&
      (result.outcome === 'done' || result.outcome === 'skipped' || result.outcome === 'failed')
    ) {
      await options.store.recordCleanup({
        planId: plan.id,
        checkId: plan.checkId,
        resourceId: action.resourceId,
        action: action.type,
        outcome: result.outcome,
        detail: result.detail,
        monthlySavingUsd: result.monthlySavingUsd,
        appliedAt: new Date().toISOString(),
      });
    }
    // Interrupted: what it was doing is recorded (above); nothing more is started.
    options.signal.throwIfAborted();
    if (result.outcome === 'failed' && !options.continueOnError) {
      stopped = true;
      break;
    }
  }
  const savedMonthlyUsd = results
    .filter((r) => r.outcome === 'done')
    .reduce((sum, r) => sum + r.monthlySavingUsd, 0);
  return { planId: plan.id, results, stopped, savedMonthlyUsd: Math.round(savedMonthlyUsd * 100) / 100 };
}

function outcome(action: CleanupAction, o: ApplyOutcome, detail: string): ApplyResult {
  const saved = o === 'done' ? (action.monthlySavingUsd ?? 0) : 0;
  return { resourceId: action.resourceId, action: action.type, outcome: o, detail, monthlySavingUsd: saved };
}

async function applyOne(
  plan: CleanupPlan,
  action: CleanupAction,
  options: ApplyOptions,
): Promise<ApplyResult> {
  if (action.cleanupAfter && options.now.toISOString().slice(0, 10) < action.cleanupAfter) {
    return outcome(action, 'skipped', `marked for cleanup after ${action.cleanupAfter}; not due yet`);
  }
  const client = options.aws.clientConfig({ accountId: action.accountId, region: action.region });
  const { signal } = options;
  try {
    switch (action.type) {
      case 'snapshot-and-delete-volume': {
        // Read before the snapshot and again after waiting for it (up to minutes): a tag or an attachment
        // added meanwhile keeps the volume (a review saw one tagged during the wait deleted).
        const volumeVerdict = async (): Promise<Verdict> => {
          const volume = await describeVolume(client, action.resourceId, signal);
          return !volume
            ? 'no longer exists'
            : volume.attached || volume.state !== 'available'
              ? `is ${volume.state} now (attached since the plan)`
              : isIgnored(volume.tags)
                ? `is tagged ${IGNORE_TAG_KEY}=true now`
                : volume.sizeGiB !== action.expect.sizeGiB || volume.volumeType !== action.expect.volumeType
                  ? `changed since the plan (${volume.volumeType}, ${volume.sizeGiB} GiB)`
                  : markChanged(action, volume.tags);
        };
        const why = await volumeVerdict();
        if (why) return outcome(action, 'skipped', `volume ${why}`);
        if (options.dryRun)
          return outcome(action, 'would-do', 'would snapshot, wait for it, then delete the volume');
        // The plan tag is what lets `ec2:DeleteVolume` through the policy's aws:ResourceTag condition; a volume
        // that is kept has it taken off again, so that no kept volume reads as one a plan is deleting.
        await tagResources(client, [action.resourceId], { [PLAN_TAG]: plan.id }, signal);
        const kept = async (o: ApplyOutcome, detail: string): Promise<ApplyResult> => {
          const tag = { [PLAN_TAG]: plan.id };
          const untagged = await untagResources(client, [action.resourceId], tag, signal).then(
            () => '',
            (error: unknown) => `; its ${PLAN_TAG} tag stayed (${describeAwsError(error)})`,
          );
          return outcome(action, o, `${detail}${untagged}`);
        };
        // Always a snapshot of the volume as it is now, even when an earlier apply of the plan left one pending:
        // the volume may have been written to since that one began (a review), and EBS snapshots are
        // incremental, so the second stores only the blocks changed since the first.
        let snapshotId: string;
        try {
          const tags = { [PLAN_TAG]: plan.id, [SOURCE_VOLUME_TAG]: action.resourceId };
          snapshotId = await createSnapshot(client, action.resourceId, tags, signal);
          await waitForSnapshot(client, snapshotId, options.snapshotWait ?? DEFAULT_SNAPSHOT_WAIT, signal);
        } catch (error) {
          if (signal.aborted) throw error;
          return kept('failed', `${describeAwsError(error)}; the volume was kept`);
        }
        const since = await volumeVerdict();
        if (since) return kept('skipped', `volume ${since} (snapshot ${snapshotId} kept)`);
        await deleteVolume(client, action.resourceId, signal);
        return outcome(action, 'done', `snapshot ${snapshotId} completed, volume deleted`);
      }
      case 'release-address': {
        const address = await describeAddress(client, action.resourceId, signal);
        const why: Verdict = !address
          ? 'no longer exists'
          : address.associated
            ? 'is associated now'
            : isIgnored(address.tags)
              ? `is tagged ${IGNORE_TAG_KEY}=true now`
              : markChanged(action, address.tags);
        if (why) return outcome(action, 'skipped', `address ${why}`);
        if (options.dryRun) return outcome(action, 'would-do', 'would release the address');
        await releaseAddress(client, action.resourceId, signal);
        return outcome(action, 'done', 'address released');
      }
      case 'abort-upload': {
        const { bucket = '', key = '', uploadId = '' } = action.expect;
        const ref = { bucket, key, uploadId };
        if (!(await uploadExists(client, ref, signal))) {
          return outcome(action, 'skipped', 'upload no longer exists');
        }
        if (await bucketIgnored(client, bucket, signal)) {
          return outcome(action, 'skipped', `bucket is tagged ${IGNORE_TAG_KEY}=true now`);
        }
        if (options.dryRun) return outcome(action, 'would-do', 'would abort the upload');
        await abortUpload(client, ref, signal);
        return outcome(action, 'done', 'upload aborted');
      }
    }
  } catch (error) {
    // Stopped mid-action, a call may have gone through (a deletion the store would never hear of, a review found):
    // recorded as failed, saying what to check, before the stop goes on.
    if (signal.aborted) return outcome(action, 'failed', `interrupted: ${INTERRUPTED[action.type]}`);
    return outcome(action, 'failed', describeAwsError(error));
  }
}

const INTERRUPTED: Record<CleanupAction['type'], string> = {
  'snapshot-and-delete-volume':
    'the snapshot or the deletion may have happened; check the volume before applying again',
  'release-address': 'the address may have been released; check it before applying again',
  'abort-upload': 'the upload may have been aborted; check it before applying again',
};

/** With a mark, the resource must still carry exactly the tag the plan wrote. */
function markChanged(action: CleanupAction, tags: Record<string, string>): Verdict {
  if (!action.cleanupAfter) return undefined;
  const tag = tags[CLEANUP_AFTER_TAG];
  return tag === action.cleanupAfter
    ? undefined
    : `${CLEANUP_AFTER_TAG} is ${tag ?? 'gone'} (plan wrote ${action.cleanupAfter})`;
}
