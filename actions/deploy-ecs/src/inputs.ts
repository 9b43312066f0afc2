// deploy-ecs's inputs, validated before anything else happens. Values the environment file can
// also give stay undefined when not set here, so the file's value is used (explicit inputs win).
import type { ActionInputs } from '@expeditor/shared/inputs';
import { hookNames, type HookName } from '@expeditor/codedeploy/hooks';
import {
  codeDeployName,
  ecsClusterRef,
  ecsServiceRef,
  environmentName,
  imageReference,
  secretReference,
  variableName,
} from '@expeditor/shared/patterns';
import {
  readCapacityProviderStrategy,
  readCommand,
  readContainerOverrides,
  readManagedEbsVolume,
  readTags,
  type CapacityProviderItem,
  type ContainerOverride,
  type ManagedEbsVolume,
  type Tag,
} from './json-inputs.ts';

export type Strategy = 'rolling' | 'blue-green';
export type WaitUntil = 'succeeded' | 'ready' | 'none';

export type { HookName };
export type PropagateTags = 'SERVICE' | 'TASK_DEFINITION' | 'NONE';

/** A one-off task run with the new task definition before the service is updated (run-task: true). */
export interface RunTaskInputs {
  containerOverrides: ContainerOverride[];
  /** run-task-command: the command of the deployed container (merged into its override). */
  command: string[] | undefined;
  subnets: string[];
  securityGroups: string[];
  assignPublicIp: 'ENABLED' | 'DISABLED' | undefined;
  launchType: 'FARGATE' | 'EC2' | 'EXTERNAL' | undefined;
  capacityProviderStrategy: CapacityProviderItem[] | undefined;
  startedBy: string;
  count: number;
  tags: Tag[];
  /** Wait until every task stopped, and fail on a non-zero exit of an essential container. */
  waitForStop: boolean;
}

/** The run-task-* inputs (and wait-for-task-stopped): each applies only with run-task: true. */
export const runTaskInputNames = [
  'run-task-container-overrides',
  'run-task-command',
  'run-task-subnets',
  'run-task-security-groups',
  'run-task-assign-public-ip',
  'run-task-launch-type',
  'run-task-capacity-provider-strategy',
  'run-task-started-by',
  'run-task-count',
  'run-task-tags',
  'wait-for-task-stopped',
] as const;

/** What a CodeDeploy deployment's description must not hold: bluegreen-switch reads it back (codedeploy/description). */
const descriptionProtocol = /previous task definition:/i;

/** A Lambda function for a CodeDeploy hook: its ARN (optionally with a version or alias) or its name. */
const lambdaFunction = /^(arn:aws[a-z-]*:lambda:[a-z0-9-]+:\d{12}:function:)?[A-Za-z0-9_-]{1,64}(:[A-Za-z0-9_$-]{1,128})?$/;

export interface DeployEcsInputs {
  image: string;
  environment: string | undefined;
  /** Path of the environment file, relative to the workspace (read only with an environment). */
  config: string;
  cluster: string | undefined;
  service: string | undefined;
  container: string | undefined;
  taskDefinition: string | undefined;
  strategy: Strategy | 'auto' | undefined;
  codedeployApplication: string | undefined;
  codedeployDeploymentGroup: string | undefined;
  deploymentConfig: string | undefined;
  appspec: string | undefined;
  containerPort: number | undefined;
  hooks: Partial<Record<HookName, string>>;
  vars: Record<string, string>;
  secrets: Record<string, string>;
  waitUntil: WaitUntil | undefined;
  requireDigest: boolean;
  timeoutMs: number;
  /** UpdateService desiredCount (rolling and blue/green). */
  desiredCount: number | undefined;
  /** UpdateService forceNewDeployment (rolling only; ECS refuses it for CODE_DEPLOY services). */
  forceNewDeployment: boolean;
  /** UpdateService and RunTask enableECSManagedTags; undefined leaves the service's setting. */
  enableEcsManagedTags: boolean | undefined;
  /** UpdateService propagateTags; undefined leaves the service's setting. */
  propagateTags: PropagateTags | undefined;
  /** UpdateService volumeConfigurations: the task definition's configuredAtLaunch volume (rolling only). */
  serviceManagedEbsVolume: { name: string; volume: ManagedEbsVolume } | undefined;
  /** The user's text for the CodeDeploy deployment's description (blue/green), put before the protocol. */
  codedeployDescription: string | undefined;
  /** undefined unless run-task is true. */
  runTask: RunTaskInputs | undefined;
}

