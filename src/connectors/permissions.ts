import type { ConnectionConfig } from './config';

/**
 * What a `redshift` connection calls: the Data API, and the credentials it asks for (`dbUser`, serverless IAM
 * or `secretArn`).
 */
export const REDSHIFT_DATA_PERMISSIONS = [
  'redshift-data:ExecuteStatement',
  'redshift-data:DescribeStatement',
  'redshift-data:GetStatementResult',
  'redshift-data:CancelStatement',
  'redshift:GetClusterCredentials',
  'redshift-serverless:GetCredentials',
  'secretsmanager:GetSecretValue',
] as const;

/** The AWS IAM actions each connection type calls; the others talk to their databases, not to AWS APIs. */
export const CONNECTION_PERMISSIONS: Record<ConnectionConfig['type'], readonly string[]> = {
  bigquery: [],
  duckdb: [],
  mysql: [],
  postgres: [],
  redshift: REDSHIFT_DATA_PERMISSIONS,
};

/** The actions the named connections call (unknown names call nothing: the config loader reports them). */
export function connectionPermissions(
  names: readonly string[],
  connections: Record<string, { type: string }>,
): string[] {
  const types = new Set(names.map((name) => connections[name]?.type));
  return [...types].flatMap((type) =>
    type && type in CONNECTION_PERMISSIONS ? CONNECTION_PERMISSIONS[type as ConnectionConfig['type']] : [],
  );
}
