import type { Measurement, MeasurementDeclaration } from '../core/types';
import type { AwsTarget } from './types';
import { roundCents } from './prices';

/** What the idle-resource checks measure per account × region (`idleMeasurements`). */
export const IDLE_MEASUREMENTS: readonly MeasurementDeclaration[] = [
  {
    name: 'idle_monthly_cost_usd',
    help: 'List-price $/month of the idle resources found, per account, region and resource type.',
    labels: ['account', 'region', 'resource_type'],
    type: 'gauge',
  },
  {
    name: 'idle_resources',
    help: 'Idle resources found, per account, region and resource type.',
    labels: ['account', 'region', 'resource_type'],
    type: 'gauge',
  },
  {
    name: 'idle_unpriced_resources',
    help: 'Idle resources found without a list price (not in the $/month total).',
    labels: ['account', 'region', 'resource_type'],
    type: 'gauge',
  },
  {
    name: 'idle_subtype_monthly_cost_usd',
    help: 'List-price $/month of the idle resources per subtype (e.g. EBS volume type).',
    labels: ['account', 'region', 'resource_type', 'subtype'],
    type: 'gauge',
  },
  {
    name: 'idle_subtype_resources',
    help: 'Idle resources per subtype (e.g. EBS volume type).',
    labels: ['account', 'region', 'resource_type', 'subtype'],
    type: 'gauge',
  },
];

/** One idle resource's contribution to the waste gauges; `usd` undefined = not priced. */
export interface IdleCost {
  usd: number | undefined;
  /** Optional breakdown label (EBS volume type). */
  subtype?: string;
}

/**
 * `idle_monthly_cost_usd` and `idle_resources` per scanned account × region (zeros included, so a cleaned-up
 * region drops to 0 rather than keeping its last value), plus a per-subtype breakdown when given.
 */
export function idleMeasurements(
  checkId: string,
  resourceType: string,
  scans: { target: AwsTarget; costs: IdleCost[] }[],
): Measurement[] {
  const out: Measurement[] = [];
  for (const { target, costs } of scans) {
    const labels = {
      check: checkId,
      account: target.accountId,
      region: target.region,
      resource_type: resourceType,
    };
    out.push({ name: 'idle_monthly_cost_usd', value: total(costs), labels });
    out.push({ name: 'idle_resources', value: costs.length, labels });
    out.push({
      name: 'idle_unpriced_resources',
      value: costs.filter((c) => c.usd === undefined).length,
      labels,
    });
    const subtypes = [...new Set(costs.flatMap((c) => (c.subtype ? [c.subtype] : [])))].sort();
    for (const subtype of subtypes) {
      const of = costs.filter((c) => c.subtype === subtype);
      const sub = { ...labels, subtype };
      out.push({ name: 'idle_subtype_monthly_cost_usd', value: total(of), labels: sub });
      out.push({ name: 'idle_subtype_resources', value: of.length, labels: sub });
    }
  }
  return out;
}

function total(costs: IdleCost[]): number {
  return roundCents(costs.reduce((sum, c) => sum + (c.usd ?? 0), 0));
}

export function formatUsd(usd: number): string {
  return `$${usd.toFixed(2)}`;
}
