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
 * The volumes the check reports on, minus those tagged guardrail:ignore=true: those in state `available`
 * (attached to nothing) and, with `gp2`, the gp2 volumes attached or not. Without `gp2`, AWS filters on the status.
 * With it, one unfiltered listing, not a second one filtered on `volume-type=gp2`: it takes ceil(all / 500) pages
 * against ceil(available / 500) + ceil(gp2 / 500), so it is never more pages for a region under 500 volumes
 * (1 against 2, and the gp2 call runs even when there is none), and it is more only where a region holds over 500
 * attached volumes that are not gp2. Either way each page is read as it arrives and only those volumes are kept:
 * memory grows with what the check reports, not with every volume in the region.
 */
export async function listVolumes(
  client: AwsClientConfig,
  signal: AbortSignal,
  gp2 = false,
): Promise<IdleVolume[]> {
  const onlyAvailable = !gp2;
  const wanted = (state?: string, type?: string): boolean =>
    state === 'available' || (gp2 && type === 'gp2' && state === 'in-use');
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
        if (!v.VolumeId || !wanted(v.State, v.VolumeType) || isIgnored(v.Tags)) continue;
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
