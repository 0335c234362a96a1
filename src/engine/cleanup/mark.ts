import { tagResources } from '../../aws/cleanup/ec2';
import type { AwsProvider } from '../../aws/types';
import { CLEANUP_AFTER_TAG, type CleanupPlan } from './plan';

/**
 * Tags each marked volume and address `guardrail:cleanup-after=DATE` (one CreateTags per account and region).
 * Multipart uploads carry no tags: they are only held back until the date.
 */
export async function markPlan(plan: CleanupPlan, aws: AwsProvider, signal: AbortSignal): Promise<number> {
  const groups = new Map<string, { accountId: string; region: string; date: string; ids: string[] }>();
  for (const a of plan.actions) {
    if (!a.cleanupAfter || a.type === 'abort-upload') continue;
    const key = `${a.accountId}/${a.region}/${a.cleanupAfter}`;
    const group = groups.get(key) ?? {
      accountId: a.accountId,
      region: a.region,
      date: a.cleanupAfter,
      ids: [],
    };
    group.ids.push(a.resourceId);
    groups.set(key, group);
  }
  let tagged = 0;
  for (const g of groups.values()) {
    const client = aws.clientConfig({ accountId: g.accountId, region: g.region });
    await tagResources(client, g.ids, { [CLEANUP_AFTER_TAG]: g.date }, signal);
    tagged += g.ids.length;
  }
  return tagged;
}
