import type { Finding } from '../../src/core/types';
import type { Severity } from '../../src/core/severity';
import { formatUsd } from '../../src/aws/idle';
import { elasticIpUrl } from '../../src/aws/links';
import { ELASTIC_IP_MONTHLY_USD, PRICE_BASIS } from '../../src/aws/prices';
import type { AwsTarget } from '../../src/aws/types';
import type { IdleAddress } from './query';

/**
 * BYOIP addresses are exempt from the public IPv4 charge: they cost $0, a known price (a message's total used to
 * count them "without a list price", and a cleanup plan said "price unknown").
 */
export function addressMonthlyCost(address: IdleAddress): number {
  return address.pool === 'amazon' ? ELASTIC_IP_MONTHLY_USD : 0;
}

export function idleAddressFinding(target: AwsTarget, address: IdleAddress, severity: Severity): Finding {
  const usd = addressMonthlyCost(address);
  const byoip = address.pool !== 'amazon';
  const price = byoip ? 'BYOIP, no IPv4 charge' : `${formatUsd(usd)}/month`;
  const costLine = byoip
    ? `It comes from your own pool ${address.pool} (BYOIP), which AWS does not charge for.`
    : `Costs ${formatUsd(usd)}/month ($0.005/hour × 730 h) at the ${PRICE_BASIS}; releasing it saves all of it.`;
  return {
    key: address.allocationId,
    severity,
    title: `Elastic IP ${address.publicIp} in ${target.region} is associated with nothing — ${price}`,
    summary: `Account ${target.accountId}. ${costLine} Tag it guardrail:ignore=true to keep it on purpose.`,
    resource: {
      allocationId: address.allocationId,
      publicIp: address.publicIp,
      accountId: target.accountId,
      region: target.region,
      publicIpv4Pool: address.pool,
      tags: address.tags,
    },
    labels: { account: target.accountId, region: target.region },
    metrics: { monthlyCostUsd: usd },
    links: [{ label: 'Elastic IP', url: elasticIpUrl(target.region, address.allocationId) }],
  };
}
