import { withoutSdkLogging, type AwsClientConfig } from '../../src/aws/clients';
import { PageTokens } from '../../src/aws/pages';
import { isIgnored, tagMap } from '../../src/aws/tags';

/** DescribeVolumes' largest page. @see https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_DescribeVolumes.html */
export const DESCRIBE_VOLUMES_PAGE_SIZE = 500;

export interface IdleVolume {
  volumeId: string;
  /** `available` (attached to nothing), `in-use`, ... */
  state: string;
  volumeType: string;
  sizeGiB: number;
  iops?: number;
  throughputMiBps?: number;
  availabilityZone?: string;
  createdAt?: string;
  tags: Record<string, string>;
}

/**
 * Volumes minus those tagged guardrail:ignore=true: only those in state `available` (attached to nothing) with
 * `onlyAvailable`, else every volume. One unfiltered listing, not a second one filtered on `volume-type=gp2`:
 * it takes ceil(all / 500) pages against ceil(available / 500) + ceil(gp2 / 500), so it is never more pages
 * for a region under 500 volumes (1 against 2, and the gp2 call runs even when there is none), and it is more
 * only where a region holds over 500 attached volumes that are not gp2.
 */
export async function listVolumes(
  client: AwsClientConfig,
  signal: AbortSignal,
  onlyAvailable = true,
): Promise<IdleVolume[]> {
  const { EC2Client, DescribeVolumesCommand } = await import('../../src/aws/sdk/ec2.js');
  const ec2 = withoutSdkLogging(new EC2Client(client));
  const volumes: IdleVolume[] = [];
  try {
    const tokens = new PageTokens('ec2:DescribeVolumes');
    let nextToken: string | undefined;
    do {
      const page = await ec2.send(
        new DescribeVolumesCommand({
          Filters: onlyAvailable ? [{ Name: 'status', Values: ['available'] }] : undefined,
          MaxResults: DESCRIBE_VOLUMES_PAGE_SIZE,
          NextToken: nextToken,
        }),
        { abortSignal: signal },
      );
      for (const v of page.Volumes ?? []) {
        if (!v.VolumeId || (onlyAvailable && v.State !== 'available') || isIgnored(v.Tags)) continue;
        volumes.push({
          volumeId: v.VolumeId,
          state: v.State ?? 'unknown',
          volumeType: v.VolumeType ?? 'unknown',
          sizeGiB: v.Size ?? 0,
          iops: v.Iops,
          throughputMiBps: v.Throughput,
          availabilityZone: v.AvailabilityZone,
          createdAt: v.CreateTime?.toISOString(),
          tags: tagMap(v.Tags),
        });
      }
      nextToken = tokens.next(page.NextToken);
    } while (nextToken);
  } finally {
    ec2.destroy();
  }
  return volumes;
}
