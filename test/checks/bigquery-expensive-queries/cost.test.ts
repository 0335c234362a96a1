import { sqlExcerpt } from '../../../src/core/redact';
import {
  costUsd,
  formatBytes,
  jobUrl,
  jobCostUsd,
  severityOf,
  slotCostUsd,
  thresholdBytes,
  thresholdSlotMs,
} from '../../../checks/bigquery-expensive-queries/format';
import { jobsSql, locationOf, readListing } from '../../../checks/bigquery-expensive-queries/query';
import { BigQueryExpensiveQueriesConfig } from '../../../checks/bigquery-expensive-queries/schema';

const TiB = 2 ** 40;

describe('cost maths', () => {
  it.each([
    [2 * TiB, 6.25, 12.5],
    [TiB / 2, 6.25, 3.125],
    [0, 6.25, 0],
    [TiB, 7.5, 7.5],
  ])('%d bytes at $%d/TiB cost $%d', (bytes, price, cost) => {
    expect(costUsd(bytes, price)).toBe(cost);
  });

  it('puts the byte threshold just below the first byte that costs more than the threshold', () => {
    const bytes = thresholdBytes(5, 6.25);

    expect(bytes).toBe(879_609_302_220); // 5 / 6.25 TiB = 0.8 TiB
    expect(costUsd(bytes, 6.25)).toBeLessThanOrEqual(5);
    expect(costUsd(bytes + 1, 6.25)).toBeGreaterThan(5);
  });

  it.each([
    [3_600_000, 0.06, 0.06],
    [200 * 3_600_000, 0.06, 12],
    [1_800_000, 0.1, 0.05],
  ])('%d slot-ms at $%d/slot-hour cost $%d', (slotMs, price, cost) => {
    expect(slotCostUsd(slotMs, price)).toBeCloseTo(cost, 10);
  });

  it('puts the slot threshold at the most slot time that costs no more than the threshold', () => {
    const slotMs = thresholdSlotMs(5, 0.06);

    expect(slotMs).toBe(300_000_000); // 5 / 0.06 = 83.3 slot-hours
    expect(slotCostUsd(slotMs, 0.06)).toBeLessThanOrEqual(5);
    expect(slotCostUsd(slotMs + 1, 0.06)).toBeGreaterThan(5);
  });

  it('prices a reservation job by its slot time and an on-demand job by its bytes, never the other way', () => {
    const job = { jobId: 'j', userEmail: 'a@x', query: '', bytesBilled: 40 * TiB, slotMs: 200 * 3_600_000 };
    const prices = { pricePerTiB: 6.25, slotHourUsd: 0.06 };

    expect(jobCostUsd(job, prices)).toBe(250);
    expect(jobCostUsd({ ...job, reservationId: 'admin:US.etl' }, prices)).toBeCloseTo(12, 10);
  });

  it('is critical above 10 × the threshold, a warning up to it', () => {
    expect([severityOf(50, 5), severityOf(50.01, 5)]).toEqual(['warning', 'critical']);
  });

  it.each([
    [512, '512 B'],
    [1.98 * TiB, '1.98 TiB'],
    [300 * 2 ** 30, '300.00 GiB'],
  ])('formats %d bytes as %s', (bytes, text) => {
    expect(formatBytes(bytes)).toBe(text);
  });

  it('cuts SQL longer than the limit with an ellipsis, keeping the limit', () => {
    expect([sqlExcerpt('abcdef', 6), sqlExcerpt('abcdefg', 6)]).toEqual(['abcdef', 'abcde…']);
  });

  it('links the job page of the console', () => {
    expect(jobUrl('p-1', 'US', 'bquxjob_1')).toBe(
      'https://console.cloud.google.com/bigquery?project=p-1&j=bq:US:bquxjob_1&page=queryresults',
    );
  });
});

