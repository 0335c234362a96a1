import * as z from '../../src/core/zod';
import { SeveritySchema } from '../../src/core/fields';

export const IdleElasticIpsConfig = z.strictObject({
  /** @default 'warning' */
  severity: SeveritySchema.default('warning').describe('severity of the findings'),
});
export type IdleElasticIpsConfig = z.infer<typeof IdleElasticIpsConfig>;
