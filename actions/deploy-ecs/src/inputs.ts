// deploy-ecs's inputs, validated before anything else happens. Values the environment file can
// also give stay undefined when not set here, so the file's value is used (explicit inputs win).
import { quote, type ActionInputs } from '@expeditor/shared/inputs';
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
  readTaskEbsVolume,
  type CapacityProviderItem,
  type ContainerOverride,
  type ManagedEbsVolume,
  type Tag,
  type TaskEbsVolume,
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
  /** run-task-managed-ebs-volume(-name): the task definition's configuredAtLaunch volume for the one-off task. */
  managedEbsVolume?: { name: string; volume: TaskEbsVolume } | undefined;
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
  'run-task-managed-ebs-volume-name',
  'run-task-managed-ebs-volume',
  'wait-for-task-stopped',
] as const;

/** What a CodeDeploy deployment's description must not hold: bluegreen-switch reads it back (codedeploy/description). */
const descriptionProtocol = /previous task definition:/i;

/** A Lambda function for a CodeDeploy hook: its ARN (optionally with a version or alias) or its name. */
const lambdaFunction = /^(arn:aws[a-z-]*:lambda:[a-z0-9-]+:\d{12}:function:)?[A-Za-z0-9_-]{1,64}(:[A-Za-z0-9_$-]{1,128})?$/;

export interface DeployEcsInputs {
  /** The image to deploy; '' only with validate-only, which can check the rest without it (e.g. a rollback's, known only when it runs). */
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
  /** validate-only: plan (inputs × environment file × local files) and stop, before any client or request. */
  validateOnly?: boolean | undefined;
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
  /** Which input gave the AppSpec file (appspec, or the peer's codedeploy-appspec), for errors. */
  appspecInput?: 'appspec' | 'codedeploy-appspec' | undefined;
  /** Which input set how long to wait (wait-until, or the peer's wait-for-service-stability), for errors. */
  waitUntilInput?: 'wait-until' | 'wait-for-service-stability' | undefined;
  /** keep-null-value-keys: keys whose empty values stay in the task definition (the peer's input). */
  keepEmptyKeys?: string[] | undefined;
  /** CloudWatch alarms that fail the deployment (ECS deployment alarms, or the CodeDeploy group's); undefined when not given. */
  alarms?: string[] | undefined;
  /** Roll back when one of the alarms fires; undefined when not given (the file's, else true). */
  alarmRollback?: boolean | undefined;
}

/** A CloudWatch alarm name as ECS and CodeDeploy take it in a list: 1–255 characters, no comma. */
export const alarmName = /^[^,\p{Cc}]{1,255}$/u;

/** At most this many alarms: a CodeDeploy group takes 10, and ECS reads them on every poll. */
export const maxAlarms = 10;

