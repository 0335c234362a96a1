import { describeAddresses, describeVolumes, prerender } from './ec2';
import { emptyRegion, type FakeRegion } from './world';

const region: FakeRegion = {
  ...emptyRegion(),
  volumes: [
    { id: 'vol-1', sizeGiB: 10, type: 'gp3', state: 'available', tags: { team: 'data' } },
    { id: 'vol-2', sizeGiB: 20, type: 'gp2', state: 'in-use' },
    { id: 'vol-3', sizeGiB: 30, type: 'io1', state: 'available', iops: 100 },
  ],
  addresses: [{ allocationId: 'eipalloc-1', publicIp: '198.51.100.1' }],
};

describe('fake EC2, frozen (item XML rendered up front)', () => {
  it.each([
    ['first filtered page', 'Filter.1.Name=status&Filter.1.Value.1=available&MaxResults=1'],
    ['second filtered page', 'Filter.1.Name=status&Filter.1.Value.1=available&MaxResults=1&NextToken=1'],
    ['unfiltered', 'MaxResults=5'],
  ])('answers DescribeVolumes (%s) exactly as a live server does', (_name, query) => {
    const params = new URLSearchParams(query);

    const frozen = describeVolumes('us-east-1', region, params, prerender('us-east-1', region));

    expect(frozen).toEqual(describeVolumes('us-east-1', region, params));
  });

  it('answers DescribeAddresses exactly as a live server does', () => {
    expect(describeAddresses(region, prerender('us-east-1', region))).toEqual(describeAddresses(region));
  });
});
