import * as z from '../core/zod';
import { optionalString, timeout } from '../core/fields';
import { AROUND_STAND_IN, databaseUrlProblem, embedsStandIn } from '../core/url';

/** A database URL the driver will read as meant; a mistake is reported without the URL, which holds the password. */
function databaseUrl(schemes: readonly string[], example: string) {
  return z
    .string()
    .min(1)
    .superRefine((url, ctx) => {
      const problem = databaseUrlProblem(url, schemes);
      if (problem) {
        const message = `connection url (value hidden): ${problem}`;
        ctx.addIssue({ code: 'custom', message, ...(embedsStandIn(url) ? { params: AROUND_STAND_IN } : {}) });
      }
    })
    .meta({ description: `${example} (from \${ENV})` });
}

const common = {
  /**
   * Statement timeout for every query on this connection. It also bounds the client's waits on a server that
   * stops answering: opening a session (at most 10 s) and each statement (1 s past it). @default 60s
   */
  statementTimeout: timeout().default(60_000),
  /** Most connections opened at once. @default 4 */
  maxConnections: z.number().int().min(1).max(64).default(4),
  /** Tables counted per statement (UNION ALL); the connector's own default when unset. */
  batchSize: z.number().int().min(1).max(5000).optional(),
};

export const MysqlConnection = z.strictObject({
  type: z.literal('mysql'),
  url: databaseUrl(['mysql', 'mariadb'], 'mysql://user:password@host:3306/db'),
  ...common,
});

export const PostgresConnection = z.strictObject({
  type: z.literal('postgres'),
  url: databaseUrl(['postgres', 'postgresql', 'socket'], 'postgres://user:password@host:5432/db'),
  ...common,
});

export const RedshiftConnection = z.strictObject({
  type: z.literal('redshift'),
  database: z.string().min(1),
  /** Serverless workgroup name (or clusterIdentifier for provisioned). */
  workgroup: optionalString(),
  clusterIdentifier: optionalString(),
  dbUser: optionalString(),
  secretArn: optionalString(),
  region: optionalString(),
  ...common,
});

export const BigQueryConnection = z.strictObject({
  type: z.literal('bigquery'),
  projectId: z.string().min(1),
  location: optionalString(),
  /** Most bytes one check's queries may bill per run. @default 10 GiB */
  maximumBytesBilled: z
    .number()
    .int()
    .positive()
    .default(10 * 1024 ** 3),
  ...common,
});

export const DuckDbConnection = z.strictObject({
  type: z.literal('duckdb'),
  /** Database file, or `:memory:`. Relative paths resolve against the config file's folder. */
  path: z.string().default(':memory:'),
  /** Files attached as views: view name → CSV/Parquet path or glob. */
  views: z.record(z.string(), z.string()).default({}),
  ...common,
});

export type MysqlConnection = z.infer<typeof MysqlConnection>;
export type PostgresConnection = z.infer<typeof PostgresConnection>;
export type RedshiftConnection = z.infer<typeof RedshiftConnection>;
export type BigQueryConnection = z.infer<typeof BigQueryConnection>;
export type DuckDbConnection = z.infer<typeof DuckDbConnection>;

export const ConnectionConfig = z.discriminatedUnion('type', [
  MysqlConnection,
  PostgresConnection,
  RedshiftConnection,
  BigQueryConnection,
  DuckDbConnection,
]);
export type ConnectionConfig = z.infer<typeof ConnectionConfig>;