export function readDeployEcsInputs(inputs: ActionInputs): DeployEcsInputs {
  // Relative to the workspace or absolute (${{ github.workspace }}/…, $RUNNER_TEMP/…): where it
  // really leads, after links, is checked when the file is read (the file rule).
  const path = (name: string): string | undefined => inputs.string(name, { maxLength: 1024 });
  const result: DeployEcsInputs = {
    image: inputs.string('image', { required: true, pattern: imageReference, expected: 'an image reference such as repo@sha256:…' }),
    environment: inputs.string('environment', { pattern: environmentName, expected: 'an environment name' }),
    config: inputs.string('config', { maxLength: 1024 }) ?? '.github/expeditor.yml',
    cluster: inputs.string('cluster', { pattern: ecsClusterRef, expected: 'an ECS cluster name or ARN' }),
    service: inputs.string('service', { pattern: ecsServiceRef, expected: 'an ECS service name or ARN' }),
    container: inputs.string('container', { pattern: /^[A-Za-z0-9_-]{1,255}$/, expected: 'a container name' }),
    taskDefinition: path('task-definition'),
    strategy: inputs.choice('strategy', ['auto', 'rolling', 'blue-green'] as const),
    codedeployApplication: inputs.string('codedeploy-application', { pattern: codeDeployName, expected: 'a CodeDeploy application name' }),
    codedeployDeploymentGroup: inputs.string('codedeploy-deployment-group', {
      pattern: codeDeployName,
      expected: 'a CodeDeploy deployment group name',
    }),
    deploymentConfig: inputs.string('deployment-config', {
      pattern: codeDeployName,
      expected: 'a deployment config name such as CodeDeployDefault.ECSAllAtOnce',
    }),
    appspec: path('appspec'),
    containerPort: inputs.integer('container-port', { min: 1, max: 65535 }),
    hooks: readHooks(inputs),
    vars: inputs.keyValues('vars'),
    secrets: readSecrets(inputs),
    waitUntil: inputs.choice('wait-until', ['succeeded', 'ready', 'none'] as const),
    requireDigest: inputs.boolean('require-digest', false),
    timeoutMs: inputs.duration('timeout', '30m'),
    desiredCount: inputs.integer('desired-count', { min: 0, max: 100_000 }),
    forceNewDeployment: inputs.boolean('force-new-deployment', false),
    enableEcsManagedTags: inputs.raw('enable-ecs-managed-tags') ? inputs.boolean('enable-ecs-managed-tags', false) : undefined,
    propagateTags: inputs.choice('propagate-tags', ['SERVICE', 'TASK_DEFINITION', 'NONE'] as const),
    serviceManagedEbsVolume: readServiceVolume(inputs),
    codedeployDescription: readDescription(inputs),
    runTask: readRunTask(inputs),
  };
  for (const name of Object.keys(result.vars)) {
    if (!variableName.test(name)) inputs.problem('vars', `expected a variable name, got ${JSON.stringify(name)}`);
  }
  // Only when not given at all: a given but malformed value already has its own problem. The
  // cluster defaults to ECS's own `default`, as the ECS APIs do.
  // No service (and no environment to give one): register only, as amazon-ecs-deploy-task-definition
  // does. The task definition then has to come from a file: there is no service to start from.
  if (!result.environment && !inputs.raw('service') && !inputs.raw('task-definition')) {
    inputs.problem(
      'task-definition',
      'is required when no service is given (with no service, deploy-ecs registers the task definition file only)',
      "give the 'service' input (or an environment) to deploy, or a task definition file to register",
    );
  }
  if (result.requireDigest && !/@sha256:[a-f0-9]{64}$/.test(result.image)) {
    inputs.problem(
      'image',
      `must name the image by digest (repo@sha256:…) because require-digest is true, got ${JSON.stringify(result.image)}`,
    );
  }
  if (result.appspec && Object.keys(result.hooks).length > 0) {
    inputs.problem('hooks', 'applies to the generated AppSpec only; put the hooks in the appspec file instead');
  }
  inputs.done('deploy-ecs');
  return result;
}

function readServiceVolume(inputs: ActionInputs): DeployEcsInputs['serviceManagedEbsVolume'] {
  const name = inputs.string('service-managed-ebs-volume-name', {
    pattern: /^[A-Za-z0-9_-]{1,255}$/,
    expected: 'the name of a volume of the task definition (one with configuredAtLaunch: true)',
  });
  const volume = readManagedEbsVolume(inputs, 'service-managed-ebs-volume');
  const hasName = inputs.raw('service-managed-ebs-volume-name') !== '';
  const hasVolume = inputs.raw('service-managed-ebs-volume') !== '';
  if (hasName && !hasVolume) {
    inputs.problem(
      'service-managed-ebs-volume',
      "is required with service-managed-ebs-volume-name (the volume's settings, roleArn at least)",
    );
  }
  if (hasVolume && !hasName) {
    inputs.problem(
      'service-managed-ebs-volume-name',
      'is required with service-managed-ebs-volume (which volume of the task definition it configures)',
    );
  }
  return name && volume ? { name, volume } : undefined;
}

