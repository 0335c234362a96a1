import { withoutSdkLogging, type AwsClientConfig } from '../../src/aws/clients';
import { PageTokens } from '../../src/aws/pages';
import { isIgnored, tagMap } from '../../src/aws/tags';

/** DescribeVolumes' largest page. @see https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_DescribeVolumes.html */
export const DESCRIBE_VOLUMES_PAGE_SIZE = 500;

export interface IdleVolume {
  volumeId: string;
  volumeType: string;
  sizeGiB: number;
  iops?: number;
  throughputMiBps?: number;
  availabilityZone?: string;
  createdAt?: string;
  tags: Record<string, string>;
}

/** Volumes in state `available` (attached to nothing), minus those tagged guardrail:ignore=true. */
export async function listIdleVolumes(client: AwsClientConfig, signal: AbortSignal): Promise<IdleVolume[]> {
  const { EC2Client, DescribeVolumesCommand } = await import('../../src/aws/sdk/ec2.js');
  const ec2 = withoutSdkLogging(new EC2Client(client));
  const volumes: IdleVolume[] = [];
  try {
    const tokens = new PageTokens('ec2:DescribeVolumes');
    let nextToken: string | undefined;
    do {
      const page = await ec2.send(
        new DescribeVolumesCommand({
          Filters: [{ Name: 'status', Values: ['available'] }],
          MaxResults: DESCRIBE_VOLUMES_PAGE_SIZE,
          NextToken: nextToken,
        }),
        { abortSignal: signal },
      );
      for (const v of page.Volumes ?? []) {
        if (!v.VolumeId || v.State !== 'available' || isIgnored(v.Tags)) continue;
        volumes.push({
          volumeId: v.VolumeId,
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
