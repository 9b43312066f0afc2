import type { EcsConfig, EnvironmentConfig } from '@expeditor/shared/config';
import { ExpeditorError, originError } from '@expeditor/shared/errors';
import { Settings } from '@expeditor/shared/settings';
import { ecsRefName } from '@expeditor/shared/patterns';
import { KiB, readUserFile } from '@expeditor/shared/workspace-file';
import type { AppSpec } from '@expeditor/codedeploy/appspec';
import type { DeployEcsInputs, HookName, PropagateTags, RunTaskInputs, Strategy, WaitUntil } from './inputs.ts';
import type { ManagedEbsVolume } from './json-inputs.ts';
import { renderTaskDefinition, type Origin, type Rendered, type TaskDefinitionInput } from './task-definition.ts';

export interface DeployEcsPlan {
  image: string;
  environment: string | undefined;
  /** The environment's region; undefined means the SDK's (AWS_REGION). */
  region: string | undefined;
  cluster: string;
  /** undefined: no service given, so the task definition is registered only (and a one-off task run). */
  service: string | undefined;
  clusterOrigin: Origin;
  serviceOrigin: Origin;
  strategy: Strategy | 'auto';
  strategyOrigin: Origin;
  container: string | undefined;
  containerOrigin: Origin;
  /** The task definition file, parsed; undefined = start from the service's current one. */
  /** The task definition file; `dropped` names the empty values left out (ECS rejects them). */
  template: { input: TaskDefinitionInput; file: string; dropped: string[] } | undefined;
  vars: Record<string, string>;
  secrets: Record<string, string>;
  secretsOrigin: Origin;
  codedeploy: {
    application: string | undefined;
    group: string | undefined;
    applicationOrigin: Origin;
    groupOrigin: Origin;
    deploymentConfig: string | undefined;
    deploymentConfigOrigin: Origin;
    testListener: string | undefined;
  };
  /** The AppSpec file; `input` is the input that named it (appspec or codedeploy-appspec). */
  appSpec: { spec: AppSpec; file: string; input?: string | undefined } | undefined;
  containerPort: number | undefined;
  hooks: Partial<Record<HookName, string>>;
  waitUntil: WaitUntil;
  waitUntilOrigin: Origin;
  timeoutMs: number;
  settings: Settings;
  /** For the CodeDeploy deployment's description: which commit and run deployed it. */
  source: { sha: string; runUrl: string };
  /** What UpdateService sets besides the task definition (each undefined/false when not asked). */
  update: {
    desiredCount: number | undefined;
    forceNewDeployment: boolean;
    enableEcsManagedTags: boolean | undefined;
    propagateTags: PropagateTags | undefined;
    managedEbsVolume: { name: string; volume: ManagedEbsVolume } | undefined;
  };
  codedeployDescription: string | undefined;
  runTask: RunTaskInputs | undefined;
  /** CloudWatch alarms the deployment is watched by (undefined: the service's or group's own settings stay). */
  alarms: DeploymentAlarms | undefined;
}

/** The alarms input or ecs.alarms, and whether an alarm rolls back (alarm-rollback, default true). */
export interface DeploymentAlarms {
  names: string[];
  rollback: boolean;
  origin: Origin;
}

export interface PlanContext {
  workspace: string;
  /** RUNNER_TEMP, where amazon-ecs-render-task-definition and other steps write their files. */
  runnerTemp?: string | undefined;
  sha: string;
  runUrl: string;
}

/**
 * The deploy's plan from the inputs, the environment file and the files they name; no network.
 * Async only because the parsers (YAML, the schemas) load when a file is read: a deploy given
 * only a cluster and a service reaches its first request without them.
 */
