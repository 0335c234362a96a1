import { findCheck } from '../../checks/registry';
import type { AnyCheckDefinition } from '../../checks/types';
import { providerPermissions } from '../aws/provider';
import type { RedshiftConnection } from '../connectors/config';
import {
  connectionPermissions,
  redshiftGrants,
  REDSHIFT_STATEMENT_ACTIONS,
  type Grant,
} from '../connectors/permissions';
import { unsetSecret, type GuardrailConfig } from '../config/load';

/** Stands for the account id where the config does not name it (CloudFormation's pseudo parameter). */
export const UNKNOWN_ACCOUNT = '${AWS::AccountId}';
export const UNKNOWN_REGION = '${AWS::Region}';

/**
 * Check actions that take a resource type, with the ARN that scopes them to an account (`*` for the others:
 * the reference lists no resource type for them, so only `*` is allowed).
 * @see https://docs.aws.amazon.com/service-authorization/latest/reference/list_awslambda.html (checked 2026-12)
 */
const SCOPED_ACTIONS: Record<string, (account: string) => string> = {
  'lambda:ListTags': (account) => `arn:aws:lambda:*:${account}:function:*`,
  // S3 ARNs carry no account or region: the member role's own account bounds what it can read.
  // @see https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazons3.html (checked 2026-12)
  's3:GetBucketLocation': () => 'arn:aws:s3:::*',
  's3:GetBucketTagging': () => 'arn:aws:s3:::*',
  's3:GetIntelligentTieringConfiguration': () => 'arn:aws:s3:::*',
  's3:GetLifecycleConfiguration': () => 'arn:aws:s3:::*',
  's3:ListBucketMultipartUploads': () => 'arn:aws:s3:::*',
  's3:ListMultipartUploadParts': () => 'arn:aws:s3:::*/*',
};

export interface PolicyStatement {
  Sid: string;
  Effect: 'Allow';
  Action: string[];
  Resource: string[];
  Condition?: Record<string, Record<string, string[]>>;
}

export interface PolicyDocument {
  Version: '2012-10-17';
  Statement: PolicyStatement[];
}

/** The policies a config needs, per identity, with what the reader must fill in. */
export interface IamPolicies {
  /** The identity the process runs as: AssumeRole on the member roles, and what it calls itself (Redshift). */
  runner: PolicyDocument;
  /** Each `aws.accounts` role: the checks' read-only calls. Absent without `aws.accounts` (the runner does it). */
  member?: PolicyDocument;
  /** Placeholders left in each document, one line each. */
  notes: { runner: string[]; member: string[] };
}

/**
 * The IAM actions one configured check needs: what the check kind itself calls, plus what its connections call
 * (the Redshift Data API only when a connection it names is `redshift`).
 */
export function checkPermissions(
  def: AnyCheckDefinition,
  config: unknown,
  connections: Record<string, { type: string }>,
): string[] {
  const names = (def.connectionsOf?.(config) ?? []).map((ref) => ref.name);
  return [...new Set([...def.permissions, ...connectionPermissions(names, connections)])];
}

