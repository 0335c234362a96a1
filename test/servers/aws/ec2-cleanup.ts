import type { FakeRegion, FakeSnapshot, Faults } from './world';
import { el, ec2Error, tagSet } from './xml';
import { filters } from './ec2';
import type { Reply } from './reply';

const NS = 'http://ec2.amazonaws.com/doc/2016-11-15/';

function envelope(action: string, inner: string): Reply {
  const body = `<?xml version="1.0" encoding="UTF-8"?><${action}Response xmlns="${NS}"><requestId>req-1</requestId>${inner}</${action}Response>`;
  return { status: 200, headers: { 'content-type': 'text/xml;charset=UTF-8' }, body };
}

const notFound = (code: string, id: string): Reply => ({
  status: 400,
  headers: { 'content-type': 'text/xml' },
  body: ec2Error(code, `The ${code.split('.')[0]} '${id}' does not exist.`),
});

/** `Prefix.1`, `Prefix.2`, ... values of a query request. */
export function listParam(params: URLSearchParams, prefix: string): string[] {
  return [...params].filter(([k]) => new RegExp(`^${prefix}\\.\\d+$`).test(k)).map(([, v]) => v);
}

/** `Tag.N.Key` / `Tag.N.Value` pairs under `prefix` (e.g. `Tag` or `TagSpecification.1.Tag`). */
function tagsParam(params: URLSearchParams, prefix: string): Record<string, string> {
  const tags: Record<string, string> = {};
  for (const [k, v] of params) {
    const m = new RegExp(`^${prefix.replace(/\./g, '\\.')}\\.(\\d+)\\.Key$`).exec(k);
    if (m) tags[v] = params.get(`${prefix}.${m[1]}.Value`) ?? '';
  }
  return tags;
}

/** The volume, address or snapshot `id` names, whose tags CreateTags and DeleteTags change. */
function taggable(data: FakeRegion, id: string): { tags?: Record<string, string> } | undefined {
  return (
    data.volumes.find((v) => v.id === id) ??
    data.addresses.find((a) => a.allocationId === id) ??
    data.snapshots?.find((s) => s.id === id)
  );
}

/** The EC2 calls `guardrail cleanup` makes; they change the region's estate in place. */
export function ec2Cleanup(
  action: string,
  data: FakeRegion,
  params: URLSearchParams,
  faults: Faults,
): Reply | undefined {
  switch (action) {
    case 'ec2:CreateTags': {
      const tags = tagsParam(params, 'Tag');
      for (const id of listParam(params, 'ResourceId')) {
        const target = taggable(data, id);
        if (!target) return notFound(id.startsWith('vol-') ? 'InvalidVolume.NotFound' : 'InvalidID', id);
        target.tags = { ...target.tags, ...tags };
      }
      return envelope('CreateTags', '<return>true</return>');
    }
    case 'ec2:CreateSnapshot': {
      const volumeId = params.get('VolumeId') ?? '';
      if (!data.volumes.some((v) => v.id === volumeId)) return notFound('InvalidVolume.NotFound', volumeId);
      const snapshot: FakeSnapshot = {
        id: `snap-${(data.snapshots?.length ?? 0) + 1}`,
        volumeId,
        state: 'pending',
        tags: tagsParam(params, 'TagSpecification.1.Tag'),
        fails: faults.failSnapshot.has(volumeId),
        pendingFor: faults.slowSnapshot.get(volumeId) ?? 0,
      };
      data.snapshots = [...(data.snapshots ?? []), snapshot];
      return envelope(
        'CreateSnapshot',
        `${el('snapshotId', snapshot.id)}${el('volumeId', volumeId)}${el('status', 'pending')}${tagSet(snapshot.tags)}`,
      );
    }
    case 'ec2:DescribeSnapshots': {
      // By id, or by filters (volume-id, tag:KEY) over the snapshots the caller owns (Owner.1=self).
      const ids = listParam(params, 'SnapshotId');
      const wanted = filters(params);
      const owners = listParam(params, 'Owner');
      if (!ids.length && !owners.includes('self'))
        throw new Error(
          'fake EC2: DescribeSnapshots without ids lists public snapshots too; ask for OwnerIds self',
        );
      const matches = (s: FakeSnapshot) =>
        [...wanted].every(([name, values]) =>
          name === 'volume-id'
            ? values.includes(s.volumeId)
            : name.startsWith('tag:')
              ? values.includes(s.tags?.[name.slice(4)] ?? '\u0000')
              : false,
        );
      const items = (data.snapshots ?? []).filter((s) => (ids.length ? ids.includes(s.id) : matches(s)));
      const xml = items.map((s) => {
        const shown = s.state;
        // Pending once (or as many more times as `pendingFor`), then done (or failed): the client has to poll.
        if (s.state === 'pending' && (s.pendingFor ?? 0) > 0) s.pendingFor = (s.pendingFor ?? 0) - 1;
        else if (s.state === 'pending') {
          s.state = s.fails ? 'error' : 'completed';
          const added = faults.tagDuringSnapshot.get(s.volumeId);
          const volume = data.volumes.find((v) => v.id === s.volumeId);
          if (added && volume) volume.tags = { ...volume.tags, ...added };
        }
        return `<item>${el('snapshotId', s.id)}${el('volumeId', s.volumeId)}${el('status', shown)}${tagSet(s.tags)}</item>`;
      });
      return envelope('DescribeSnapshots', `<snapshotSet>${xml.join('')}</snapshotSet>`);
    }
    case 'ec2:DeleteTags': {
      // Tag.N.Key, with Tag.N.Value deleting it only where it has that value; no tag at all deletes every tag.
      const named = [...params].flatMap(([k, key]) => {
        const n = /^Tag\.(\d+)\.Key$/.exec(k)?.[1];
        return n === undefined ? [] : [{ key, value: params.get(`Tag.${n}.Value`) ?? undefined }];
      });
      const gone = ([k, v]: [string, string]) =>
        !named.length || named.some((t) => t.key === k && (t.value === undefined || t.value === v));
      for (const id of listParam(params, 'ResourceId')) {
        const target = taggable(data, id);
        if (!target) return notFound(id.startsWith('vol-') ? 'InvalidVolume.NotFound' : 'InvalidID', id);
        target.tags = Object.fromEntries(Object.entries(target.tags ?? {}).filter((tag) => !gone(tag)));
      }
      return envelope('DeleteTags', '<return>true</return>');
    }
    case 'ec2:DeleteVolume': {
      const id = params.get('VolumeId') ?? '';
      const volume = data.volumes.find((v) => v.id === id);
      if (!volume) return notFound('InvalidVolume.NotFound', id);
      if (volume.state !== 'available') {
        return {
          status: 400,
          headers: { 'content-type': 'text/xml' },
          body: ec2Error('VolumeInUse', `${id} is in use`),
        };
      }
      data.volumes = data.volumes.filter((v) => v !== volume);
      return envelope('DeleteVolume', '<return>true</return>');
    }
    case 'ec2:ReleaseAddress': {
      const id = params.get('AllocationId') ?? '';
      if (!data.addresses.some((a) => a.allocationId === id))
        return notFound('InvalidAllocationID.NotFound', id);
      data.addresses = data.addresses.filter((a) => a.allocationId !== id);
      return envelope('ReleaseAddress', '<return>true</return>');
    }
    default:
      return undefined;
  }
}
