import * as z from '../../src/core/zod';
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
  /** Also report gp2 volumes, attached or not, with the monthly saving of gp3 at the same performance. @default true */
  gp2: z
    .boolean()
    .default(true)
    .describe('also report gp2 volumes (attached or not) with the monthly saving of gp3'),
});
export type IdleEbsVolumesConfig = z.infer<typeof IdleEbsVolumesConfig>;
