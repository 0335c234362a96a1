import type { EC2Client } from '@aws-sdk/client-ec2';
import { withoutSdkLogging, type AwsClientConfig } from '../clients';
import { sleep } from '../../core/limit';
import { tagMap } from '../tags';

/** EC2 calls that change things, for `guardrail cleanup apply`; each re-reads the resource first. */
async function withEc2<T>(
  client: AwsClientConfig,
  work: (ec2: EC2Client, sdk: typeof import('../sdk/ec2-cleanup')) => Promise<T>,
): Promise<T> {
  const sdk = await import('../sdk/ec2-cleanup.js');
  const ec2 = withoutSdkLogging(new sdk.EC2Client(client));
  try {
    return await work(ec2, sdk);
  } finally {
    ec2.destroy();
  }
}

const notFound = (error: unknown, code: string): boolean => error instanceof Error && error.name === code;

export interface VolumeNow {
  state: string;
  sizeGiB: number;
  volumeType: string;
  attached: boolean;
  tags: Record<string, string>;
}

/** The volume as it is now; undefined when it no longer exists. */
export function describeVolume(
  client: AwsClientConfig,
  volumeId: string,
  signal: AbortSignal,
): Promise<VolumeNow | undefined> {
  return withEc2(client, async (ec2, { DescribeVolumesCommand }) => {
    try {
      const out = await ec2.send(new DescribeVolumesCommand({ VolumeIds: [volumeId] }), {
        abortSignal: signal,
      });
      const v = out.Volumes?.[0];
      if (!v) return undefined;
      return {
        state: v.State ?? 'unknown',
        sizeGiB: v.Size ?? 0,
        volumeType: v.VolumeType ?? 'unknown',
        attached: (v.Attachments?.length ?? 0) > 0 || v.State === 'in-use',
        tags: tagMap(v.Tags),
      };
    } catch (error) {
      if (notFound(error, 'InvalidVolume.NotFound')) return undefined;
      throw error;
    }
  });
}

/** Starts a snapshot of the volume, tagged at creation; resolves its id. */
export function createSnapshot(
  client: AwsClientConfig,
  volumeId: string,
  tags: Record<string, string>,
  signal: AbortSignal,
): Promise<string> {
  return withEc2(client, async (ec2, { CreateSnapshotCommand }) => {
    const out = await ec2.send(
      new CreateSnapshotCommand({
        VolumeId: volumeId,
        Description: `guardrail cleanup of ${volumeId}`,
        TagSpecifications: [
          { ResourceType: 'snapshot', Tags: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })) },
        ],
      }),
      { abortSignal: signal },
    );
    if (!out.SnapshotId) throw new Error(`CreateSnapshot of ${volumeId} returned no snapshot id`);
    return out.SnapshotId;
  });
}

export interface SnapshotWait {
  intervalMs: number;
  attempts: number;
}

/** Polls until the snapshot is `completed`; throws when it fails (`error`) or is still pending after `attempts`. */
export function waitForSnapshot(
  client: AwsClientConfig,
  snapshotId: string,
  wait: SnapshotWait,
  signal: AbortSignal,
): Promise<void> {
  return withEc2(client, async (ec2, { DescribeSnapshotsCommand }) => {
    for (let attempt = 1; attempt <= wait.attempts; attempt++) {
      const out = await ec2.send(new DescribeSnapshotsCommand({ SnapshotIds: [snapshotId] }), {
        abortSignal: signal,
      });
      const state = out.Snapshots?.[0]?.State;
      if (state === 'completed') return;
      if (state === 'error') throw new Error(`snapshot ${snapshotId} failed (state error)`);
      if (attempt < wait.attempts) await sleep(wait.intervalMs, signal);
    }
    throw new Error(`snapshot ${snapshotId} still pending after ${wait.attempts} checks (left to complete)`);
  });
}

export function deleteVolume(client: AwsClientConfig, volumeId: string, signal: AbortSignal): Promise<void> {
  return withEc2(client, async (ec2, { DeleteVolumeCommand }) => {
    await ec2.send(new DeleteVolumeCommand({ VolumeId: volumeId }), { abortSignal: signal });
  });
}

export interface AddressNow {
  associated: boolean;
  tags: Record<string, string>;
}

/** The Elastic IP as it is now; undefined when it was released. */
export function describeAddress(
  client: AwsClientConfig,
  allocationId: string,
  signal: AbortSignal,
): Promise<AddressNow | undefined> {
  return withEc2(client, async (ec2, { DescribeAddressesCommand }) => {
    try {
      const out = await ec2.send(new DescribeAddressesCommand({ AllocationIds: [allocationId] }), {
        abortSignal: signal,
      });
      const a = out.Addresses?.[0];
      if (!a) return undefined;
      return {
        associated: !!(a.AssociationId || a.InstanceId || a.NetworkInterfaceId),
        tags: tagMap(a.Tags),
      };
    } catch (error) {
      if (notFound(error, 'InvalidAllocationID.NotFound')) return undefined;
      throw error;
    }
  });
}

export function releaseAddress(
  client: AwsClientConfig,
  allocationId: string,
  signal: AbortSignal,
): Promise<void> {
  return withEc2(client, async (ec2, { ReleaseAddressCommand }) => {
    await ec2.send(new ReleaseAddressCommand({ AllocationId: allocationId }), { abortSignal: signal });
  });
}

/** Sets the `tags` on the resources. */
export function tagResources(
  client: AwsClientConfig,
  resourceIds: string[],
  tags: Record<string, string>,
  signal: AbortSignal,
): Promise<void> {
  return changeTags(client, 'CreateTagsCommand', resourceIds, tags, signal);
}

/** Removes the `tags` from the resources where each still has that value (another value is left as it is). */
export function untagResources(
  client: AwsClientConfig,
  resourceIds: string[],
  tags: Record<string, string>,
  signal: AbortSignal,
): Promise<void> {
  return changeTags(client, 'DeleteTagsCommand', resourceIds, tags, signal);
}

/** CreateTags or DeleteTags of `tags` (each key with its value) on the resources. */
function changeTags(
  client: AwsClientConfig,
  command: 'CreateTagsCommand' | 'DeleteTagsCommand',
  resourceIds: string[],
  tags: Record<string, string>,
  signal: AbortSignal,
): Promise<void> {
  return withEc2(client, async (ec2, sdk) => {
    const input = {
      Resources: resourceIds,
      Tags: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })),
    };
    const options = { abortSignal: signal };
    if (command === 'CreateTagsCommand') await ec2.send(new sdk.CreateTagsCommand(input), options);
    else await ec2.send(new sdk.DeleteTagsCommand(input), options);
  });
}
