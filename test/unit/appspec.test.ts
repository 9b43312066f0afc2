// The CodeDeploy AppSpec for ECS: generated, parsed from a user's YAML or JSON (every problem with
// its line), and its TaskDefinition read and replaced as CodeDeploy stored it.
import { quote } from '../../packages/shared/src/inputs.ts';
import { describe, expect, it } from 'vitest';
import {
  appSpecContent,
  appSpecTaskDefinition,
  generateAppSpec,
  hooksOf,
  parseAppSpec,
  replaceAppSpecTaskDefinition,
  targetOf,
  withTaskDefinition,
} from '../../packages/codedeploy/src/appspec.ts';
import { ProblemsError } from '../../packages/shared/src/errors.ts';
import { thrown } from './thrown.ts';

const registered = 'arn:aws:ecs:us-east-1:111222333444:task-definition/my-task-definition-family-name:2';
const previous = 'arn:aws:ecs:us-east-1:111222333444:task-definition/my-task-definition-family-name:1';

// The ECS AppSpec example of the CodeDeploy user guide ("AppSpec file example for an Amazon ECS deployment").
const fromTheDocs = `version: 0.0
Resources:
  - TargetService:
      Type: AWS::ECS::Service
      Properties:
        TaskDefinition: "${previous}"
        LoadBalancerInfo:
          ContainerName: "SampleApplicationName"
          ContainerPort: 80
# Optional properties
        PlatformVersion: "LATEST"
        NetworkConfiguration:
          AwsvpcConfiguration:
            Subnets: ["subnet-1234abcd","subnet-5678abcd"]
            SecurityGroups: ["sg-12345678"]
            AssignPublicIp: "ENABLED"
        CapacityProviderStrategy:
          - Base: 1
            CapacityProvider: "FARGATE_SPOT"
            Weight: 2
          - Base: 0
            CapacityProvider: "FARGATE"
            Weight: 1
Hooks:
  - BeforeInstall: "LambdaFunctionToValidateBeforeInstall"
  - AfterInstall: "LambdaFunctionToValidateAfterInstall"
  - AfterAllowTestTraffic: "LambdaFunctionToValidateAfterTestTrafficStarts"
  - BeforeAllowTraffic: "LambdaFunctionToValidateBeforeAllowingProductionTraffic"
  - AfterAllowTraffic: "LambdaFunctionToValidateAfterAllowingProductionTraffic"
`;

const jsonFromTheDocs = JSON.stringify({
  version: '0.0',
  Resources: [
    {
      TargetService: {
        Type: 'AWS::ECS::Service',
        Properties: {
          TaskDefinition: previous,
          LoadBalancerInfo: { ContainerName: 'SampleApplicationName', ContainerPort: 80 },
          PlatformVersion: 'LATEST',
        },
      },
    },
  ],
  Hooks: [{ AfterAllowTestTraffic: 'LambdaFunctionToValidateAfterTestTrafficStarts' }],
});

/** A minimal valid AppSpec in YAML with `extra` lines appended under Properties. */
const minimal = (properties = '', tail = '') => `version: 0.0
Resources:
  - TargetService:
      Type: AWS::ECS::Service
      Properties:
        TaskDefinition: <TASK_DEFINITION>
        LoadBalancerInfo:
          ContainerName: web
          ContainerPort: 8080
${properties}${tail}`;

function problemsOf(text: string, file = 'appspec.yaml', input?: string): ProblemsError['problems'] {
  const error = thrown(() => parseAppSpec(text, file, input));
  expect(error).toBeInstanceOf(ProblemsError);
  return (error as ProblemsError).problems;
}

