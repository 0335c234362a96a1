import * as z from '../../src/core/zod';
import { duration } from '../../src/core/fields';

/**
 * BigQuery on-demand list price, USD per TiB billed (checked 2026-11; regions differ, so it is configurable).
 * @see https://cloud.google.com/bigquery/pricing#on_demand_pricing
 */
export const ON_DEMAND_USD_PER_TIB = 6.25;
/**
 * BigQuery Enterprise edition pay-as-you-go list price in the US multi-region, USD per slot-hour (checked
 * 2026-12; Standard is 0.04, Enterprise Plus 0.10, other regions and commitments differ, so it is configurable).
 * @see https://cloud.google.com/bigquery/pricing#capacity_compute_analysis_pricing
 */
export const ENTERPRISE_PAYG_USD_PER_SLOT_HOUR = 0.06;
/** The cost above which a query is reported (DESIGN.md §1). */
export const DEFAULT_THRESHOLD_USD = 5;

/** `region-us`, `region-eu` or `region-<area>-<place><n>` (e.g. `region-asia-northeast3`), as in INFORMATION_SCHEMA paths. */
const REGION = /^region-(us|eu|[a-z]+-[a-z]+\d+)$/;
/** A GCP project id: 6–30 lowercase letters, digits and hyphens, starting with a letter. */
const PROJECT = /^[a-z][a-z0-9-]{4,28}[a-z0-9]$/;

export const BigQueryExpensiveQueriesConfig = z.strictObject({
  /** Name of a `bigquery` connection; its projectId runs the agent's query, its byte budget caps it. */
  connection: z
    .string()
    .min(1)
    .describe('a bigquery connection: runs the agent’s query, its byte budget caps it'),
  /** Report a query whose bytes billed cost more than this. @default 5 */
  thresholdUsd: z
    .number()
    .positive()
    .default(DEFAULT_THRESHOLD_USD)
    .describe('report a query whose bytes billed cost more than this, USD'),
  /** USD per TiB billed. @default 6.25 (on-demand list price) */
  pricePerTiB: z
    .number()
    .positive()
    .default(ON_DEMAND_USD_PER_TIB)
    .describe('USD per TiB billed (on-demand list price)'),
  /** USD per slot-hour, to estimate what a job run in a reservation cost. @default 0.06 (Enterprise, US) */
  slotHourUsd: z
    .number()
    .positive()
    .default(ENTERPRISE_PAYG_USD_PER_SLOT_HOUR)
    .describe('USD per slot-hour, to price jobs run in a reservation'),
  /**
   * Jobs run in a reservation are billed by slot time, not bytes: `price` estimates them at `slotHourUsd`,
   * `skip` leaves them out of the findings and the cost counter. @default price
   */
  reservations: z
    .enum(['price', 'skip'])
    .default('price')
    .describe('jobs run in a reservation: price them at slotHourUsd, or skip them'),
  /** Projects whose jobs are listed (JOBS_BY_PROJECT of each). */
  projects: z
    .array(z.string().regex(PROJECT, 'must be a GCP project id, e.g. my-project'))
    .min(1, 'list at least one project')
    .describe('projects whose jobs are listed (JOBS_BY_PROJECT of each)'),
  /** Regions, as INFORMATION_SCHEMA qualifiers: `region-asia-northeast3`, `region-us`. */
  regions: z
    .array(z.string().regex(REGION, 'must be a region qualifier, e.g. region-asia-northeast3 or region-us'))
    .min(1, 'list at least one region')
    .describe('INFORMATION_SCHEMA region qualifiers, e.g. region-asia-northeast3'),
  /** How far back the first run looks; later runs continue where the last one stopped. @default 1h */
  lookback: duration({ min: 60_000 })
    .default(60 * 60_000)
    .describe('how far back the first run looks; later runs continue where the last stopped'),
  /** The SQL shown in a finding is cut at this many characters. @default 1000 */
  maxSqlChars: z
    .number()
    .int()
    .min(20)
    .default(1000)
    .describe('the SQL shown in a finding is cut at this many characters'),
});
export type BigQueryExpensiveQueriesConfig = z.infer<typeof BigQueryExpensiveQueriesConfig>;