function readDescription(inputs: ActionInputs): string | undefined {
  const text = inputs.string('codedeploy-deployment-description', { maxLength: 512 });
  if (text && descriptionProtocol.test(text)) {
    return inputs.problem(
      'codedeploy-deployment-description',
      "must not contain 'previous task definition:': deploy-ecs records the task definition a rollback returns to under that name, and bluegreen-switch reads it back",
      'describe the deployment in other words',
    );
  }
  return text;
}

function readRunTask(inputs: ActionInputs): RunTaskInputs | undefined {
  const enabled = inputs.boolean('run-task', false);
  if (!enabled) {
    for (const name of runTaskInputNames) {
      if (inputs.raw(name)) inputs.problem(name, 'applies only with run-task: true (the one-off task), which is not set');
    }
    return undefined;
  }
  const subnets = inputs.list('run-task-subnets', { pattern: /^subnet-[0-9a-f]{8,17}$/, expected: 'subnet ids (subnet-…)' });
  const securityGroups = inputs.list('run-task-security-groups', { pattern: /^sg-[0-9a-f]{8,17}$/, expected: 'security group ids (sg-…)' });
  const assignPublicIp = inputs.choice('run-task-assign-public-ip', ['ENABLED', 'DISABLED'] as const);
  if (assignPublicIp && subnets.length === 0 && !inputs.raw('run-task-subnets')) {
    inputs.problem('run-task-assign-public-ip', "applies only with run-task-subnets (the task's awsvpc network)");
  }
  if (securityGroups.length > 0 && subnets.length === 0 && !inputs.raw('run-task-subnets')) {
    inputs.problem('run-task-security-groups', 'needs run-task-subnets too: ECS places an awsvpc task in the subnets given');
  }
  if (securityGroups.length > 5)
    inputs.problem('run-task-security-groups', `takes at most 5 security groups, got ${securityGroups.length}`);
  if (subnets.length > 16) inputs.problem('run-task-subnets', `takes at most 16 subnets, got ${subnets.length}`);
  const launchType = inputs.choice('run-task-launch-type', ['FARGATE', 'EC2', 'EXTERNAL'] as const);
  const capacityProviderStrategy = readCapacityProviderStrategy(inputs, 'run-task-capacity-provider-strategy');
  if (launchType && inputs.raw('run-task-capacity-provider-strategy')) {
    inputs.problem('run-task-launch-type', 'cannot be given with run-task-capacity-provider-strategy: ECS takes one or the other');
  }
  return {
    containerOverrides: readContainerOverrides(inputs, 'run-task-container-overrides') ?? [],
    command: readCommand(inputs, 'run-task-command'),
    subnets,
    securityGroups,
    assignPublicIp,
    launchType,
    capacityProviderStrategy,
    startedBy:
      inputs.string('run-task-started-by', {
        pattern: /^[A-Za-z0-9_/-]{1,128}$/,
        expected: 'at most 128 letters, digits, hyphens, underscores or slashes (ECS startedBy)',
      }) ?? 'GitHub-Actions',
    count: inputs.integer('run-task-count', { min: 1, max: 10, default: 1 }) ?? 1,
    tags: readTags(inputs, 'run-task-tags') ?? [],
    waitForStop: inputs.boolean('wait-for-task-stopped', true),
  };
}

function readHooks(inputs: ActionInputs): Partial<Record<HookName, string>> {
  const hooks: Partial<Record<HookName, string>> = {};
  for (const [name, fn] of Object.entries(inputs.keyValues('hooks'))) {
    if (!(hookNames as readonly string[]).includes(name)) {
      inputs.problem('hooks', `unknown lifecycle hook ${JSON.stringify(name)} (have: ${hookNames.join(', ')})`);
    } else if (!lambdaFunction.test(fn)) {
      inputs.problem('hooks', `${name}: expected a Lambda function name or ARN, got ${JSON.stringify(fn)}`);
    } else {
      hooks[name as HookName] = fn;
    }
  }
  return hooks;
}

function readSecrets(inputs: ActionInputs): Record<string, string> {
  const secrets = inputs.keyValues('secrets');
  for (const [name, ref] of Object.entries(secrets)) {
    if (!variableName.test(name)) inputs.problem('secrets', `expected a variable name, got ${JSON.stringify(name)}`);
    else if (!secretReference.test(ref)) {
      inputs.problem(
        'secrets',
        `${name}: expected a Secrets Manager or Parameter Store ARN, or a parameter path such as /app/key, got ${JSON.stringify(ref)}`,
      );
    }
  }
  return secrets;
}