describe('parseAppSpec: a value of the wrong type is not "required"', () => {
  it('says what it got', () => {
    const text = `version: 0.0
Resources:
  - TargetService:
      Type: AWS::ECS::Service
      Properties:
        TaskDefinition: 5
        LoadBalancerInfo:
          ContainerName: web
          ContainerPort: "eighty"
`;
    const messages = problemsOf(text).map((p) => p.message);
    expect(messages).toEqual([
      "input 'appspec': appspec.yaml:6: Resources.0.TargetService.Properties.TaskDefinition: expected string, got number 5",
      "input 'appspec': appspec.yaml:9: Resources.0.TargetService.Properties.LoadBalancerInfo.ContainerPort: expected a port number",
    ]);
  });
});

describe('parseAppSpec', () => {
  it('reads the YAML example of the AWS docs with every optional property and the hooks', () => {
    const spec = parseAppSpec(fromTheDocs, 'appspec.yaml');
    expect(spec.version).toBe('0.0');
    expect(targetOf(spec)).toEqual({
      TaskDefinition: previous,
      LoadBalancerInfo: { ContainerName: 'SampleApplicationName', ContainerPort: 80 },
      PlatformVersion: 'LATEST',
      NetworkConfiguration: {
        AwsvpcConfiguration: {
          Subnets: ['subnet-1234abcd', 'subnet-5678abcd'],
          SecurityGroups: ['sg-12345678'],
          AssignPublicIp: 'ENABLED',
        },
      },
      CapacityProviderStrategy: [
        { Base: 1, CapacityProvider: 'FARGATE_SPOT', Weight: 2 },
        { Base: 0, CapacityProvider: 'FARGATE', Weight: 1 },
      ],
    });
    expect(Object.keys(hooksOf(spec))).toEqual([
      'BeforeInstall',
      'AfterInstall',
      'AfterAllowTestTraffic',
      'BeforeAllowTraffic',
      'AfterAllowTraffic',
    ]);
  });

  it.each([
    { name: 'JSON', text: jsonFromTheDocs },
    {
      name: 'keys in any case (CodeDeploy ignores case)',
      text: jsonFromTheDocs.replace('"Resources"', '"resources"').replace('"LoadBalancerInfo"', '"loadbalancerinfo"'),
    },
    { name: 'the port as a quoted string', text: jsonFromTheDocs.replace('"ContainerPort":80', '"ContainerPort":"80"') },
  ])('reads $name to the canonical spelling', ({ text }) => {
    const spec = parseAppSpec(text, 'appspec.json');
    expect(targetOf(spec).LoadBalancerInfo).toEqual({ ContainerName: 'SampleApplicationName', ContainerPort: 80 });
    expect(targetOf(spec).TaskDefinition).toBe(previous);
    expect(hooksOf(spec)).toEqual({ AfterAllowTestTraffic: 'LambdaFunctionToValidateAfterTestTrafficStarts' });
  });

  it.each([
    {
      name: 'an unknown key, at its line',
      text: minimal('        Subnetz: [subnet-1234abcd]\n'),
      problems: [`input 'appspec': appspec.yaml:10: Resources.0.TargetService.Properties: unknown key "Subnetz"`],
    },
    {
      name: 'a port that is not a number',
      text: minimal().replace('ContainerPort: 8080', 'ContainerPort: http'),
      problems: [
        "input 'appspec': appspec.yaml:9: Resources.0.TargetService.Properties.LoadBalancerInfo.ContainerPort: expected a port number",
      ],
    },
    {
      name: 'a port out of range',
      text: minimal().replace('ContainerPort: 8080', 'ContainerPort: 70000'),
      problems: [
        "input 'appspec': appspec.yaml:9: Resources.0.TargetService.Properties.LoadBalancerInfo.ContainerPort: Too big: expected number to be <=65535",
      ],
    },
    {
      name: 'a quoted port out of range',
      text: minimal().replace('ContainerPort: 8080', 'ContainerPort: "70000"'),
      problems: [
        "input 'appspec': appspec.yaml:9: Resources.0.TargetService.Properties.LoadBalancerInfo.ContainerPort: Too big: expected number to be <=65535",
      ],
    },
    {
      name: 'a resource that is not an ECS service',
      text: minimal().replace('AWS::ECS::Service', 'AWS::Lambda::Function'),
      problems: [
        `input 'appspec': appspec.yaml:4: Resources.0.TargetService.Type: expected ${quote('AWS::ECS::Service')}, got the string ${quote('AWS::Lambda::Function')}`,
      ],
    },
    {
      name: 'missing Resources',
      text: 'version: 0.0\nHooks:\n  - AfterInstall: LambdaFunctionToValidateAfterInstall\n',
      problems: ["input 'appspec': appspec.yaml:1: Resources: is required (array)"],
    },
    {
      name: 'missing LoadBalancerInfo',
      text: 'version: 0.0\nResources:\n  - TargetService:\n      Type: AWS::ECS::Service\n      Properties:\n        TaskDefinition: x\n',
      problems: ["input 'appspec': appspec.yaml:6: Resources.0.TargetService.Properties.LoadBalancerInfo: is required (object)"],
    },
    {
      name: 'a wrong version and no resource, both at once',
      text: 'version: 1\nResources: []\n',
      problems: [
        "input 'appspec': appspec.yaml:1: version: Invalid input",
        "input 'appspec': appspec.yaml:2: Resources: an ECS AppSpec has exactly one resource (the service)",
      ],
    },
    {
      name: 'an unknown hook',
      text: minimal('', 'Hooks:\n  - BeforeTraffic: LambdaFunctionToValidateBeforeInstall\n'),
      problems: [`input 'appspec': appspec.yaml:11: Hooks.0: unknown key "BeforeTraffic"`],
    },
    {
      name: 'two hooks in one entry',
      text: minimal('', 'Hooks:\n  - BeforeInstall: a\n    AfterInstall: b\n'),
      problems: ["input 'appspec': appspec.yaml:11: Hooks.0: expected one hook per entry, e.g. - AfterAllowTestTraffic: <Lambda function>"],
    },
    {
      name: 'broken YAML, at its line',
      text: 'version: 0.0\nResources: [\n',
      problems: [
        "input 'appspec': appspec.yaml:3: not valid YAML or JSON: Flow sequence in block collection must be sufficiently indented and end with a ]",
      ],
    },
    {
      name: 'a duplicate key',
      text: 'version: 0.0\nversion: 0.0\n',
      problems: ["input 'appspec': appspec.yaml:2: not valid YAML or JSON: Map keys must be unique"],
    },
    {
      name: 'a list instead of a mapping',
      text: '- TargetService\n',
      problems: ["input 'appspec': appspec.yaml: must be a mapping with version, Resources and optionally Hooks"],
    },
  ])('reports $name', ({ text, problems }) => {
    expect(problemsOf(text).map((p) => p.message)).toEqual(problems);
  });

  it('names the input it was given in every problem, and what stays unchanged', () => {
    const [problem] = problemsOf('version: 0.0\n', 'deploy/appspec.yaml', 'appspec-file');
    expect(problem?.input).toBe('appspec-file');
    expect(problem?.message).toMatch(/^input 'appspec-file': deploy\/appspec\.yaml:1: /);
    expect(problem?.unchanged).toBe('nothing was registered or deployed');
  });
});