export async function planDeployEcs(inputs: DeployEcsInputs, context: PlanContext): Promise<DeployEcsPlan> {
  let env: EnvironmentConfig | undefined;
  const envName = inputs.environment;
  if (envName) {
    const { environmentOf, loadConfig } = await import('@expeditor/shared/config');
    const config = loadConfig(context.workspace, inputs.config);
    env = environmentOf(config, envName, inputs.config);
    if (!env.ecs && (!inputs.cluster || !inputs.service)) {
      throw new ExpeditorError(`environment ${envName} in ${inputs.config} has no ecs section`, {
        key: `environments.${envName}.ecs`,
        input: env.eks ? 'environment' : undefined,
        unchanged: 'nothing was changed',
        next: env.eks
          ? 'this environment runs on EKS: use deploy-eks'
          : `add environments.${envName}.ecs (cluster, service) or give the cluster and service inputs`,
      });
    }
  }
  const ecs = env?.ecs;
  const key = (k: string): string => `environments.${envName}.${k}`;
  const settings = new Settings();
  const pick = (
    name: string,
    input: string,
    value: string | undefined,
    fileKey: string,
    fileValue: string | undefined,
    fallback?: string,
  ) => settings.pick(name, { name: input, value }, ecs ? { key: key(fileKey), value: fileValue } : undefined, fallback);
  const originOf = (input: string, value: string | undefined, fileKey: string): Origin =>
    value !== undefined && value !== '' ? { input } : ecs ? { key: key(fileKey) } : { input };

  const serviceRef = pick('service', 'service', inputs.service, 'ecs.service', ecs?.service);
  if (!serviceRef) refuseServiceSettings(inputs);
  // Names or ARNs, as ECS takes them; the plan keeps names (CodeDeploy and the console want them).
  const fromService = serviceRef ? ecsRefName(serviceRef) : { name: undefined, cluster: undefined };
  const clusterRef =
    pick('cluster', 'cluster', inputs.cluster, 'ecs.cluster', ecs?.cluster) ??
    (fromService.cluster
      ? settings.derive('cluster', fromService.cluster, 'the service ARN')
      : settings.derive('cluster', 'default', 'default (as in ECS)'));
  const cluster = ecsRefName(clusterRef).name;
  const service = fromService.name;
  if (fromService.cluster && fromService.cluster !== cluster) {
    throw originError(
      originOf('service', inputs.service, 'ecs.service'),
      `the service ARN ${serviceRef} is in cluster ${fromService.cluster}, but the cluster is ${cluster}`,
      {
        unchanged: 'nothing was changed',
        next: 'give the service of the cluster, or leave the cluster out (the service ARN names it)',
      },
    );
  }
  const strategy = pick('strategy', 'strategy', inputs.strategy, 'ecs.strategy', ecs?.strategy, 'auto') as Strategy | 'auto';
  const container = pick('container', 'container', inputs.container, 'ecs.container', ecs?.container);
  const taskDefinitionFile = pick(
    'task definition file',
    'task-definition',
    inputs.taskDefinition,
    'ecs.task-definition',
    ecs?.['task-definition'],
  );
  const waitUntil = pick('wait until', 'wait-until', inputs.waitUntil, 'ecs.wait-until', ecs?.['wait-until'], 'succeeded') as WaitUntil;
  const cd = ecs?.codedeploy;
  const alarms = planAlarms(inputs, ecs, settings, key);
  const application = pick(
    'CodeDeploy application',
    'codedeploy-application',
    inputs.codedeployApplication,
    'ecs.codedeploy.application',
    cd?.application,
  );
  const group = pick(
    'CodeDeploy group',
    'codedeploy-deployment-group',
    inputs.codedeployDeploymentGroup,
    'ecs.codedeploy.deployment-group',
    cd?.['deployment-group'],
  );
  const deploymentConfig = pick(
    'deployment config',
    'deployment-config',
    inputs.deploymentConfig,
    'ecs.codedeploy.deployment-config',
    cd?.['deployment-config'],
  );

  const taskDefinitionOrigin = originOf('task-definition', inputs.taskDefinition, 'ecs.task-definition');
  if (inputs.keepEmptyKeys?.length && !taskDefinitionFile) {
    throw originError(
      { input: 'keep-null-value-keys' },
      "applies to a task definition file, and none is given (the service's current task definition has no empty values to keep)",
      {
        unchanged: 'nothing was registered or deployed',
        next: "give the file in 'task-definition', or leave keep-null-value-keys out",
      },
    );
  }
  const template = taskDefinitionFile
    ? {
        ...(await import('./task-definition-file.ts')).readTaskDefinitionFile(
          readWorkspaceFile(context, taskDefinitionFile, taskDefinitionOrigin),
          taskDefinitionFile,
          taskDefinitionOrigin,
          inputs.keepEmptyKeys,
        ),
        file: taskDefinitionFile,
      }
    : undefined;
  const appSpec = inputs.appspec
    ? {
        spec: (await import('@expeditor/codedeploy/appspec')).parseAppSpec(
          readWorkspaceFile(context, inputs.appspec, { input: inputs.appspecInput ?? 'appspec' }),
          inputs.appspec,
        ),
        file: inputs.appspec,
        input: inputs.appspecInput ?? 'appspec',
      }
    : undefined;

  // Variables and secrets: the environment's, then the inputs' (which win name by name).
  const vars = { ...env?.vars, ...inputs.vars };
  const secrets = { ...env?.secrets, ...inputs.secrets };
  const secretsOrigin: Origin = Object.keys(inputs.secrets).length > 0 || !env?.secrets ? { input: 'secrets' } : { key: key('secrets') };
  if (Object.keys(vars).length)
    settings.provenance.push({
      name: 'variables',
      value: Object.keys(vars).join(', '),
      source: 'file',
      from: describeSources(Object.keys(env?.vars ?? {}), Object.keys(inputs.vars), key('vars'), 'vars'),
    });
  if (Object.keys(secrets).length)
    settings.provenance.push({
      name: 'secrets',
      value: Object.keys(secrets).join(', '),
      source: 'file',
      from: describeSources(Object.keys(env?.secrets ?? {}), Object.keys(inputs.secrets), key('secrets'), 'secrets'),
    });

  return {
    image: inputs.image,
    environment: envName,
    region: env?.aws.region,
    cluster,
    service,
    clusterOrigin: originOf('cluster', inputs.cluster, 'ecs.cluster'),
    serviceOrigin: originOf('service', inputs.service, 'ecs.service'),
    strategy,
    strategyOrigin: originOf('strategy', inputs.strategy, 'ecs.strategy'),
    container,
    containerOrigin: originOf('container', inputs.container, 'ecs.container'),
    template,
    vars,
    secrets,
    secretsOrigin,
    codedeploy: {
      application,
      group,
      applicationOrigin: originOf('codedeploy-application', inputs.codedeployApplication, 'ecs.codedeploy.application'),
      groupOrigin: originOf('codedeploy-deployment-group', inputs.codedeployDeploymentGroup, 'ecs.codedeploy.deployment-group'),
      deploymentConfig,
      deploymentConfigOrigin: originOf('deployment-config', inputs.deploymentConfig, 'ecs.codedeploy.deployment-config'),
      testListener: cd?.['test-listener'],
    },
    appSpec,
    containerPort: inputs.containerPort,
    hooks: inputs.hooks,
    waitUntil,
    waitUntilOrigin: originOf(inputs.waitUntilInput ?? 'wait-until', inputs.waitUntil, 'ecs.wait-until'),
    timeoutMs: inputs.timeoutMs,
    settings,
    source: { sha: context.sha, runUrl: context.runUrl },
    update: {
      desiredCount: inputs.desiredCount,
      forceNewDeployment: inputs.forceNewDeployment,
      enableEcsManagedTags: inputs.enableEcsManagedTags,
      propagateTags: inputs.propagateTags,
      managedEbsVolume: inputs.serviceManagedEbsVolume,
    },
    codedeployDescription: inputs.codedeployDescription,
    runTask: inputs.runTask,
    alarms,
  };
}

