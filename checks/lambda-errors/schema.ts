import * as z from '../../src/core/zod';
import { duration, SeveritySchema } from '../../src/core/fields';

const MINUTE_MS = 60_000;

export const LambdaErrorsConfig = z.strictObject({
  /** Look-back window, whole minutes (CloudWatch periods are multiples of 60 s). @default 15m */
  window: duration()
    .refine((ms) => ms >= MINUTE_MS && ms % MINUTE_MS === 0, {
      error: 'window must be whole minutes, at least 1m',
    })
    .default(15 * MINUTE_MS)
    .describe('look-back window, whole minutes'),
  /** Error rate (errors / invocations) at or above which a function is reported. @default 0.05 */
  errorRate: z
    .number()
    .min(0)
    .max(1)
    .default(0.05)
    .describe('error rate (errors / invocations) at or above which a function is reported'),
  /** …but only with at least this many errors in the window. @default 5 */
  minErrors: z.int().min(1).default(5).describe('…but only with at least this many errors in the window'),
  /** Throttled invocations in the window at or above which a function is reported. @default 1 */
  minThrottles: z
    .int()
    .min(1)
    .default(1)
    .describe('throttles in the window at or above which a function is reported'),
  /** Report functions whose longest invocation reached the configured timeout. @default true */
  timeouts: z
    .boolean()
    .default(true)
    .describe('report functions whose longest invocation reached their timeout'),
  /** Function-name glob patterns to check (picomatch); empty = all. */
  include: z.array(z.string().min(1)).default([]).describe('function-name globs to check; empty = all'),
  /** Function-name glob patterns to skip, applied after `include`. */
  exclude: z
    .array(z.string().min(1))
    .default([])
    .describe('function-name globs to skip, applied after include'),
  /** @default 'warning' */
  severity: SeveritySchema.default('warning').describe('severity of the findings'),
});
export type LambdaErrorsConfig = z.infer<typeof LambdaErrorsConfig>;
