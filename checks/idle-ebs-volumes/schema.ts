import { z } from 'zod';
import { SeveritySchema } from '../../src/core/fields';

export const IdleEbsVolumesConfig = z.strictObject({
  /** Report a volume only after it has been seen unattached this many days in a row. @default 0 */
  minIdleDays: z
    .number()
    .min(0)
    .default(0)
    .describe('report a volume once seen unattached this many days in a row'),
  /** @default 'warning' */
  severity: SeveritySchema.default('warning').describe('severity of the findings'),
});
export type IdleEbsVolumesConfig = z.infer<typeof IdleEbsVolumesConfig>;
