import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { loadConfig } from '../../src/config/load';
import { iamPolicies, type PolicyDocument } from '../../src/engine/permissions';
import { writeConfigDir } from '../config/config-files';
import reference from './fixtures/aws-service-authorization.json';

const CLI = join(__dirname, '../../dist/src/cli/main.js');
const PRODUCTION = join(__dirname, '../../examples/production/guardrail.yaml');

interface ServiceFacts {
  resourceTypes: Record<string, string>;
  conditionKeys: string[];
  actions: Record<string, { resourceTypes: string[]; conditionKeys: string[] }>;
}
const SERVICES = reference.services as Record<string, ServiceFacts>;
const GLOBAL_KEYS = new Set(reference.globalConditionKeys.keys);

/** An ARN pattern of the reference as a regex: each `${Var}` is a value, a wildcard or one of our placeholders. */
function arnPattern(pattern: string): RegExp {
  const parts = pattern.split(/(\$\{[^}]+\})/);
  const source = parts
    .map((part, i) => {
      if (!/^\$\{/.test(part)) return part.replace(/[.*+?^$()|[\]\\/]/g, '\\$&');
      if (part === '${Partition}') return 'aws';
      return i === parts.length - 2 ? '(?:\\$\\{[^}]+\\}|.+)' : '(?:\\$\\{[^}]+\\}|[^:/]+)';
    })
    .join('');
  return new RegExp(`^${source}$`);
}

/** What the reference says is wrong with a policy: unknown actions, resources of no allowed type, unknown keys. */
function referenceProblems(policy: PolicyDocument): string[] {
  const problems: string[] = [];
  for (const statement of policy.Statement) {
    for (const action of statement.Action) {
      const [prefix, name] = action.split(':') as [string, string];
      const facts = SERVICES[prefix]?.actions[name];
      if (!facts) {
        problems.push(`${action}: not in the reference`);
        continue;
      }
      const patterns = facts.resourceTypes.map((t) => arnPattern(SERVICES[prefix]!.resourceTypes[t]!));
      for (const resource of statement.Resource) {
        const ok =
          facts.resourceTypes.length === 0 ? resource === '*' : patterns.some((p) => p.test(resource));
        if (!ok) problems.push(`${action} on ${resource}: allowed ${facts.resourceTypes.join(', ') || '*'}`);
      }
      for (const key of Object.values(statement.Condition ?? {}).flatMap((c) => Object.keys(c))) {
        if (!GLOBAL_KEYS.has(key) && !SERVICES[prefix]!.conditionKeys.includes(key))
          problems.push(`${action}: condition key ${key} is not listed for ${prefix}`);
      }
    }
  }
  return problems;
}

const CHECKS = `checks:
  - { id: locks, kind: lock-waits, connection: dw }
  - { id: lambda, kind: lambda-errors }
  - { id: idle-ebs, kind: idle-ebs-volumes }
  - { id: idle-eip, kind: idle-elastic-ips }
alerts:
  channels: { chat: { type: google-chat, webhookUrl: '\${CHAT_WEBHOOK}' } }
  routes: [{ channel: chat }]
`;

function configWith(aws: string, dw: string, env: NodeJS.ProcessEnv = {}) {
  const dir = writeConfigDir({
    'guardrail.yaml': `state: { url: 'sqlite://state.db' }\naws: ${aws}\nconnections:\n  dw: ${dw}\n${CHECKS}`,
  });
  return loadConfig(join(dir, 'guardrail.yaml'), env, { secrets: 'placeholder' });
}

const ONE_ACCOUNT = '{ region: ap-northeast-2, regions: [ap-northeast-2, us-east-1] }';
const TWO_ACCOUNTS = `{ region: ap-northeast-2, regions: all, accounts: [
    { id: '111111111111', roleArn: 'arn:aws:iam::111111111111:role/guardrail' },
    { id: '222222222222', roleArn: 'arn:aws:iam::222222222222:role/path/guardrail' } ] }`;