/** Least privilege for the enabled checks, resources scoped to what the config names; no secret, no network. */
export function iamPolicies(config: GuardrailConfig): IamPolicies {
  const notes = { runner: new Set<string>(), member: new Set<string>() };
  const readActions = new Set<string>();
  const redshift = new Set<string>();
  for (const check of config.checks.filter((c) => c.enabled)) {
    const def = findCheck(check.kind);
    for (const action of def?.permissions ?? []) readActions.add(action);
    for (const ref of def?.connectionsOf?.(check) ?? []) {
      if (config.connections[ref.name]?.type === 'redshift') redshift.add(ref.name);
    }
  }
  if (readActions.size) for (const action of providerPermissions(config.aws)) readActions.add(action);

  const accounts = config.aws?.accounts ?? [];
  const ownAccount = (): string => (notes.runner.add(accountNote), UNKNOWN_ACCOUNT);
  const readAccounts = accounts.length ? accounts.map((a) => a.id) : readActions.size ? [ownAccount()] : [];
  const reads = readGrants([...readActions], readAccounts);
  const condition = regionCondition(config);
  const readStatements = reads.map((g) => statement(g, condition));

  const runner: PolicyStatement[] = [];
  if (accounts.length && readActions.size) {
    runner.push(
      statement({
        sid: 'GuardrailAssumeMemberRoles',
        actions: ['sts:AssumeRole'],
        resources: accounts.map((a) => a.roleArn),
      }),
    );
  }
  if (!accounts.length) runner.push(...readStatements);
  if (redshift.size) {
    runner.push(
      statement({
        sid: 'GuardrailRedshiftStatements',
        actions: [...REDSHIFT_STATEMENT_ACTIONS],
        resources: ['*'],
      }),
    );
  }
  for (const name of [...redshift].sort()) {
    const conn = config.connections[name] as RedshiftConnection;
    const region = conn.region ?? config.aws?.region ?? (notes.runner.add(regionNote), UNKNOWN_REGION);
    const secret = unsetSecret(conn.secretArn);
    if (secret)
      notes.runner.add(`connections.${name}.secretArn: ${secret} is not set; the policy shows \${${secret}}`);
    const named = secret ? { ...conn, secretArn: `\${${secret}}` } : conn;
    // The connector signs Data API calls with the runner's own credentials, in its own account.
    for (const grant of redshiftGrants(name, named, { region, account: ownAccount() }))
      runner.push(statement(grant));
    if (conn.workgroup) notes.runner.add(workgroupNote(name, conn.workgroup));
  }
  const document = (statements: PolicyStatement[]): PolicyDocument => ({
    Version: '2012-10-17',
    Statement: statements,
  });
  return {
    runner: document(runner),
    ...(accounts.length ? { member: document(readStatements) } : {}),
    notes: { runner: [...notes.runner], member: [...notes.member] },
  };
}

const accountNote = `${UNKNOWN_ACCOUNT} stands for the account Guardrail runs in: replace it (aws.accounts names the others)`;
const regionNote = `${UNKNOWN_REGION} stands for the Redshift region: set the connection's region or aws.region`;
const workgroupNote = (name: string, workgroup: string) =>
  `connections.${name}: a workgroup ARN ends in its id, not its name: replace workgroup/* with the id that ` +
  `\`aws redshift-serverless get-workgroup --workgroup-name ${workgroup}\` shows to narrow it further`;

/** The checks' read actions in the accounts they scan: `*` where the action takes no resource type. */
function readGrants(actions: string[], accounts: string[]): Grant[] {
  const anywhere = actions.filter((a) => !SCOPED_ACTIONS[a]).sort();
  const scoped = actions.filter((a) => SCOPED_ACTIONS[a]).sort();
  return [
    ...(anywhere.length ? [{ sid: 'GuardrailReadOnly', actions: anywhere, resources: ['*'] }] : []),
    ...scoped.map((action) => ({
      sid: `GuardrailRead${action.replace(/^.*:/, '')}`,
      actions: [action],
      resources: accounts.map((account) => SCOPED_ACTIONS[action]!(account)),
    })),
  ];
}

/**
 * The configured regions as an `aws:RequestedRegion` condition (a global key every regional service sets);
 * none when every enabled region is scanned (`regions: all`) or no region is named.
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-requestedregion
 */
function regionCondition(config: GuardrailConfig): PolicyStatement['Condition'] {
  const regions = config.aws?.regions;
  const named = Array.isArray(regions)
    ? regions
    : regions === 'all'
      ? []
      : config.aws?.region
        ? [config.aws.region]
        : [];
  return named.length ? { StringEquals: { 'aws:RequestedRegion': [...new Set(named)].sort() } } : undefined;
}

function statement(grant: Grant, condition?: PolicyStatement['Condition']): PolicyStatement {
  return {
    Sid: grant.sid,
    Effect: 'Allow',
    Action: grant.actions,
    Resource: grant.resources,
    ...(condition ? { Condition: condition } : {}),
  };
}
