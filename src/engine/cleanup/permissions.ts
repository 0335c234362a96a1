import { CLEANUP_TAG_KEYS, PLAN_TAG } from './plan';

/**
 * What `guardrail cleanup apply` needs besides the checks' read permissions, scoped: a volume is deleted only
 * once it carries a plan tag, and Guardrail may write only its own tag keys. Apply writes the plan tag itself, so
 * the condition leaves a trace on each deleted volume rather than limiting which ones: what limits apply to the
 * plans `cleanup plan` wrote is the state store's record of them (apply.ts).
 * @see https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonec2.html
 */
export function cleanupStatements(kinds: ReadonlySet<string>): unknown[] {
  const statements: unknown[] = [];
  const ec2 = kinds.has('idle-ebs-volumes') || kinds.has('idle-elastic-ips');
  if (ec2) {
    statements.push({
      Sid: 'GuardrailCleanupTags',
      Effect: 'Allow',
      Action: ['ec2:CreateTags'],
      Resource: '*',
      Condition: { 'ForAllValues:StringEquals': { 'aws:TagKeys': [...CLEANUP_TAG_KEYS] } },
    });
  }
  if (kinds.has('idle-ebs-volumes')) {
    statements.push(
      {
        Sid: 'GuardrailCleanupSnapshots',
        Effect: 'Allow',
        Action: ['ec2:CreateSnapshot', 'ec2:DescribeSnapshots', 'ec2:DescribeVolumes'],
        Resource: '*',
      },
      {
        // Takes the plan tag off a volume apply kept (its snapshot failed or was still pending, or it changed
        // meanwhile). DeleteTags naming no tag deletes every tag of the resource, and ForAllValues holds for a
        // request without aws:TagKeys: the Null condition refuses such a request (a review).
        Sid: 'GuardrailCleanupUntagKeptVolumes',
        Effect: 'Allow',
        Action: ['ec2:DeleteTags'],
        Resource: 'arn:aws:ec2:*:*:volume/*',
        Condition: {
          'ForAllValues:StringEquals': { 'aws:TagKeys': [PLAN_TAG] },
          Null: { 'aws:TagKeys': 'false' },
        },
      },
      {
        Sid: 'GuardrailCleanupDeletePlannedVolumes',
        Effect: 'Allow',
        Action: ['ec2:DeleteVolume'],
        Resource: 'arn:aws:ec2:*:*:volume/*',
        Condition: { StringLike: { [`aws:ResourceTag/${PLAN_TAG}`]: 'plan-*' } },
      },
    );
  }
  if (kinds.has('idle-elastic-ips')) {
    statements.push({
      Sid: 'GuardrailCleanupReleaseAddresses',
      Effect: 'Allow',
      Action: ['ec2:DescribeAddresses', 'ec2:ReleaseAddress'],
      Resource: '*',
    });
  }
  if (kinds.has('s3-storage-waste')) {
    statements.push({
      Sid: 'GuardrailCleanupAbortUploads',
      Effect: 'Allow',
      Action: ['s3:AbortMultipartUpload', 's3:GetBucketTagging', 's3:ListMultipartUploadParts'],
      Resource: '*',
    });
  }
  return statements;
}