describe('generateAppSpec', () => {
  it.each([
    {
      name: 'the container and port only',
      options: { taskDefinitionArn: registered, containerName: 'web', containerPort: 8080 },
      expected: {
        version: '0.0',
        Resources: [
          {
            TargetService: {
              Type: 'AWS::ECS::Service',
              Properties: { TaskDefinition: registered, LoadBalancerInfo: { ContainerName: 'web', ContainerPort: 8080 } },
            },
          },
        ],
      },
    },
    {
      name: 'a Fargate platform version, and hooks put in lifecycle order',
      options: {
        taskDefinitionArn: registered,
        containerName: 'web',
        containerPort: 80,
        platformVersion: '1.4.0',
        hooks: { AfterAllowTraffic: 'smoke-prod', BeforeInstall: 'check-config', AfterAllowTestTraffic: 'smoke-test' },
      },
      expected: {
        version: '0.0',
        Resources: [
          {
            TargetService: {
              Type: 'AWS::ECS::Service',
              Properties: {
                TaskDefinition: registered,
                LoadBalancerInfo: { ContainerName: 'web', ContainerPort: 80 },
                PlatformVersion: '1.4.0',
              },
            },
          },
        ],
        Hooks: [{ BeforeInstall: 'check-config' }, { AfterAllowTestTraffic: 'smoke-test' }, { AfterAllowTraffic: 'smoke-prod' }],
      },
    },
    {
      name: 'no Hooks key when every hook is empty',
      options: {
        taskDefinitionArn: registered,
        containerName: 'web',
        containerPort: 80,
        platformVersion: undefined,
        hooks: { AfterInstall: '' },
      },
      expected: {
        version: '0.0',
        Resources: [
          {
            TargetService: {
              Type: 'AWS::ECS::Service',
              Properties: { TaskDefinition: registered, LoadBalancerInfo: { ContainerName: 'web', ContainerPort: 80 } },
            },
          },
        ],
      },
    },
  ])('generates $name', ({ options, expected }) => {
    const spec = generateAppSpec(options);
    expect(spec).toEqual(expected);
    // What CodeDeploy is sent parses back to the same AppSpec.
    expect(parseAppSpec(appSpecContent(spec), 'generated')).toEqual(expected);
  });

  it('withTaskDefinition sets the registered ARN on a copy', () => {
    const spec = parseAppSpec(minimal(), 'appspec.yaml');
    const set = withTaskDefinition(spec, registered);
    expect(targetOf(set).TaskDefinition).toBe(registered);
    expect(targetOf(spec).TaskDefinition).toBe('<TASK_DEFINITION>');
  });
});