export function readDeployEcsInputs(inputs: ActionInputs): DeployEcsInputs {
  // Relative to the workspace or absolute (${{ github.workspace }}/…, $RUNNER_TEMP/…): where it
  // really leads, after links, is checked when the file is read (the file rule).
  const path = (name: string): string | undefined => inputs.string(name, { maxLength: 1024 });
  const validateOnly = inputs.boolean('validate-only', false);
  const result: DeployEcsInputs = {
    image:
      inputs.string('image', { required: !validateOnly, pattern: imageReference, expected: 'an image reference such as repo@sha256:…' }) ??
      '',
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
    deploymentConfig: peerAlias(inputs, 'deployment-config', 'codedeploy-deployment-config', (name) =>
      inputs.string(name, { pattern: codeDeployName, expected: 'a deployment config name such as CodeDeployDefault.ECSAllAtOnce' }),
    ),
    appspec: peerAlias(inputs, 'appspec', 'codedeploy-appspec', path),
    containerPort: inputs.integer('container-port', { min: 1, max: 65535 }),
    hooks: readHooks(inputs),
    vars: inputs.keyValues('vars'),
    secrets: readSecrets(inputs),
    waitUntil: readWaitUntil(inputs),
    requireDigest: inputs.boolean('require-digest', false),
    validateOnly,
    timeoutMs: readTimeout(inputs),
    keepEmptyKeys: inputs.list('keep-null-value-keys', {
      pattern: /^[A-Za-z][A-Za-z0-9]{0,254}$/,
      expected: 'task definition key names such as pidMode',
    }),
    desiredCount: inputs.integer('desired-count', { min: 0, max: 100_000 }),
    forceNewDeployment: inputs.boolean('force-new-deployment', false),
    enableEcsManagedTags: inputs.raw('enable-ecs-managed-tags') ? inputs.boolean('enable-ecs-managed-tags', false) : undefined,
    propagateTags: inputs.choice('propagate-tags', ['SERVICE', 'TASK_DEFINITION', 'NONE'] as const),
    serviceManagedEbsVolume: readServiceVolume(inputs),
    codedeployDescription: readDescription(inputs),
    runTask: readRunTask(inputs),
    ...readAlarms(inputs),
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
  if (result.requireDigest && result.image && !/@sha256:[a-f0-9]{64}$/.test(result.image)) {
    inputs.problem(
      'image',
      `must name the image by digest (repo@sha256:…) because require-digest is true, got ${JSON.stringify(result.image)}`,
    );
  }
  if (result.appspec && Object.keys(result.hooks).length > 0) {
    inputs.problem('hooks', 'applies to the generated AppSpec only; put the hooks in the appspec file instead');
  }
  refuseUncovered(inputs);
  if (!inputs.raw('appspec') && inputs.raw('codedeploy-appspec')) result.appspecInput = 'codedeploy-appspec';
  if (!inputs.raw('wait-until') && inputs.raw('wait-for-service-stability')) result.waitUntilInput = 'wait-for-service-stability';
  inputs.done('deploy-ecs');
  return result;
}

/**
 * An input of amazon-ecs-deploy-task-definition that names one of ours (codedeploy-appspec is
 * appspec): either may be given, both only when they agree.
 */
function peerAlias<T>(inputs: ActionInputs, ours: string, peers: string, read: (name: string) => T | undefined): T | undefined {
  const own = inputs.raw(ours);
  const theirs = inputs.raw(peers);
  if (own && theirs && own !== theirs) {
    return inputs.problem(
      peers,
      `names ${quote(theirs)} and '${ours}' names ${quote(own)}: give one of them (${peers} is amazon-ecs-deploy-task-definition's name for ${ours})`,
    );
  }
  return own || !theirs ? read(ours) : read(peers);
}

/**
 * wait-until, or the peer's wait-for-service-stability: true waits until the deployment succeeded
 * (wait-until: succeeded), false returns once it started (wait-until: none). Unlike the peer,
 * deploy-ecs waits by default.
 */
function readWaitUntil(inputs: ActionInputs): WaitUntil | undefined {
  const waitUntil = inputs.choice('wait-until', ['succeeded', 'ready', 'none'] as const);
  if (!inputs.raw('wait-for-service-stability')) return waitUntil;
  const stability = inputs.boolean('wait-for-service-stability', false) ? 'succeeded' : 'none';
  if (waitUntil && waitUntil !== stability && !(waitUntil === 'ready' && stability === 'succeeded')) {
    return inputs.problem(
      'wait-for-service-stability',
      `is ${inputs.raw('wait-for-service-stability')}, which means wait-until: ${stability}, but wait-until is ${waitUntil}`,
      'give wait-until alone (succeeded, ready or none)',
    );
  }
  return waitUntil ?? stability;
}

/** The peer caps wait-for-minutes at 6 hours. */
const maxWaitMinutes = 360;

/** timeout, or the peer's wait-for-minutes (whole minutes, at most 360), which bounds the whole run as timeout does. */
function readTimeout(inputs: ActionInputs): number {
  const timeout = inputs.duration('timeout', '30m');
  if (!inputs.raw('wait-for-minutes')) return timeout;
  const minutes = inputs.integer('wait-for-minutes', { min: 1, max: maxWaitMinutes });
  // The runner passes timeout's default (30m) even when the workflow did not set it.
  if (inputs.raw('timeout') && inputs.raw('timeout') !== '30m') {
    inputs.problem(
      'wait-for-minutes',
      `cannot be given with timeout (${inputs.raw('timeout')}): both set the deadline`,
      'give timeout alone, e.g. 45m',
    );
  }
  return minutes !== undefined ? minutes * 60_000 : timeout;
}

/**
 * The peer's inputs that deploy-ecs's design covers otherwise: refused with what to do instead,
 * rather than accepted and silently unused.
 */
function refuseUncovered(inputs: ActionInputs): void {
  if (inputs.raw('max-retries')) {
    inputs.problem(
      'max-retries',
      "is amazon-ecs-deploy-task-definition's count of AWS SDK attempts; deploy-ecs retries each call itself by error kind (throttling, server errors and dropped connections, up to 6 times with backoff; never AccessDenied or a bad request), and that count is not set by input",
      'leave max-retries out',
    );
  }
  if (inputs.raw('wait-max-delay-seconds')) {
    inputs.problem(
      'wait-max-delay-seconds',
      'sets the peer’s polling delay; deploy-ecs paces its own polls (every 2–8 s, within 12 describe calls a minute per service) and notices the end within about 5 s',
      'leave wait-max-delay-seconds out',
    );
  }
}

function readAlarms(inputs: ActionInputs): Pick<DeployEcsInputs, 'alarms' | 'alarmRollback'> {
  const names = inputs.list('alarms', { pattern: alarmName, expected: 'CloudWatch alarm names (up to 255 characters each, no comma)' });
  if (names.length > maxAlarms)
    inputs.problem('alarms', `takes at most ${maxAlarms} alarms (a CodeDeploy group's limit), got ${names.length}`);
  if (new Set(names).size !== names.length) inputs.problem('alarms', 'names an alarm twice');
  if (
    inputs.raw('alarms') &&
    names.length === 0 &&
    !inputs
      .raw('alarms')
      .split(/[,\n]/)
      .some((n) => n.trim())
  ) {
    inputs.problem('alarms', 'names no alarm', 'give CloudWatch alarm names separated by commas or newlines, or leave alarms out');
  }
  return {
    alarms: inputs.raw('alarms') ? names : undefined,
    alarmRollback: inputs.raw('alarm-rollback') ? inputs.boolean('alarm-rollback', true) : undefined,
  };
}

function readServiceVolume(inputs: ActionInputs): DeployEcsInputs['serviceManagedEbsVolume'] {
  return readVolumePair(inputs, 'service-managed-ebs-volume', readManagedEbsVolume);
}

/**
 * A managed EBS volume given as two inputs, `<prefix>-name` (the task definition's
 * configuredAtLaunch volume) and `<prefix>` (its settings as JSON): one without the other is
 * refused (the peer warns and leaves the volume out).
 */
function readVolumePair<V>(
  inputs: ActionInputs,
  prefix: string,
  read: (inputs: ActionInputs, name: string) => V | undefined,
): { name: string; volume: V } | undefined {
  const nameInput = `${prefix}-name`;
  const name = inputs.string(nameInput, {
    pattern: /^[A-Za-z0-9_-]{1,255}$/,
    expected: 'the name of a volume of the task definition (one with configuredAtLaunch: true)',
  });
  const volume = read(inputs, prefix);
  const hasName = inputs.raw(nameInput) !== '';
  const hasVolume = inputs.raw(prefix) !== '';
  if (hasName && !hasVolume) {
    inputs.problem(prefix, `is required with ${nameInput} (the volume's settings, roleArn at least)`);
  }
  if (hasVolume && !hasName) {
    inputs.problem(nameInput, `is required with ${prefix} (which volume of the task definition it configures)`);
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
    managedEbsVolume: readVolumePair(inputs, 'run-task-managed-ebs-volume', readTaskEbsVolume),
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
