import * as z from '../../src/core/zod';
import { SeveritySchema } from '../../src/core/fields';

export const S3StorageWasteConfig = z.strictObject({
  /** Report incomplete multipart uploads started at least this many days ago. @default 7 */
  minAgeDays: z
    .number()
    .min(0)
    .default(7)
    .describe('report incomplete multipart uploads at least this many days old'),
  /** Report a bucket without lifecycle or Intelligent-Tiering only above this many S3 Standard bytes. @default 100 GiB */
  minBytes: z
    .number()
    .min(0)
    .default(100 * 1024 ** 3)
    .describe('report a bucket without lifecycle or Intelligent-Tiering above this many Standard bytes'),
  /** Share of the Standard bytes assumed not read for 30 days, for the Intelligent-Tiering estimate. @default 0.5 */
  infrequentShare: z
    .number()
    .min(0)
    .max(1)
    .default(0.5)
    .describe('share of Standard bytes assumed unread for 30 days (Intelligent-Tiering estimate)'),
  /** Uploads sized per bucket with ListParts (the rest are counted, not sized), to keep calls bounded. @default 100 */
  maxUploadsSized: z
    .int()
    .min(0)
    .max(10_000)
    .default(100)
    .describe('uploads sized per bucket with ListParts; the rest are counted'),
  /** @default 'warning' */
  severity: SeveritySchema.default('warning').describe('severity of the findings'),
});
export type S3StorageWasteConfig = z.infer<typeof S3StorageWasteConfig>;