/** The alarms from the input or the environment file; alarm-rollback alone would be unused, so it is refused. */
function planAlarms(
  inputs: DeployEcsInputs,
  ecs: EcsConfig | undefined,
  settings: Settings,
  key: (k: string) => string,
): DeployEcsPlan['alarms'] {
  const fromInput = inputs.alarms !== undefined;
  const names = inputs.alarms ?? ecs?.alarms;
  const rollbackFromInput = inputs.alarmRollback !== undefined;
  const rollback = inputs.alarmRollback ?? ecs?.['alarm-rollback'];
  if (!names) {
    if (rollback === undefined) return undefined;
    throw originError(
      rollbackFromInput ? { input: 'alarm-rollback' } : { key: key('ecs.alarm-rollback') },
      'applies only with alarms, and none are given: there is no alarm to roll back on',
      {
        unchanged: 'nothing was registered or deployed',
        next: "name the CloudWatch alarms in the 'alarms' input (or ecs.alarms), or leave alarm-rollback out",
      },
    );
  }
  const origin = fromInput ? { input: 'alarms' } : { key: key('ecs.alarms') };
  settings.provenance.push({
    name: 'alarms',
    value: names.join(', '),
    source: fromInput ? 'input' : 'file',
    from: fromInput ? "input 'alarms'" : key('ecs.alarms'),
  });
  settings.pick(
    'roll back on alarm',
    { name: 'alarm-rollback', value: inputs.alarmRollback },
    ecs ? { key: key('ecs.alarm-rollback'), value: ecs['alarm-rollback'] } : undefined,
    true,
  );
  return { names, rollback: rollback ?? true, origin };
}

