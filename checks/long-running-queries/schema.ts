import * as z from '../../src/core/zod';
import { duration, SeveritySchema } from '../../src/core/fields';

/** Shortest threshold: the check runs on a schedule of minutes, and shorter queries are routine. */
export const MIN_THRESHOLD_MS = 60_000;
/** DESIGN.md §1: the team wants to hear about warehouse queries running longer than an hour. */
export const DEFAULT_THRESHOLD_MS = 3_600_000;

export const LongRunningQueriesConfig = z.strictObject({
  /** Connection name (`connections:`); postgres or redshift. */
  connection: z.string().min(1).describe('a postgres or redshift connection'),
  /** A query running longer than this is reported; at least 1m. @default 1h */
  threshold: duration({ min: MIN_THRESHOLD_MS })
    .default(DEFAULT_THRESHOLD_MS)
    .describe('a query running longer than this is reported'),
  /** Queries to leave out, e.g. a nightly ETL user whose long loads are expected. */
  exclude: z
    .strictObject({ users: z.array(z.string().min(1)).default([]) })
    .optional()
    .describe('queries to leave out: { users: [...] }, e.g. a nightly ETL user'),
  /** @default 'warning' */
  severity: SeveritySchema.default('warning').describe('severity of the findings'),
});
export type LongRunningQueriesConfig = z.infer<typeof LongRunningQueriesConfig>;