describe('appSpecTaskDefinition / replaceAppSpecTaskDefinition: the AppSpec CodeDeploy stored', () => {
  it.each([
    { name: 'the YAML of the docs', content: fromTheDocs, found: previous },
    { name: 'JSON as deploy-ecs sends it', content: jsonFromTheDocs, found: previous },
    {
      name: 'lower-case keys',
      content: '{"version":"0.0","resources":[{"svc":{"type":"AWS::ECS::Service","properties":{"taskdefinition":"td:3"}}}]}',
      found: 'td:3',
    },
    { name: 'no Resources', content: 'version: 0.0\n', found: undefined },
    {
      name: 'a TaskDefinition that is not a string',
      content: '{"Resources":[{"S":{"Properties":{"TaskDefinition":42}}}]}',
      found: undefined,
    },
    { name: 'empty content', content: '', found: undefined },
    { name: 'not YAML at all', content: '{ "Resources": [', found: undefined },
  ])('reads the TaskDefinition of $name', ({ content, found }) => {
    expect(appSpecTaskDefinition(content)).toBe(found);
  });

  it.each([
    { name: 'YAML', content: fromTheDocs },
    { name: 'JSON', content: jsonFromTheDocs },
  ])('replaces the TaskDefinition of $name and keeps everything else', ({ content }) => {
    const replaced = replaceAppSpecTaskDefinition(content, registered);
    expect(replaced).toBeDefined();
    expect(appSpecTaskDefinition(replaced ?? '')).toBe(registered);
    const before = parseAppSpec(content, 'before');
    const after = parseAppSpec(replaced ?? '', 'after');
    expect(after).toEqual(withTaskDefinition(before, registered));
  });

  it.each([
    { name: 'no Properties', content: 'version: 0.0\nResources:\n  - TargetService:\n      Type: AWS::ECS::Service\n' },
    { name: 'no TaskDefinition', content: minimal().replace('        TaskDefinition: <TASK_DEFINITION>\n', '') },
    { name: 'unparseable content', content: '{ "Resources": [' },
  ])('answers undefined for $name', ({ content }) => {
    expect(replaceAppSpecTaskDefinition(content, registered)).toBeUndefined();
  });
});
