import { z } from 'zod';
import { SeveritySchema } from '../../src/config/fields';

export const IdleElasticIpsConfig = z.strictObject({
  /** @default 'warning' */
  severity: SeveritySchema.default('warning'),
});
export type IdleElasticIpsConfig = z.infer<typeof IdleElasticIpsConfig>;
