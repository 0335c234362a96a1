import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';

// The ECS example is checked against the shapes of the ECS and EventBridge APIs as the AWS SDK v3 declares them
// (`RegisterTaskDefinitionCommandInput`, `PutRuleCommandInput`, `PutTargetsCommandInput`): each JSON file is
// type-checked as an object literal of that type, so a misspelt or misplaced field, a wrong type or a value
// outside an enum fails, as `aws ecs register-task-definition --cli-input-json` would.
const ROOT = join(__dirname, '../..');
const DIR = join(ROOT, 'examples/deploy/ecs');
const read = (name: string) => readFileSync(join(DIR, name), 'utf8');

const INPUTS = [
  ['task-definition.json', 'RegisterTaskDefinitionCommandInput', '@aws-sdk/client-ecs'],
  ['events-rule.json', 'PutRuleCommandInput', '@aws-sdk/client-eventbridge'],
  ['events-targets.json', 'PutTargetsCommandInput', '@aws-sdk/client-eventbridge'],
] as const;

/** Type errors of `const x: Type = <json>` for each [json, type, module], compiled in the repo (its node_modules). */
function typeErrors(inputs: readonly (readonly [string, string, string])[]): string[] {
  const file = join(ROOT, 'test/deploy/ecs-input.generated.ts');
  const source = inputs
    .map(
      ([json, type, module], i) =>
        `import type { ${type} as T${i} } from '${module}';\nexport const x${i}: T${i} = ${json};`,
    )
    .join('\n');
  const options: ts.CompilerOptions = {
    strict: true,
    noEmit: true,
    skipLibCheck: true,
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.Node16,
    moduleResolution: ts.ModuleResolutionKind.Node16,
    types: [],
  };
  const host = ts.createCompilerHost(options);
  const { getSourceFile, fileExists, readFile } = host;
  host.fileExists = (f) => f === file || fileExists(f);
  host.readFile = (f) => (f === file ? source : readFile(f));
  host.getSourceFile = (f, lang, ...rest) =>
    f === file ? ts.createSourceFile(f, source, lang) : getSourceFile(f, lang, ...rest);
  const program = ts.createProgram([file], options, host);
  return ts.getPreEmitDiagnostics(program).map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'));
}

type ContainerDefinition = {
  name: string;
  image: string;
  command: string[];
  user: string;
  readonlyRootFilesystem: boolean;
  mountPoints: { sourceVolume: string; containerPath: string }[];
  secrets: { name: string; valueFrom: string }[];
};

describe('examples/deploy/ecs', () => {
  it('the task definition, rule and targets type-check against the AWS SDK input types', () => {
    const errors = typeErrors(INPUTS.map(([name, type, module]) => [read(name), type, module] as const));

    expect(errors).toEqual([]);
  });

  it('the type check rejects a misspelt field and a value outside an enum', () => {
    const [, type, module] = INPUTS[0];
    const errors = typeErrors([
      [
        '{ "family": "x", "containerDefinitions": [{ "name": "x", "readOnlyRootFilesystem": true }] }',
        type,
        module,
      ],
      ['{ "family": "x", "containerDefinitions": [], "networkMode": "vpc" }', type, module],
    ]);

    expect(errors).toEqual([
      expect.stringContaining(`'"readOnlyRootFilesystem"' does not exist in type 'ContainerDefinition'`),
      expect.stringContaining(`Type '"vpc"' is not assignable to type 'NetworkMode | undefined'`),
    ]);
  });

  it('runs `guardrail run` on Fargate as uid 10001, read-only root, /tmp and the state folder mounted, state from a secret', () => {
    const task = JSON.parse(read('task-definition.json'));
    const [container] = task.containerDefinitions as ContainerDefinition[];

    expect(task).toMatchObject({
      family: 'guardrail',
      networkMode: 'awsvpc',
      requiresCompatibilities: ['FARGATE'],
      taskRoleArn: expect.stringMatching(/^arn:aws:iam::\d{12}:role\//),
      executionRoleArn: expect.stringMatching(/^arn:aws:iam::\d{12}:role\//),
      cpu: expect.any(String),
      memory: expect.any(String),
    });
    expect(container).toMatchObject({ command: ['run'], user: '10001:10001', readonlyRootFilesystem: true });
    expect(container!.image).toBeTruthy();
    expect(container!.mountPoints.map((m) => m.containerPath).sort()).toEqual(['/tmp', '/var/lib/guardrail']);
    expect(container!.mountPoints.map((m) => m.sourceVolume).sort()).toEqual(
      task.volumes.map((v: { name: string }) => v.name).sort(),
    );
    expect(container!.secrets.map((s) => s.name)).toContain('GUARDRAIL_STATE_URL');
  });

  it('the EventBridge target runs that task definition on the rule', () => {
    const rule = JSON.parse(read('events-rule.json'));
    const targets = JSON.parse(read('events-targets.json'));
    const task = JSON.parse(read('task-definition.json'));

    expect(targets.Rule).toBe(rule.Name);
    expect(rule.ScheduleExpression).toMatch(/^(rate|cron)\(/);
    expect(targets.Targets[0].EcsParameters.TaskDefinitionArn).toMatch(
      new RegExp(`:task-definition/${task.family}(:\\d+)?$`),
    );
    expect(JSON.parse(read('events-role-policy.json')).Statement[1].Resource).toEqual([
      task.taskRoleArn,
      task.executionRoleArn,
    ]);
  });
});
