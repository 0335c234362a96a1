import { withoutSdkLogging, type AwsClientConfig } from '../../src/aws/clients';
import { isIgnored, tagMap } from '../../src/aws/tags';

export interface IdleAddress {
  allocationId: string;
  publicIp: string;
  /** `amazon`, or the BYOIP pool id (BYOIP addresses carry no public IPv4 charge). */
  pool: string;
  tags: Record<string, string>;
}

/** Elastic IPs with no association (not on an instance or network interface), minus guardrail:ignore=true. */
export async function listIdleAddresses(
  client: AwsClientConfig,
  signal: AbortSignal,
): Promise<IdleAddress[]> {
  const { EC2Client, DescribeAddressesCommand } = await import('../../src/aws/sdk/ec2.js');
  const ec2 = withoutSdkLogging(new EC2Client(client));
  try {
    // DescribeAddresses has no pagination: one call returns every address of the region.
    const out = await ec2.send(new DescribeAddressesCommand({}), { abortSignal: signal });
    return (out.Addresses ?? []).flatMap((a) => {
      const attached = a.AssociationId || a.InstanceId || a.NetworkInterfaceId;
      if (attached || isIgnored(a.Tags)) return [];
      return [
        {
          allocationId: a.AllocationId ?? a.PublicIp ?? 'unknown',
          publicIp: a.PublicIp ?? '',
          pool: a.PublicIpv4Pool ?? 'amazon',
          tags: tagMap(a.Tags),
        },
      ];
    });
  } finally {
    ec2.destroy();
  }
}
