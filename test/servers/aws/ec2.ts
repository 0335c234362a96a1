import type { FakeAddress, FakeRegion, FakeVolume } from './world';
import { ec2Error, el, tagSet } from './xml';
import type { Reply } from './reply';

const NS = 'http://ec2.amazonaws.com/doc/2016-11-15/';
const CREATED = '2026-01-05T10:00:00.000Z';

function envelope(action: string, inner: string): Reply {
  const body = `<?xml version="1.0" encoding="UTF-8"?><${action}Response xmlns="${NS}"><requestId>req-1</requestId>${inner}</${action}Response>`;
  return { status: 200, headers: { 'content-type': 'text/xml;charset=UTF-8' }, body };
}

/** `Filter.N.Name` / `Filter.N.Value.M` query parameters as a map. */
export function filters(params: URLSearchParams): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const [key, name] of params) {
    const m = /^Filter\.(\d+)\.Name$/.exec(key);
    if (!m) continue;
    const values = [...params].filter(([k]) => k.startsWith(`Filter.${m[1]}.Value.`)).map(([, v]) => v);
    out.set(name, values);
  }
  return out;
}

/** A DescribeVolumes `<item>`; a frozen server renders each once (`prerender`). */
export function volumeItem(region: string, v: FakeVolume): string {
  return (
    `<item>${el('volumeId', v.id)}${el('size', v.sizeGiB)}<snapshotId/>${el('availabilityZone', `${region}a`)}` +
    `${el('status', v.state)}${el('createTime', CREATED)}<attachmentSet/>${tagSet(v.tags)}` +
    `${el('volumeType', v.type)}${el('iops', v.iops)}${el('throughput', v.throughput)}` +
    `${el('encrypted', false)}${el('multiAttachEnabled', false)}</item>`
  );
}

export function addressItem(a: FakeAddress): string {
  return (
    `<item>${el('publicIp', a.publicIp)}${el('allocationId', a.allocationId)}<domain>vpc</domain>` +
    `${el('associationId', a.associationId)}${el('instanceId', a.instanceId)}` +
    `${el('publicIpv4Pool', a.publicIpv4Pool ?? 'amazon')}${el('networkBorderGroup', 'x')}${tagSet(a.tags)}</item>`
  );
}

/** Item XML rendered ahead of time, index for index with the region's volumes and addresses. */
export interface RenderedRegion {
  volumes: string[];
  addresses: string[];
}

export function prerender(region: string, data: FakeRegion): RenderedRegion {
  return {
    volumes: data.volumes.map((v) => volumeItem(region, v)),
    addresses: data.addresses.map(addressItem),
  };
}

export function describeVolumes(
  region: string,
  data: FakeRegion,
  params: URLSearchParams,
  rendered?: RenderedRegion,
): Reply {
  const status = filters(params).get('status');
  const ids = [...params].filter(([k]) => /^VolumeId\.\d+$/.test(k)).map(([, v]) => v);
  const missing = ids.find((id) => !data.volumes.some((v) => v.id === id));
  if (missing) {
    return {
      status: 400,
      headers: { 'content-type': 'text/xml' },
      body: ec2Error('InvalidVolume.NotFound', `The volume '${missing}' does not exist.`),
    };
  }
  const matching = data.volumes.flatMap((v, i) =>
    (!status || status.includes(v.state)) && (ids.length === 0 || ids.includes(v.id)) ? [i] : [],
  );
  const max = Number(params.get('MaxResults') ?? 1000);
  const start = Number(params.get('NextToken') ?? 0);
  const page = matching.slice(start, start + max);
  const next = start + max < matching.length ? String(start + max) : undefined;
  const items = page.map((i) => rendered?.volumes[i] ?? volumeItem(region, data.volumes[i] as FakeVolume));
  return envelope('DescribeVolumes', `<volumeSet>${items.join('')}</volumeSet>${el('nextToken', next)}`);
}

export function describeAddresses(
  data: FakeRegion,
  rendered?: RenderedRegion,
  params?: URLSearchParams,
): Reply {
  const ids = [...(params ?? [])].filter(([k]) => /^AllocationId\.\d+$/.test(k)).map(([, v]) => v);
  const missing = ids.find((id) => !data.addresses.some((a) => a.allocationId === id));
  if (missing) {
    return {
      status: 400,
      headers: { 'content-type': 'text/xml' },
      body: ec2Error('InvalidAllocationID.NotFound', `The allocation ID '${missing}' does not exist`),
    };
  }
  const items =
    ids.length > 0
      ? data.addresses.filter((a) => ids.includes(a.allocationId)).map(addressItem)
      : (rendered?.addresses ?? data.addresses.map(addressItem));
  return envelope('DescribeAddresses', `<addressesSet>${items.join('')}</addressesSet>`);
}

export function describeRegions(regions: string[]): Reply {
  const items = regions.map(
    (r) =>
      `<item>${el('regionName', r)}${el('regionEndpoint', `ec2.${r}.amazonaws.com`)}${el('optInStatus', 'opt-in-not-required')}</item>`,
  );
  return envelope('DescribeRegions', `<regionInfo>${items.join('')}</regionInfo>`);
}
