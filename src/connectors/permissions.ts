import type { RedshiftConnection } from './config';

/**
 * Actions on the statements the Data API ran for the caller. They take no resource type: the reference allows
 * only `*` (the statement-owner condition key is what narrows them).
 * @see https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonredshiftdataapi.html
 */
export const REDSHIFT_STATEMENT_ACTIONS = [
  'redshift-data:CancelStatement',
  'redshift-data:DescribeStatement',
  'redshift-data:GetStatementResult',
] as const;

/** Actions granted on resources: ARNs, or `*` where the action has no resource type. */
export interface Grant {
  /** Statement id in the generated policy (letters and digits). */
  sid: string;
  actions: string[];
  resources: string[];
}

/** Where a connection's ARNs point; unknown parts are placeholders such as `${AWS::AccountId}`. */
export interface ArnScope {
  region: string;
  account: string;
}

/**
 * What a `redshift` connection calls, each on what the config names: BatchExecuteStatement on its cluster or
 * workgroup, and only the credential action its settings use (the Data API's four ways to authenticate).
 * A serverless workgroup's ARN ends in its id, not its name: `workgroup/*` scopes to the account and region.
 * @see https://docs.aws.amazon.com/redshift/latest/mgmt/data-api-access.html
 */
export function redshiftGrants(name: string, config: RedshiftConnection, at: ArnScope): Grant[] {
  const sid = `GuardrailRedshift${name.replace(/(^|[^A-Za-z0-9]+)([A-Za-z0-9])/g, (_m, _s, c: string) => c.toUpperCase())}`;
  const cluster = config.clusterIdentifier;
  const prefix = (service: string) => `arn:aws:${service}:${at.region}:${at.account}`;
  const target = config.workgroup
    ? `${prefix('redshift-serverless')}:workgroup/*`
    : `${prefix('redshift')}:cluster:${cluster ?? '*'}`;
  const grants: Grant[] = [
    { sid: `${sid}Execute`, actions: ['redshift-data:BatchExecuteStatement'], resources: [target] },
  ];
  const credentials = (actions: string[], resources: string[]) =>
    grants.push({ sid: `${sid}Credentials`, actions, resources });
  const dbname = `${prefix('redshift')}:dbname:${cluster ?? '*'}/${config.database}`;
  if (config.secretArn) credentials(['secretsmanager:GetSecretValue'], [config.secretArn]);
  else if (config.workgroup) credentials(['redshift-serverless:GetCredentials'], [target]);
  else if (config.dbUser) {
    const dbuser = `${prefix('redshift')}:dbuser:${cluster ?? '*'}/${config.dbUser}`;
    credentials(['redshift:GetClusterCredentials'], [dbuser, dbname]);
  } else credentials(['redshift:GetClusterCredentialsWithIAM'], [dbname]);
  return grants;
}

/** The AWS IAM actions each connection type calls; the others talk to their databases, not to AWS APIs. */
export function connectionActions(
  config: { type: string } & Partial<Omit<RedshiftConnection, 'type'>>,
): string[] {
  if (config.type !== 'redshift') return [];
  const at = { region: '*', account: '*' };
  const grants = redshiftGrants('c', { database: '*', ...config } as RedshiftConnection, at);
  return [...REDSHIFT_STATEMENT_ACTIONS, ...grants.flatMap((g) => g.actions)];
}

/** The actions the named connections call (unknown names call nothing: the config loader reports them). */
export function connectionPermissions(
  names: readonly string[],
  connections: Record<string, { type: string }>,
): string[] {
  return [
    ...new Set(names.flatMap((name) => (connections[name] ? connectionActions(connections[name]) : []))),
  ];
}
