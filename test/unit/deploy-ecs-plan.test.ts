// deploy-ecs's plan, before any network call: inputs over the environment file (and where each
// value came from), the task definition and AppSpec files read from the workspace.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ExpeditorError, ProblemsError } from '../../packages/shared/src/errors.ts';
import type { DeployEcsInputs } from '../../actions/deploy-ecs/src/inputs.ts';
import { planDeployEcs } from '../../actions/deploy-ecs/src/plan.ts';
import { rejection } from './thrown.ts';

const image = `123456789012.dkr.ecr.us-west-2.amazonaws.com/shop-web@sha256:${'e'.repeat(64)}`;
const dbSecret = 'arn:aws:secretsmanager:us-west-2:123456789012:secret:shop/db-password-AbCdEf';
const apiKey = 'arn:aws:ssm:us-west-2:123456789012:parameter/shop/api-key';

const config = `app: shop
image: { repository: 123456789012.dkr.ecr.us-west-2.amazonaws.com/shop-web }
environments:
  staging:
    aws: { account: "123456789012", region: us-west-2, role: "arn:aws:iam::123456789012:role/deploy" }
    ecs:
      cluster: shop-staging
      service: web
      strategy: blue-green
      container: web
      task-definition: ecs/task-definition.json
      wait-until: ready
      codedeploy: { application: AppECS-shop-staging-web, deployment-group: DgpECS-shop-staging-web, test-listener: "arn:aws:elasticloadbalancing:us-west-2:123456789012:listener/app/shop/3f1c2a/1a2b3c" }
    vars: { NODE_ENV: staging, LOG_LEVEL: info }
    secrets: { DB_PASSWORD: "${dbSecret}" }
  dev:
    aws: { account: "123456789012", region: eu-west-1, role: "arn:aws:iam::123456789012:role/deploy" }
    ecs: { cluster: shop-dev, service: web }
  k8s:
    aws: { account: "123456789012", region: us-west-2, role: "arn:aws:iam::123456789012:role/deploy" }
    eks: { cluster: shop, namespace: shop }
`;

const taskDefinition = JSON.stringify({
  family: 'shop-web',
  containerDefinitions: [{ name: 'web', image: 'x', memory: 512, portMappings: [{ containerPort: 8080 }] }],
});
const appSpec =
  'version: 0.0\nResources:\n  - TargetService:\n      Type: AWS::ECS::Service\n      Properties:\n        TaskDefinition: <TASK_DEFINITION>\n        LoadBalancerInfo:\n          ContainerName: web\n          ContainerPort: 8080\n';

let workspace: string;
const context = () => ({
  workspace,
  sha: '9f2c4e1a7b3d5f60718293a4b5c6d7e8f9012345',
  runUrl: 'https://github.com/acme/shop/actions/runs/1',
});
const write = (path: string, text: string) => {
  mkdirSync(dirname(join(workspace, path)), { recursive: true });
  writeFileSync(join(workspace, path), text);
};

beforeAll(() => {
  workspace = mkdtempSync(join(tmpdir(), 'deploy-ecs-plan-'));
  write('.github/expeditor.yml', config);
  write('ecs/task-definition.json', taskDefinition);
  write('ecs/other.json', JSON.stringify({ family: 'shop-web-canary', containerDefinitions: [{ name: 'web', memory: 256 }] }));
  write('deploy/appspec.yaml', appSpec);
});
afterAll(() => rmSync(workspace, { recursive: true, force: true }));

function inputs(over: Partial<DeployEcsInputs> = {}): DeployEcsInputs {
  return {
    image,
    environment: undefined,
    config: '.github/expeditor.yml',
    cluster: undefined,
    service: undefined,
    container: undefined,
    taskDefinition: undefined,
    strategy: undefined,
    codedeployApplication: undefined,
    codedeployDeploymentGroup: undefined,
    deploymentConfig: undefined,
    appspec: undefined,
    containerPort: undefined,
    hooks: {},
    vars: {},
    secrets: {},
    waitUntil: undefined,
    requireDigest: false,
    timeoutMs: 1_800_000,
    desiredCount: undefined,
    forceNewDeployment: false,
    enableEcsManagedTags: undefined,
    propagateTags: undefined,
    serviceManagedEbsVolume: undefined,
    codedeployDescription: undefined,
    runTask: undefined,
    ...over,
  };
}