/**
 * With no service the task definition is registered only: settings that act on a service would
 * be silently unused, so each is refused, naming it (before any request).
 */
function refuseServiceSettings(inputs: DeployEcsInputs): void {
  const given: [string, boolean][] = [
    ['cluster', inputs.cluster !== undefined && !inputs.runTask],
    ['strategy', inputs.strategy !== undefined],
    [inputs.waitUntilInput ?? 'wait-until', inputs.waitUntil !== undefined],
    ['codedeploy-application', inputs.codedeployApplication !== undefined],
    ['codedeploy-deployment-group', inputs.codedeployDeploymentGroup !== undefined],
    ['deployment-config', inputs.deploymentConfig !== undefined],
    ['codedeploy-deployment-description', inputs.codedeployDescription !== undefined],
    [inputs.appspecInput ?? 'appspec', inputs.appspec !== undefined],
    ['container-port', inputs.containerPort !== undefined],
    ['hooks', Object.keys(inputs.hooks).length > 0],
    ['desired-count', inputs.desiredCount !== undefined],
    ['force-new-deployment', inputs.forceNewDeployment],
    ['propagate-tags', inputs.propagateTags !== undefined],
    ['service-managed-ebs-volume-name', inputs.serviceManagedEbsVolume !== undefined],
    // Managed tags also apply to the one-off task.
    ['enable-ecs-managed-tags', inputs.enableEcsManagedTags !== undefined && !inputs.runTask],
    ['alarms', inputs.alarms !== undefined],
    ['alarm-rollback', inputs.alarmRollback !== undefined],
  ];
  const found = given.filter(([, isGiven]) => isGiven).map(([name]) => name);
  const first = found[0];
  if (!first) return;
  throw new ExpeditorError(
    `input '${first}': no service is given, so deploy-ecs only registers the task definition${inputs.runTask ? ' and runs the one-off task' : ''}, and ${found.map((n) => `'${n}'`).join(', ')} would not be used`,
    {
      input: first,
      unchanged: 'nothing was registered or deployed',
      next: "give the 'service' input (or an environment) to deploy, or leave the service settings out to register only",
    },
  );
}

function describeSources(fromFile: string[], fromInput: string[], fileKey: string, input: string): string {
  const parts = [];
  if (fromFile.length) parts.push(fileKey);
  if (fromInput.length) parts.push(`input '${input}'`);
  return parts.join(' + ');
}

/** Task definitions and AppSpecs: inside the workspace or RUNNER_TEMP (links resolved), at most 256 KiB. */
function readWorkspaceFile(context: PlanContext, path: string, origin: Origin): string {
  return readUserFile(path, {
    workspace: context.workspace,
    alsoUnder: context.runnerTemp ? [context.runnerTemp] : undefined,
    origin,
    maxBytes: 256 * KiB,
    unchanged: 'nothing was registered or deployed',
  });
}

/** The task definition to register from `template` with the plan's image, container, variables and secrets (the deploy's and validate-only's). */
export function renderForPlan(plan: DeployEcsPlan, template: TaskDefinitionInput): Rendered {
  return renderTaskDefinition(template, {
    image: plan.image,
    container: plan.container,
    containerOrigin: plan.containerOrigin,
    vars: plan.vars,
    secrets: plan.secrets,
    secretsOrigin: plan.secretsOrigin,
  });
}
