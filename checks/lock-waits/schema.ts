import * as z from '../../src/core/zod';
import { duration, SeveritySchema } from '../../src/core/fields';

/** Shortest wait worth an alert: row locks are routinely held for seconds by ordinary writes. */
export const MIN_WAIT_MS = 10_000;
/** DESIGN.md §4 `dw-locks`. */
export const DEFAULT_MIN_WAIT_MS = 300_000;

export const LockWaitsConfig = z.strictObject({
  /** Connection name (`connections:`); postgres or redshift. */
  connection: z.string().min(1).describe('a postgres or redshift connection'),
  /** Report a session once another has waited on its locks longer than this; at least 10s. @default 5m */
  minWait: duration({ min: MIN_WAIT_MS })
    .default(DEFAULT_MIN_WAIT_MS)
    .describe('report a session once another has waited on its locks longer than this'),
  /** @default 'warning' */
  severity: SeveritySchema.default('warning').describe('severity of the findings'),
});
export type LockWaitsConfig = z.infer<typeof LockWaitsConfig>;