describe('planDeployEcs: inputs over the environment file', () => {
  it('takes everything from the environment, saying so', async () => {
    const plan = await planDeployEcs(inputs({ environment: 'staging' }), context());
    expect(plan).toMatchObject({
      environment: 'staging',
      region: 'us-west-2',
      cluster: 'shop-staging',
      service: 'web',
      clusterOrigin: { key: 'environments.staging.ecs.cluster' },
      strategy: 'blue-green',
      container: 'web',
      waitUntil: 'ready',
      waitUntilOrigin: { key: 'environments.staging.ecs.wait-until' },
      vars: { NODE_ENV: 'staging', LOG_LEVEL: 'info' },
      secrets: { DB_PASSWORD: dbSecret },
      secretsOrigin: { key: 'environments.staging.secrets' },
      codedeploy: {
        application: 'AppECS-shop-staging-web',
        group: 'DgpECS-shop-staging-web',
        groupOrigin: { key: 'environments.staging.ecs.codedeploy.deployment-group' },
        testListener: 'arn:aws:elasticloadbalancing:us-west-2:123456789012:listener/app/shop/3f1c2a/1a2b3c',
      },
      source: { sha: '9f2c4e1a7b3d5f60718293a4b5c6d7e8f9012345', runUrl: 'https://github.com/acme/shop/actions/runs/1' },
    });
    expect(plan.template).toEqual({ file: 'ecs/task-definition.json', input: JSON.parse(taskDefinition), dropped: [] });
    const rows = Object.fromEntries(plan.settings.rows().map(([name, value, from]) => [name, [value, from]]));
    expect(rows.cluster).toEqual(['shop-staging', 'environments.staging.ecs.cluster']);
    expect(rows.variables).toEqual(['NODE_ENV, LOG_LEVEL', 'environments.staging.vars']);
  });

  it.each([
    {
      name: 'cluster',
      over: { cluster: 'shop-hotfix' },
      field: 'cluster',
      value: 'shop-hotfix',
      origin: ['clusterOrigin', { input: 'cluster' }],
    },
    { name: 'service', over: { service: 'web-v2' }, field: 'service', value: 'web-v2', origin: ['serviceOrigin', { input: 'service' }] },
    {
      name: 'strategy',
      over: { strategy: 'rolling' as const },
      field: 'strategy',
      value: 'rolling',
      origin: ['strategyOrigin', { input: 'strategy' }],
    },
    {
      name: 'wait-until',
      over: { waitUntil: 'succeeded' as const },
      field: 'waitUntil',
      value: 'succeeded',
      origin: ['waitUntilOrigin', { input: 'wait-until' }],
    },
    {
      name: 'container',
      over: { container: 'sidecar' },
      field: 'container',
      value: 'sidecar',
      origin: ['containerOrigin', { input: 'container' }],
    },
  ])('the $name input wins over the file', async ({ over, field, value, origin }) => {
    const plan = (await planDeployEcs(inputs({ environment: 'staging', ...over }), context())) as unknown as Record<string, unknown>;
    expect(plan[field]).toBe(value);
    expect(plan[origin[0] as string]).toEqual(origin[1]);
  });

  it('the task-definition input names another file', async () => {
    const plan = await planDeployEcs(inputs({ environment: 'staging', taskDefinition: 'ecs/other.json' }), context());
    expect(plan.template?.file).toBe('ecs/other.json');
    expect(plan.template?.input.family).toBe('shop-web-canary');
  });

  it('variables and secrets merge name by name, the inputs winning', async () => {
    const plan = await planDeployEcs(
      inputs({ environment: 'staging', vars: { LOG_LEVEL: 'debug', TRACE: '1' }, secrets: { API_KEY: apiKey } }),
      context(),
    );
    expect(plan.vars).toEqual({ NODE_ENV: 'staging', LOG_LEVEL: 'debug', TRACE: '1' });
    expect(plan.secrets).toEqual({ DB_PASSWORD: dbSecret, API_KEY: apiKey });
    expect(plan.secretsOrigin).toEqual({ input: 'secrets' });
    const rows = Object.fromEntries(plan.settings.rows().map(([name, value, from]) => [name, [value, from]]));
    expect(rows.variables).toEqual(['NODE_ENV, LOG_LEVEL, TRACE', "environments.staging.vars + input 'vars'"]);
    expect(rows.secrets).toEqual(['DB_PASSWORD, API_KEY', "environments.staging.secrets + input 'secrets'"]);
  });

  it.each([
    {
      name: 'a minimal environment (no strategy: the service decides, so a CodeDeploy service is never refused)',
      env: 'dev',
      expected: {
        region: 'eu-west-1',
        cluster: 'shop-dev',
        service: 'web',
        strategy: 'auto',
        waitUntil: 'succeeded',
        template: undefined,
        vars: {},
        secrets: {},
      },
    },
    {
      name: 'no environment: inputs only, auto strategy',
      env: undefined,
      expected: {
        region: undefined,
        cluster: 'shop',
        service: 'web',
        strategy: 'auto',
        waitUntil: 'succeeded',
        clusterOrigin: { input: 'cluster' },
        secretsOrigin: { input: 'secrets' },
      },
    },
  ])('$name', async ({ env, expected }) => {
    const plan = await planDeployEcs(inputs(env ? { environment: env } : { cluster: 'shop', service: 'web' }), context());
    expect(plan).toMatchObject(expected);
  });

  it('with no service, plans to register the file only; the cluster is kept for a one-off task', async () => {
    const plan = await planDeployEcs(inputs({ taskDefinition: 'ecs/task-definition.json' }), context());
    expect(plan).toMatchObject({ service: undefined, cluster: 'default', template: { file: 'ecs/task-definition.json' } });
    const runTask = {
      containerOverrides: [],
      command: undefined,
      subnets: [],
      securityGroups: [],
      assignPublicIp: undefined,
      launchType: 'EC2' as const,
      capacityProviderStrategy: undefined,
      startedBy: 'GitHub-Actions',
      count: 1,
      tags: [],
      waitForStop: true,
    };
    const withTask = await planDeployEcs(
      inputs({ taskDefinition: 'ecs/task-definition.json', cluster: 'jobs', runTask, enableEcsManagedTags: true }),
      context(),
    );
    expect(withTask).toMatchObject({ service: undefined, cluster: 'jobs', runTask, update: { enableEcsManagedTags: true } });
  });

  it('reads the AppSpec input from the workspace', async () => {
    const plan = await planDeployEcs(inputs({ environment: 'staging', appspec: 'deploy/appspec.yaml' }), context());
    expect(plan.appSpec?.file).toBe('deploy/appspec.yaml');
    expect(plan.appSpec?.spec.Resources[0]?.TargetService?.Properties.LoadBalancerInfo).toEqual({
      ContainerName: 'web',
      ContainerPort: 8080,
    });
  });
});