describe('listing', () => {
  it.each([
    ['region-us', 'US'],
    ['region-eu', 'EU'],
    ['region-asia-northeast3', 'asia-northeast3'],
  ])('runs the listing of %s in location %s', (region, location) => {
    expect(locationOf(region)).toBe(location);
  });

  it('looks 10 minutes behind the watermark, filters creation_time 6 hours before that, totals only after it', () => {
    const sql = jobsSql('my-project', 'region-us', 1_000_000_000_000_000, 42, 7);

    expect(sql).toContain(
      'WHERE creation_time > TIMESTAMP_MICROS(999977800000000) AND end_time > TIMESTAMP_MICROS(999999400000000)',
    );
    // Its totals leave out the jobs that waited in the queue: the queued pass counts those.
    expect(sql).toContain(
      'FROM seen WHERE end_micros > 1000000000000000 AND end_micros - created_micros <= 21600000000',
    );
    expect(sql).toContain('FROM `my-project`.`region-us`.INFORMATION_SCHEMA.JOBS_BY_PROJECT');
    expect(sql).toContain(
      'WHERE (reservation_id IS NULL AND bytes_billed > 42) OR (reservation_id IS NOT NULL AND slot_ms > 7)',
    );
    expect(sql).toContain('IFNULL(total_slot_ms, 0) AS slot_ms');
  });

  it('lists the jobs that waited in the queue over 54 hours of creation_time, totalling them up to its bound', () => {
    const sql = jobsSql('my-project', 'region-us', 1_000_000_000_000_000, 42, 7, {
      kind: 'queued',
      untilMicros: 1_000_003_000_000_000,
    });

    // 48 hours of queue and 6 of running before 10 minutes behind the watermark.
    expect(sql).toContain(
      'WHERE creation_time > TIMESTAMP_MICROS(999805000000000) AND end_time > TIMESTAMP_MICROS(999999400000000)',
    );
    expect(sql).toContain('AND UNIX_MICROS(end_time) - UNIX_MICROS(creation_time) > 21600000000\n');
    expect(sql).toContain('FROM seen WHERE end_micros > 1000000000000000 AND end_micros <= 1000003000000000');
    expect(sql).not.toContain('created_micros <=');
  });

  it('lists no reservation job as expensive without a slot threshold (reservations: skip)', () => {
    const sql = jobsSql('my-project', 'region-us', 1_000_000_000_000_000, 42);

    expect(sql).toContain('FROM seen WHERE (reservation_id IS NULL AND bytes_billed > 42)\n');
    expect(sql).not.toContain('slot_ms >');
  });

  it('reads the expensive jobs and the totals row', () => {
    const listing = readListing([
      {
        total: false,
        job_id: 'j1',
        user_email: 'a@x',
        query: 'SELECT 1',
        reservation_id: null,
        bytes_billed: 9,
        slot_ms: 4,
        end_micros: 5,
        job_count: 1,
      },
      {
        total: false,
        job_id: 'j2',
        user_email: 'b@x',
        query: 'SELECT 2',
        reservation_id: 'admin:US.etl',
        bytes_billed: 1,
        slot_ms: 8,
        end_micros: 6,
        job_count: 1,
      },
      {
        total: true,
        job_id: null,
        user_email: null,
        query: null,
        reservation_id: null,
        bytes_billed: 12,
        slot_ms: 30,
        end_micros: 7,
        job_count: 3,
      },
    ]);

    expect(listing).toEqual({
      expensive: [
        { jobId: 'j1', userEmail: 'a@x', query: 'SELECT 1', bytesBilled: 9, slotMs: 4 },
        {
          jobId: 'j2',
          userEmail: 'b@x',
          query: 'SELECT 2',
          bytesBilled: 1,
          slotMs: 8,
          reservationId: 'admin:US.etl',
        },
      ],
      jobs: 3,
      bytesBilled: 12,
      reservationSlotMs: 30,
      lastEndMicros: 7,
    });
  });
});

describe('config', () => {
  const base = { connection: 'bq', projects: ['my-project'], regions: ['region-asia-northeast3'] };

  it('defaults to the on-demand and Enterprise slot-hour prices, a $5 threshold, 1h lookback and 1000 SQL characters', () => {
    expect(BigQueryExpensiveQueriesConfig.parse(base)).toEqual({
      ...base,
      thresholdUsd: 5,
      pricePerTiB: 6.25,
      slotHourUsd: 0.06,
      reservations: 'price',
      lookback: 3_600_000,
      maxSqlChars: 1000,
    });
  });

  it.each([['asia-northeast3'], ['region-'], ['region-asia-northeast3`; DROP']])(
    'rejects the region %s',
    (region) => {
      expect(BigQueryExpensiveQueriesConfig.safeParse({ ...base, regions: [region] }).success).toBe(false);
    },
  );

  it('rejects a project id that is not one (it is quoted into SQL)', () => {
    expect(BigQueryExpensiveQueriesConfig.safeParse({ ...base, projects: ['my`project'] }).success).toBe(
      false,
    );
  });
});