const SECRET = 'arn:aws:secretsmanager:ap-northeast-2:999999999999:secret:dw-AbCdEf';
const REDSHIFT = {
  secret: `{ type: redshift, workgroup: elt, database: dev, secretArn: '${SECRET}' }`,
  serverless: '{ type: redshift, workgroup: elt, database: dev }',
  dbUser: '{ type: redshift, clusterIdentifier: dw1, database: dev, dbUser: guardrail, region: us-east-1 }',
  iam: '{ type: redshift, clusterIdentifier: dw1, database: dev }',
};

describe('iam-policy', () => {
  it('checks policies against the reference: unknown actions, `*` where a resource type is required', () => {
    const policy: PolicyDocument = {
      Version: '2012-10-17',
      Statement: [
        { Sid: 'A', Effect: 'Allow', Action: ['lambda:ListTags', 'ec2:DescribeVolumez'], Resource: ['*'] },
        {
          Sid: 'B',
          Effect: 'Allow',
          Action: ['ec2:DescribeVolumes'],
          Resource: ['arn:aws:ec2:us-east-1:111111111111:volume/*'],
          Condition: { StringEquals: { 'ec2:Nope': ['x'] } },
        },
      ],
    };

    expect(referenceProblems(policy)).toEqual([
      'lambda:ListTags on *: allowed function',
      'ec2:DescribeVolumez: not in the reference',
      'ec2:DescribeVolumes on arn:aws:ec2:us-east-1:111111111111:volume/*: allowed *',
      'ec2:DescribeVolumes: condition key ec2:Nope is not listed for ec2',
    ]);
  });

  it.each(
    Object.entries(REDSHIFT).flatMap(([name, dw]) => [
      [name, ONE_ACCOUNT, dw] as const,
      [name, TWO_ACCOUNTS, dw] as const,
    ]),
  )('matches the service authorization reference (%s)', (_name, aws, dw) => {
    const policies = iamPolicies(configWith(aws, dw));

    expect(referenceProblems(policies.runner)).toEqual([]);
    expect(policies.member ? referenceProblems(policies.member) : []).toEqual([]);
  });

  it.each([
    ['secret', ['secretsmanager:GetSecretValue'], [SECRET]],
    [
      'serverless',
      ['redshift-serverless:GetCredentials'],
      ['arn:aws:redshift-serverless:ap-northeast-2:${AWS::AccountId}:workgroup/*'],
    ],
    [
      'dbUser',
      ['redshift:GetClusterCredentials'],
      [
        'arn:aws:redshift:us-east-1:${AWS::AccountId}:dbuser:dw1/guardrail',
        'arn:aws:redshift:us-east-1:${AWS::AccountId}:dbname:dw1/dev',
      ],
    ],
    [
      'iam',
      ['redshift:GetClusterCredentialsWithIAM'],
      ['arn:aws:redshift:ap-northeast-2:${AWS::AccountId}:dbname:dw1/dev'],
    ],
  ] as const)(
    'asks only for the credential action a %s connection uses, on what it names',
    (name, actions, resources) => {
      const { runner } = iamPolicies(configWith(ONE_ACCOUNT, REDSHIFT[name]));

      const credentials = runner.Statement.filter((s) => s.Sid === 'GuardrailRedshiftDwCredentials');
      expect(credentials.map((s) => [s.Action, s.Resource])).toEqual([[actions, resources]]);
      expect(
        runner.Statement.flatMap((s) => s.Action).filter((a) => /Credentials|SecretValue/.test(a)),
      ).toEqual(actions);
    },
  );

  it('splits the runner (AssumeRole, Redshift) from the member roles (read-only, per account)', () => {
    const { runner, member } = iamPolicies(configWith(TWO_ACCOUNTS, REDSHIFT.serverless));

    expect(runner.Statement[0]).toEqual({
      Sid: 'GuardrailAssumeMemberRoles',
      Effect: 'Allow',
      Action: ['sts:AssumeRole'],
      Resource: ['arn:aws:iam::111111111111:role/guardrail', 'arn:aws:iam::222222222222:role/path/guardrail'],
    });
    expect(
      runner.Statement.flatMap((s) => s.Action).filter((a) => /^(ec2|lambda|cloudwatch):/.test(a)),
    ).toEqual([]);
    expect(member?.Statement).toEqual([
      {
        Sid: 'GuardrailReadOnly',
        Effect: 'Allow',
        Action: [
          'cloudwatch:GetMetricData',
          'ec2:DescribeAddresses',
          'ec2:DescribeRegions',
          'ec2:DescribeVolumes',
          'lambda:ListFunctions',
        ],
        Resource: ['*'],
      },
      {
        Sid: 'GuardrailReadListTags',
        Effect: 'Allow',
        Action: ['lambda:ListTags'],
        Resource: ['arn:aws:lambda:*:111111111111:function:*', 'arn:aws:lambda:*:222222222222:function:*'],
      },
    ]);
  });

  it('limits regional reads to the configured regions with aws:RequestedRegion', () => {
    const { runner, member } = iamPolicies(configWith(ONE_ACCOUNT, REDSHIFT.secret));

    expect(member).toBeUndefined();
    const reads = runner.Statement.filter((s) => s.Sid.startsWith('GuardrailRead'));
    expect(reads.map((s) => s.Condition)).toEqual([
      { StringEquals: { 'aws:RequestedRegion': ['ap-northeast-2', 'us-east-1'] } },
      { StringEquals: { 'aws:RequestedRegion': ['ap-northeast-2', 'us-east-1'] } },
    ]);
    expect(runner.Statement.find((s) => s.Sid === 'GuardrailRedshiftStatements')?.Resource).toEqual(['*']);
  });

  it('needs no secret: unset secrets stand in, the secret ARN shows as its variable with a note', () => {
    const policies = iamPolicies(
      configWith(ONE_ACCOUNT, "{ type: redshift, workgroup: elt, database: dev, secretArn: '${DW_SECRET}' }"),
    );

    const credentials = policies.runner.Statement.find((s) => s.Sid === 'GuardrailRedshiftDwCredentials');
    expect(credentials?.Resource).toEqual(['${DW_SECRET}']);
    expect(policies.notes.runner).toContainEqual(expect.stringContaining('DW_SECRET is not set'));
  });

  it('still reports an unset variable outside secrets, and only iam-policy stands secrets in', () => {
    const dir = writeConfigDir({
      'guardrail.yaml': `aws: { region: '\${AWS_HOME}' }\nconnections:\n  dw: ${REDSHIFT.serverless}\n${CHECKS}`,
    });
    const file = join(dir, 'guardrail.yaml');

    expect(() => loadConfig(file, {}, { secrets: 'placeholder' })).toThrow(/AWS_HOME is not set/);
    expect(() => loadConfig(file, { AWS_HOME: 'us-east-1' })).toThrow(/CHAT_WEBHOOK is not set/);
    expect(loadConfig(file, { AWS_HOME: 'us-east-1' }, { secrets: 'placeholder' }).aws?.region).toBe(
      'us-east-1',
    );
  });

  describe('the built CLI on the production example, with no environment', () => {
    const run = (...args: string[]) =>
      spawnSync(process.execPath, [CLI, 'iam-policy', '--config', PRODUCTION, ...args], {
        encoding: 'utf8',
        env: { PATH: process.env.PATH },
      });

    it('prints the runner and the member documents, valid against the reference, stderr JSON lines', () => {
      const runner = run('--role', 'runner');
      const member = run('--role', 'member');

      expect([runner.status, member.status]).toEqual([0, 0]);
      expect(referenceProblems(JSON.parse(runner.stdout))).toEqual([
        'secretsmanager:GetSecretValue on ${REDSHIFT_SECRET_ARN}: allowed Secret',
      ]);
      expect(referenceProblems(JSON.parse(member.stdout))).toEqual([]);
      const logs = runner.stderr
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line) as { note: string });
      expect(logs.map((l) => l.note)).toContainEqual(
        expect.stringContaining('REDSHIFT_SECRET_ARN is not set'),
      );
    });

    it('asks for --role when aws.accounts is set, naming both', () => {
      const result = run();

      expect(result.status).toBe(2);
      expect(result.stderr).toMatch(/--role runner and --role member/);
      expect(result.stdout).toBe('');
    });
  });
});