describe('planDeployEcs: clusters and services by name or ARN', () => {
  it.each([
    ['no cluster: ECS’s own default', { service: 'web' }, 'default', 'web', 'default (as in ECS)'],
    ['a cluster ARN', { cluster: 'arn:aws:ecs:us-west-2:123456789012:cluster/shop', service: 'web' }, 'shop', 'web', "input 'cluster'"],
    [
      'a long service ARN names the cluster',
      { service: 'arn:aws:ecs:us-west-2:123456789012:service/shop/web' },
      'shop',
      'web',
      'the service ARN',
    ],
    [
      'a short service ARN and a cluster ARN',
      { cluster: 'arn:aws-cn:ecs:cn-north-1:123456789012:cluster/shop', service: 'arn:aws-cn:ecs:cn-north-1:123456789012:service/web' },
      'shop',
      'web',
      "input 'cluster'",
    ],
  ])('%s', async (_, over, cluster, service, from) => {
    const plan = await planDeployEcs(inputs(over), context());
    expect(plan).toMatchObject({ cluster, service });
    expect(plan.settings.rows()).toContainEqual(['cluster', expect.any(String), from]);
  });
});

describe('planDeployEcs: refusals, before any network call', () => {
  it.each([
    {
      name: 'an EKS environment',
      over: { environment: 'k8s' },
      message: 'environment k8s in .github/expeditor.yml has no ecs section',
      fields: { key: 'environments.k8s.ecs', input: 'environment', next: 'this environment runs on EKS: use deploy-eks' },
    },
    {
      name: 'an environment the file lacks',
      over: { environment: 'prod' },
      message: 'environment "prod" is not in .github/expeditor.yml (have: staging, dev, k8s)',
      fields: { input: 'environment' },
    },
    {
      name: 'a service ARN of another cluster',
      over: { cluster: 'shop', service: 'arn:aws:ecs:us-west-2:123456789012:service/other/web' },
      message:
        "input 'service': the service ARN arn:aws:ecs:us-west-2:123456789012:service/other/web is in cluster other, but the cluster is shop",
      fields: { input: 'service' },
    },
    {
      name: 'no service, with settings only a service would use (register-only refuses them)',
      over: { cluster: 'shop', taskDefinition: 'ecs/task-definition.json', desiredCount: 2, propagateTags: 'SERVICE' as const },
      message:
        "input 'cluster': no service is given, so deploy-ecs only registers the task definition, and 'cluster', 'desired-count', 'propagate-tags' would not be used",
      fields: { input: 'cluster' },
    },
    {
      name: 'a task definition file the workspace lacks',
      over: { environment: 'dev', taskDefinition: 'ecs/missing.json' },
      message: 'input \'task-definition\': "ecs/missing.json" does not exist in the workspace',
      fields: { input: 'task-definition' },
    },
    {
      name: 'an AppSpec the workspace lacks',
      over: { environment: 'dev', appspec: 'deploy/missing.yaml' },
      message: 'input \'appspec\': "deploy/missing.yaml" does not exist in the workspace',
      fields: { input: 'appspec' },
    },
    { name: 'a config file the workspace lacks', over: { environment: 'dev', config: 'missing.yml' }, message: 'missing.yml', fields: {} },
  ])('$name', async ({ over, message, fields }) => {
    const error = await rejection(planDeployEcs(inputs(over), context()));
    expect(error).toBeInstanceOf(ExpeditorError);
    expect((error as ExpeditorError).message).toContain(message);
    expect(error).toMatchObject(fields);
  });

  it('a bad AppSpec reports its problems with their lines', async () => {
    write('deploy/bad.yaml', appSpec.replace('ContainerPort: 8080', 'ContainerPort: http'));
    await expect(planDeployEcs(inputs({ environment: 'dev', appspec: 'deploy/bad.yaml' }), context())).rejects.toThrow(ProblemsError);
  });
});
