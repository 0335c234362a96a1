import {
  gp3MonthlySaving,
  intelligentTieringSaving,
  s3StandardMonthlyCost,
  ebsMonthlyCost,
  ELASTIC_IP_MONTHLY_USD,
  type EbsVolumeSpec,
  type MonthlyCost,
} from '../../src/aws/prices';

describe('ebsMonthlyCost', () => {
  it.each<[string, EbsVolumeSpec, MonthlyCost]>([
    [
      // 100 GiB × 0.08 + 1,000 IOPS × 0.005 + 125 MiB/s × 0.04 above the gp3 baseline (3,000 IOPS, 125 MiB/s)
      'prices gp3 in us-east-1 with IOPS and throughput above the baseline',
      { region: 'us-east-1', volumeType: 'gp3', sizeGiB: 100, iops: 4000, throughputMiBps: 250 },
      { usd: 18 },
    ],
    [
      'charges gp3 at the baseline for size only',
      { region: 'us-east-1', volumeType: 'gp3', sizeGiB: 10, iops: 3000, throughputMiBps: 125 },
      { usd: 0.8 },
    ],
    [
      'prices gp2 in Seoul by size',
      { region: 'ap-northeast-2', volumeType: 'gp2', sizeGiB: 50 },
      { usd: 5.7 },
    ],
    [
      'gives no number for io1 in Seoul, whose price is unconfirmed, and says why',
      { region: 'ap-northeast-2', volumeType: 'io1', sizeGiB: 100, iops: 1000 },
      { unpriced: 'io1 price in ap-northeast-2 is unconfirmed (sources say 0.1278 or 0.142 $/GB-month)' },
    ],
    [
      // 100 GiB × 0.0912 + 3,000 IOPS × 0.0057 + 125 MiB/s × 0.0456 above the baseline
      'prices gp3 above the baseline in Seoul',
      { region: 'ap-northeast-2', volumeType: 'gp3', sizeGiB: 100, iops: 6000, throughputMiBps: 250 },
      { usd: 31.92 },
    ],
    [
      'gives no number for a region not in the table',
      { region: 'eu-west-1', volumeType: 'gp3', sizeGiB: 100 },
      { unpriced: 'no list price for gp3 in eu-west-1 in the price table' },
    ],
  ])('%s', (_name, volume, expected) => {
    const cost = ebsMonthlyCost(volume);

    expect(cost).toEqual(expected);
  });
});

describe('ELASTIC_IP_MONTHLY_USD', () => {
  it('is $0.005 per hour over a 730-hour month', () => {
    expect(ELASTIC_IP_MONTHLY_USD).toBeCloseTo(3.65, 10);
  });
});

describe('gp3MonthlySaving', () => {
  it.each([
    // size, gp3 IOPS, gp3 MiB/s, gp2 $, gp3 $, saving $
    [100, 3000, 125, 10, 8, 2],
    [1, 3000, 125, 0.1, 0.08, 0.02],
    [200, 3000, 150, 20, 17, 3],
    [1000, 3000, 250, 100, 85, 15],
    [2000, 6000, 250, 200, 180, 20],
    [16384, 16000, 250, 1638.4, 1380.72, 257.68],
  ])(
    'prices a %i GiB gp2 volume against gp3 at its baseline (%i IOPS, %i MiB/s) in us-east-1',
    (size, iops, throughput, gp2, gp3, saving) => {
      expect(gp3MonthlySaving('us-east-1', size)).toEqual({
        gp2Usd: gp2,
        gp3Usd: gp3,
        savingUsd: saving,
        iops,
        throughputMiBps: throughput,
      });
    },
  );

  it('prices a large Seoul volume, whose gp3 twin needs throughput above the baseline (1,000 GiB)', () => {
    // gp2: 1,000 × 0.114; gp3: 1,000 × 0.0912 + (250 − 125) MiB/s × 0.0456
    expect(gp3MonthlySaving('ap-northeast-2', 1000)).toEqual({
      gp2Usd: 114,
      gp3Usd: 96.9,
      savingUsd: 17.1,
      iops: 3000,
      throughputMiBps: 250,
    });
  });

  it('prices a small Seoul volume, which needs no gp3 extras', () => {
    expect(gp3MonthlySaving('ap-northeast-2', 100)).toMatchObject({
      gp2Usd: 11.4,
      gp3Usd: 9.12,
      savingUsd: 2.28,
    });
  });
});

describe('S3 prices per region', () => {
  const GiB = 1024 ** 3;

  it.each([
    // region, Standard $ for 1,000 GiB, saving of 1,000 GiB in 1,000,000 objects, half not read
    ['us-east-1', 23, 2.75],
    ['ap-northeast-2', 25, 3.1],
    ['eu-central-1', 24.5, 3],
  ])('prices S3 Standard and the Intelligent-Tiering saving in %s', (region, standard, saving) => {
    expect(s3StandardMonthlyCost(region, 1000 * GiB)).toEqual({ usd: standard });
    expect(intelligentTieringSaving(region, 1000 * GiB, 1_000_000, 0.5)).toEqual({ usd: saving });
  });

  it('gives no number for a region not in the table, and says so', () => {
    expect(s3StandardMonthlyCost('sa-east-1', GiB)).toEqual({
      unpriced: 'no S3 list price for sa-east-1 in the price table',
    });
  });
});
