// deploy-ecs's core: read the service, render and check everything, register the task
// definition, then deploy it rolling or blue/green and wait as asked. Every check that can fail
// on bad input runs before the first write (RegisterTaskDefinition).
import { cancelledLeaving, writeSignal } from '@expeditor/shared/cancel-write';
import {
  DescribeTaskDefinitionCommand,
  RegisterTaskDefinitionCommand,
  type TaskDefinition,
  UpdateServiceCommand,
  type Service,
  type ServiceManagedEBSVolumeConfiguration,
  type UpdateServiceCommandInput,
} from '@aws-sdk/client-ecs';
import type { DeploymentConfigInfo } from '@aws-sdk/client-codedeploy';
import { ExpeditorError, type Origin } from '@expeditor/shared/errors';
import type { Log } from '@expeditor/shared/log';
import { appSpecContent, hooksOf, targetOf, withTaskDefinition, type AppSpec } from '@expeditor/codedeploy/appspec';
import { awsCall, type CallContext } from '@expeditor/aws/call';
import { codeDeployConsoleUrl, consoleOrigin, ecsConsoleUrl } from '@expeditor/aws/clients';
import {
  checkDeploymentConfig,
  checkGroup,
  createDeployment,
  defaultCodeDeployNames,
  describeRouting,
  type GroupFacts,
} from '@expeditor/codedeploy/group';
import { trafficWords } from '@expeditor/codedeploy/follow';
import { deploymentDescription } from '@expeditor/codedeploy/description';
import { ecsTargetId } from '@expeditor/codedeploy/target';
import { followOrStop } from '@expeditor/codedeploy/stop';
import { ALARM_ACTIVE, groupAlarmUpdate, setGroupAlarms } from '@expeditor/codedeploy/alarms';
import { DeploymentFailedError } from '@expeditor/codedeploy/follow';
import { checkAlarms } from './alarms.ts';
import { blueGreenAlarmError } from './bluegreen-alarms.ts';
import { withDeploymentAlarms, type RollingAlarms } from './rolling-alarms.ts';
import { checkLaunchVolume } from './launch-volume.ts';
import { renderForPlan, type DeployEcsPlan } from './plan.ts';
import { deployRolling, shortTd } from './rolling.ts';
import { currentTaskDefinition, describeService, serviceOriginError, strategyFor } from './service.ts';
import type { Rendered } from './task-definition.ts';
import { checkedAppSpec, generatedAppSpec } from './service-appspec.ts';
import { prepareRunTask, runOneOffTask, type RunTaskResult } from './run-task.ts';
import type { PollTiming } from '@expeditor/aws/pacing';
import type { Strategy } from './inputs.ts';
import type { EcsClients } from '@expeditor/codedeploy/clients';

export type { EcsClients };

export interface DeployContext {
  log: Log;
  signal?: AbortSignal | undefined;
  timing?: PollTiming | undefined;
}

export interface DeployEcsResult {
  /** How it deployed; register-only when no service was given (the task definition registered only). */
  strategy: Strategy | 'register-only';
  taskDefinitionArn: string;
  previousTaskDefinitionArn: string | undefined;
  /** The image the container ran before this deploy (for a rollback's record). */
  previousImage: string | undefined;
  container: string;
  /** '' when registered only. */
  deploymentId: string;
  /** COMPLETED / IN_PROGRESS (rolling); Ready / Succeeded / TrafficShifted / Created (blue/green); REGISTERED (registered only). */
  status: string;
  consoleUrl: string;
  /** Epoch ms at which the end of the wait was noticed. */
  noticedAt: number | undefined;
  startedAt: number;
  /** The one-off task (run-task: true). */
  runTask?: RunTaskResult | undefined;
  /** Blue/green facts for the summary. */
  blueGreen?: {
    application: string;
    group: string;
    deploymentConfig: string;
    routing: string;
    traffic: string;
    testListeners: string[];
    readyUntil: string | undefined;
    terminationWaitMinutes: number;
  };
  runningCount?: number | undefined;
  desiredCount?: number | undefined;
}

/** Stage names for the unchanged-state of errors. */
const NOTHING = 'nothing was registered or deployed';

export async function deployEcs(plan: DeployEcsPlan, clients: EcsClients, context: DeployContext): Promise<DeployEcsResult> {
  const { log } = context;
  const startedAt = Date.now();
  const call: CallContext = { signal: context.signal, log, unchanged: NOTHING };
  const serviceName = plan.service;

  // 1. Read and check (no writes).
  const heading = serviceName
    ? `Prepare: service ${serviceName} in cluster ${plan.cluster}`
    : `Prepare: register ${plan.template?.file ?? 'the task definition'} only (no service given)`;
  const preparing = log.group(heading, async () => {
    const service = serviceName
      ? await describeService(
          clients.ecs,
          { cluster: plan.cluster, service: serviceName, clusterOrigin: plan.clusterOrigin, serviceOrigin: plan.serviceOrigin },
          call,
        )
      : undefined;
    const strategy = service ? strategyFor(service, plan.strategy, plan.strategyOrigin, plan.serviceOrigin) : undefined;
    if (service) {
      log.info(
        `service ${service.serviceName}: ${service.deploymentController?.type ?? 'ECS'} controller → ${strategy}; runs ${shortTd(service.taskDefinition)} (${service.runningCount ?? 0}/${service.desiredCount ?? 0} tasks)`,
      );
    }
    if (strategy === 'rolling') refuseBlueGreenSettings(plan, service?.serviceName ?? serviceName ?? '');
    if (strategy === 'rolling' && plan.waitUntil === 'ready') {
      throw serviceOriginError(
        plan.waitUntilOrigin,
        'ready applies to blue/green deployments only; a rolling deployment has no Ready stage',
        'use succeeded or none',
      );
    }
    if (!service && !plan.template) {
      throw new ExpeditorError('no service is given and no task definition file: there is nothing to register', {
        input: 'task-definition',
        unchanged: NOTHING,
        next: "give the task definition file in the 'task-definition' input, or a service to deploy",
      });
    }
    const template = plan.template?.input ?? (await currentTaskDefinition(clients.ecs, service as Service, call));
    log.info(
      plan.template
        ? `task definition from ${plan.template.file} (family ${template.family})`
        : `task definition from the service's current ${shortTd(service?.taskDefinition)}`,
    );
    // Top-level keys first: they say most about the file.
    const dropped = [...(plan.template?.dropped ?? [])].sort((a, b) => a.split('.').length - b.split('.').length);
    if (dropped.length > 0) {
      const shown = dropped.slice(0, 12).join(', ') + (dropped.length > 12 ? `, … (${dropped.length - 12} more)` : '');
      log.info(`left out empty values ECS would reject: ${shown}`);
    }
    const rendered = renderForPlan(plan, template);
    for (const change of rendered.changes) log.info(change);
    if (service && strategy) checkServiceUpdate(plan, strategy, service, rendered);
    // A missing alarm is refused here, before the first write: the deployment would go unwatched.
    if (plan.alarms) {
      await checkAlarms(clients.cloudwatch, plan.alarms, call);
      log.info(
        `watched by CloudWatch alarms ${plan.alarms.names.join(', ')} (${strategy === 'blue-green' ? "the CodeDeploy group's alarms" : 'ECS deployment alarms'}; ${plan.alarms.rollback ? 'rolls back' : 'no rollback'} when one fires)`,
      );
    }
    const blueGreen = service && strategy === 'blue-green' ? await prepareBlueGreen(plan, clients, service, rendered, call) : undefined;
    const runTask = plan.runTask
      ? prepareRunTask(plan.runTask, rendered, service, { cluster: plan.cluster, enableEcsManagedTags: plan.update.enableEcsManagedTags })
      : undefined;
    // The image that ran before, for the record a rollback returns to (from the service's task
    // definition; a template file's image is not what ran).
    const previousImage = !service
      ? undefined
      : plan.template
        ? await currentTaskDefinition(clients.ecs, service, call)
            .then((running) => running.containerDefinitions?.find((c) => c.name === rendered.container)?.image)
            .catch(() => undefined)
        : rendered.previousImage;
    return { service, strategy, rendered, blueGreen, runTask, previousImage };
  });
  // A cancel here has written nothing: the error says so rather than a bare 'cancelled'.
  const prepared = await preparing.catch(cancelledLeaving(NOTHING));
  const { service, strategy, rendered, blueGreen, previousImage } = prepared;
  const previousTaskDefinitionArn = service?.taskDefinition;

  // 2. Register (the first write).
  // A retry after a lost answer (the revision registered, the reply reset) would register a second
  // revision: before trying again, the family's newest revision is taken if it is this one.
  let tried = false;
  const registered = await awsCall(
    'ecs:RegisterTaskDefinition',
    `task definition family ${rendered.input.family}`,
    async (abortSignal) => {
      if (tried) {
        // Not caught: if this read fails too, the attempt is tried again, read first again.
        const latest = await clients.ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: rendered.input.family }), {
          abortSignal,
        });
        if (latest?.taskDefinition && sameRegistration(latest.taskDefinition, rendered.input)) {
          log.info(`${latest.taskDefinition.taskDefinitionArn} was registered by the attempt whose answer was lost: using it`);
          return latest;
        }
      }
      tried = true;
      return clients.ecs.send(new RegisterTaskDefinitionCommand(rendered.input), { abortSignal });
    },
    // Not cut off once sent: a revision registered by a cancelled run is then named as such.
    { ...call, signal: writeSignal(context.signal, 'ecs:RegisterTaskDefinition', NOTHING) },
  );
  const taskDefinitionArn = registered.taskDefinition?.taskDefinitionArn;
  if (!taskDefinitionArn) throw new ExpeditorError('RegisterTaskDefinition answered without an ARN', { unchanged: NOTHING });
  log.info(`registered ${taskDefinitionArn}`);
  const notDeployed = service
    ? `the service was not updated: it still runs ${previousTaskDefinitionArn}; ${taskDefinitionArn} is registered but not deployed`
    : `nothing was deployed; ${taskDefinitionArn} is registered`;

  // 3. The one-off task (a migration), before the service is touched.
  let runTask: RunTaskResult | undefined;
  if (prepared.runTask) {
    const runPrepared = prepared.runTask;
    runTask = await log.group(`One-off task of ${shortTd(taskDefinitionArn)}`, () =>
      runOneOffTask({
        ecs: clients.ecs,
        region: clients.region,
        cluster: plan.cluster,
        taskDefinitionArn,
        prepared: runPrepared,
        unchanged: notDeployed,
        log,
        signal: context.signal,
        timing: context.timing,
      }),
    );
  }

  const base = {
    taskDefinitionArn,
    previousTaskDefinitionArn,
    previousImage,
    container: rendered.container,
    startedAt,
    runTask,
  };

  if (!service || !strategy || !serviceName) {
    log.info(
      `registered only: no service given, so nothing was deployed${runTask ? ` (one-off task ${runTask.taskArns.map((a) => a.split('/').pop()).join(', ')} ${runTask.status === 'STOPPED' ? 'ran' : 'started'})` : ''}`,
    );
    return {
      ...base,
      strategy: 'register-only',
      deploymentId: '',
      status: 'REGISTERED',
      consoleUrl: taskDefinitionConsoleUrl(clients.region, taskDefinitionArn),
      noticedAt: undefined,
    };
  }

  // 4. Deploy and wait.
  if (strategy === 'rolling') {
    const rolling = await log.group(`Rolling deployment of ${shortTd(taskDefinitionArn)}`, () =>
      deployRolling({
        ecs: clients.ecs,
        cluster: plan.cluster,
        service: serviceName,
        taskDefinitionArn,
        previousTaskDefinitionArn,
        before: service,
        waitUntil: plan.waitUntil === 'none' ? 'none' : 'succeeded',
        update: rollingUpdate(plan, service, log),
        alarms: rollingAlarms(plan, service, clients),
        log,
        signal: context.signal,
        timing: context.timing,
      }),
    );
    return {
      ...base,
      strategy,
      deploymentId: rolling.deploymentId,
      status: rolling.status,
      consoleUrl: ecsConsoleUrl(clients.region, plan.cluster, serviceName),
      noticedAt: rolling.noticedAt,
      runningCount: rolling.runningCount,
      desiredCount: rolling.desiredCount,
    };
  }

  if (!blueGreen) throw new Error('blue/green without its preparation');
  await updateBlueGreenService(plan, clients, serviceName, { ...call, unchanged: notDeployed });
  await setBlueGreenAlarms(plan, clients, blueGreen, { ...call, unchanged: notDeployed });
  const spec = withTaskDefinition(blueGreen.spec, taskDefinitionArn);
  // bluegreen-switch reads the previous task definition back to roll back after success.
  const description = blueGreenDescription(plan, previousTaskDefinitionArn, log);
  const notCreated = `the service still runs ${previousTaskDefinitionArn}; ${taskDefinitionArn} is registered but not deployed`;
  // Not cut off by a cancel once sent: the follow below then stops with rollback what it created.
  const createSignal = writeSignal(context.signal, 'codedeploy:CreateDeployment', notCreated);
  const deploymentId = await createDeployment(
    clients.codedeploy,
    {
      application: blueGreen.application,
      group: blueGreen.group,
      deploymentConfig: plan.codedeploy.deploymentConfig,
      appSpecContent: appSpecContent(spec),
      description,
    },
    { ...call, signal: createSignal, unchanged: notCreated },
  );
  const consoleUrl = codeDeployConsoleUrl(clients.region, deploymentId);
  log.info(`CodeDeploy deployment ${deploymentId} created (${blueGreen.routing}): ${consoleUrl}`);
  const facts = {
    application: blueGreen.application,
    group: blueGreen.group,
    deploymentConfig: blueGreen.configName,
    routing: blueGreen.routing,
    traffic: '',
    testListeners: [...blueGreen.group_.testListeners, ...(plan.codedeploy.testListener ? [plan.codedeploy.testListener] : [])],
    readyUntil: undefined as string | undefined,
    terminationWaitMinutes: blueGreen.group_.terminationWaitMinutes,
  };
  if (plan.waitUntil === 'none') {
    return { ...base, strategy, deploymentId, status: 'Created', consoleUrl, noticedAt: undefined, blueGreen: facts };
  }
  const followed = await log.group(
    `Blue/green deployment ${deploymentId} until ${plan.waitUntil === 'ready' ? 'Ready' : 'Succeeded'}`,
    () =>
      followOrStopOnAlarm(
        plan,
        clients,
        {
          taskDefinitionArn,
          previousTaskDefinitionArn,
          groupAlarms: (blueGreen.group_.info.alarmConfiguration?.alarms ?? []).flatMap((a) => (a.name ? [a.name] : [])),
          log,
          context,
        },
        {
          codedeploy: clients.codedeploy,
          deploymentId,
          until: plan.waitUntil === 'ready' ? 'ready' : 'succeeded',
          atReady: 'wait',
          log,
          signal: context.signal,
          timing: context.timing,
          justCreated: true,
          targetId: ecsTargetId(service.clusterArn?.split('/').pop(), service.serviceName),
          describeWait: plan.waitUntil === 'ready' ? 'Ready' : 'Succeeded',
        },
      ),
  );
  facts.traffic = trafficWords(followed.target);
  if (followed.status === 'Ready' && blueGreen.group_.readyWaitMinutes) {
    facts.readyUntil = new Date(followed.noticedAt + blueGreen.group_.readyWaitMinutes * 60_000).toISOString();
    log.info(`held at Ready: green takes test traffic only; CodeDeploy stops the deployment if nobody continues it by ${facts.readyUntil}`);
  }
  return { ...base, strategy, deploymentId, status: followed.status, consoleUrl, noticedAt: followed.noticedAt, blueGreen: facts };
}

/** CreateDeployment's description is cut at this length (codedeploy/group). */
const DESCRIPTION_MAX = 512;

/**
 * The CodeDeploy deployment's description: the user's text (codedeploy-deployment-description)
 * first, then the protocol bluegreen-switch reads back (headline, commit, run, previous task
 * definition). The user's text is shortened, never the protocol, when both would not fit.
 */
export function blueGreenDescription(
  plan: Pick<DeployEcsPlan, 'image' | 'source' | 'codedeployDescription'>,
  previousTaskDefinitionArn: string | undefined,
  log?: Log,
): string {
  const protocol = deploymentDescription({
    headline: `Expeditor deploy-ecs: ${plan.image}`,
    commit: plan.source.sha,
    runUrl: plan.source.runUrl,
    previousTaskDefinition: previousTaskDefinitionArn,
  });
  const own = plan.codedeployDescription;
  if (!own) return protocol;
  const room = DESCRIPTION_MAX - protocol.length - 2;
  if (own.length <= room) return `${own}; ${protocol}`;
  if (room < 2) {
    log?.warning(
      'codedeploy-deployment-description left out: the deployment record (image, commit, run, previous task definition) fills the 512 characters CodeDeploy keeps',
    );
    return protocol;
  }
  log?.warning(
    `codedeploy-deployment-description shortened to ${room} characters: CodeDeploy keeps 512, and the deployment record after it (${protocol.length}) must stay whole`,
  );
  return `${own.slice(0, room - 1)}…; ${protocol}`;
}

/**
 * The alarms that watch a rolling deployment: this run's, else the ones the service already has
 * (ECS fails the deployment on those too; without a CloudWatch client they are named as a list).
 */
function rollingAlarms(plan: DeployEcsPlan, service: Service, clients: EcsClients): RollingAlarms | undefined {
  if (plan.alarms) return { names: plan.alarms.names, rollback: plan.alarms.rollback, cloudwatch: clients.cloudwatch };
  const own = service.deploymentConfiguration?.alarms;
  if (!own?.enable || !own.alarmNames?.length) return undefined;
  return { names: own.alarmNames, rollback: own.rollback === true, cloudwatch: undefined };
}

/** Follows the CodeDeploy deployment; a stop by one of the group's alarms becomes an error naming it, once blue is back. */
async function followOrStopOnAlarm(
  plan: DeployEcsPlan,
  clients: EcsClients,
  at: {
    taskDefinitionArn: string;
    previousTaskDefinitionArn: string | undefined;
    /** The group's alarms as they were before this run (named when the run sets none). */
    groupAlarms: string[];
    log: Log;
    context: DeployContext;
  },
  options: Parameters<typeof followOrStop>[0],
): ReturnType<typeof followOrStop> {
  const startedAt = new Date();
  try {
    return await followOrStop(options);
  } catch (error) {
    if (!(error instanceof DeploymentFailedError) || error.code !== ALARM_ACTIVE) throw error;
    throw await blueGreenAlarmError(error, {
      codedeploy: clients.codedeploy,
      cloudwatch: clients.cloudwatch,
      alarms: plan.alarms?.names ?? at.groupAlarms,
      taskDefinitionArn: at.taskDefinitionArn,
      previousTaskDefinitionArn: at.previousTaskDefinitionArn,
      startedAt,
      log: at.log,
      signal: at.context.signal,
      timing: at.context.timing,
    });
  }
}

/** The group's alarms and DEPLOYMENT_STOP_ON_ALARM rollback, set before the deployment (only when they differ). */
async function setBlueGreenAlarms(plan: DeployEcsPlan, clients: EcsClients, blueGreen: BlueGreenPrep, call: CallContext): Promise<void> {
  if (!plan.alarms) return;
  const update = groupAlarmUpdate(blueGreen.group_.info, plan.alarms);
  if (!update) {
    call.log.info(`deployment group ${blueGreen.group} already has alarms ${plan.alarms.names.join(', ')}`);
    return;
  }
  await setGroupAlarms(clients.codedeploy, { application: blueGreen.application, group: blueGreen.group }, update, call);
  call.log.info(
    `UpdateDeploymentGroup set alarms ${plan.alarms.names.join(', ')} on ${blueGreen.group}; rollback events: ${update.autoRollbackConfiguration.events?.join(', ') || 'none'}`,
  );
}

/** UpdateService's fields beyond the task definition, for a rolling deployment (logged when set). */
function rollingUpdate(
  plan: DeployEcsPlan,
  service: Service,
  log: Log,
): Omit<UpdateServiceCommandInput, 'cluster' | 'service' | 'taskDefinition'> {
  const u = plan.update;
  const update: Omit<UpdateServiceCommandInput, 'cluster' | 'service' | 'taskDefinition'> = {
    ...(plan.alarms ? { deploymentConfiguration: withDeploymentAlarms(service.deploymentConfiguration, plan.alarms) } : {}),
    ...(u.desiredCount !== undefined ? { desiredCount: u.desiredCount } : {}),
    ...(u.forceNewDeployment ? { forceNewDeployment: true } : {}),
    ...(u.enableEcsManagedTags !== undefined ? { enableECSManagedTags: u.enableEcsManagedTags } : {}),
    ...(u.propagateTags ? { propagateTags: u.propagateTags } : {}),
    ...(u.managedEbsVolume
      ? {
          volumeConfigurations: [
            { name: u.managedEbsVolume.name, managedEBSVolume: u.managedEbsVolume.volume as ServiceManagedEBSVolumeConfiguration },
          ],
        }
      : {}),
  };
  const words = updateWords(update);
  if (words) log.info(`UpdateService also sets ${words}`);
  return update;
}

function updateWords(update: Partial<UpdateServiceCommandInput>): string {
  const parts: string[] = [];
  if (update.desiredCount !== undefined) parts.push(`desired count ${update.desiredCount}`);
  if (update.forceNewDeployment) parts.push('force new deployment');
  if (update.enableECSManagedTags !== undefined) parts.push(`ECS managed tags ${update.enableECSManagedTags ? 'on' : 'off'}`);
  if (update.propagateTags) parts.push(`propagate tags ${update.propagateTags}`);
  const alarms = update.deploymentConfiguration?.alarms;
  if (alarms) parts.push(`deployment alarms ${alarms.alarmNames?.join(', ')} (rollback ${alarms.rollback ? 'on' : 'off'})`);
  for (const v of update.volumeConfigurations ?? []) {
    parts.push(
      `managed EBS volume ${v.name} (${v.managedEBSVolume?.volumeType ?? 'gp3'}${v.managedEBSVolume?.sizeInGiB ? `, ${v.managedEBSVolume.sizeInGiB} GiB` : ''})`,
    );
  }
  return parts.join(', ');
}

/**
 * A CODE_DEPLOY service takes the desired count and the tag settings through UpdateService (never
 * the task definition): set them before the CodeDeploy deployment, so green starts with them.
 */
async function updateBlueGreenService(plan: DeployEcsPlan, clients: EcsClients, service: string, call: CallContext): Promise<void> {
  const u = plan.update;
  const update = {
    ...(u.desiredCount !== undefined ? { desiredCount: u.desiredCount } : {}),
    ...(u.enableEcsManagedTags !== undefined ? { enableECSManagedTags: u.enableEcsManagedTags } : {}),
    ...(u.propagateTags ? { propagateTags: u.propagateTags } : {}),
  };
  const words = updateWords(update);
  if (!words) return;
  await awsCall(
    'ecs:UpdateService',
    `service ${service} in cluster ${plan.cluster}`,
    (abortSignal) => clients.ecs.send(new UpdateServiceCommand({ cluster: plan.cluster, service, ...update }), { abortSignal }),
    call,
  );
  call.log.info(`UpdateService set ${words} on service ${service} (a CODE_DEPLOY service takes these outside the deployment)`);
}

/**
 * What UpdateService would refuse, or what would be silently unused, refused before anything is
 * registered: ECS takes neither forceNewDeployment nor volume configurations for a CODE_DEPLOY
 * service, and a managed EBS volume must be one of the task definition's configuredAtLaunch volumes.
 */
export function checkServiceUpdate(plan: DeployEcsPlan, strategy: Strategy, service: Service, rendered: Rendered): void {
  const name = service.serviceName ?? plan.service ?? '';
  if (strategy === 'blue-green' && plan.update.forceNewDeployment) {
    throw serviceOriginError(
      { input: 'force-new-deployment' },
      `service ${name} deploys blue/green through CodeDeploy (CODE_DEPLOY controller), and ECS refuses forceNewDeployment for it`,
      'leave force-new-deployment out: every CodeDeploy deployment starts new (green) tasks',
    );
  }
  const volume = plan.update.managedEbsVolume;
  if (!volume) return;
  if (strategy === 'blue-green') {
    throw serviceOriginError(
      { input: 'service-managed-ebs-volume-name' },
      `service ${name} deploys blue/green through CodeDeploy (CODE_DEPLOY controller), and ECS attaches service-managed EBS volumes only to services with the ECS (rolling) controller`,
      'leave service-managed-ebs-volume-name and service-managed-ebs-volume out for this service',
    );
  }
  checkLaunchVolume(rendered, volume.name, 'service-managed-ebs-volume-name');
}

interface BlueGreenPrep {
  application: string;
  group: string;
  group_: GroupFacts;
  configName: string;
  routing: string;
  spec: AppSpec;
}

async function prepareBlueGreen(
  plan: DeployEcsPlan,
  clients: EcsClients,
  service: Service,
  rendered: Rendered,
  call: CallContext,
): Promise<BlueGreenPrep> {
  const { log } = call;
  const serviceName = service.serviceName ?? plan.service ?? '';
  const defaults = defaultCodeDeployNames(plan.cluster, serviceName);
  const application = plan.codedeploy.application ?? defaults.application;
  const groupName = plan.codedeploy.group ?? defaults.group;
  const group = await checkGroup(
    clients.codedeploy,
    { application, group: groupName, applicationOrigin: plan.codedeploy.applicationOrigin, groupOrigin: plan.codedeploy.groupOrigin },
    { cluster: plan.cluster, service: serviceName },
    call,
  );
  if (plan.waitUntil === 'ready' && !group.waitsForReroute) {
    throw serviceOriginError(
      plan.waitUntilOrigin,
      `ready needs a deployment group that holds deployments until traffic is rerouted, and ${groupName} reroutes at once`,
      `set the group's deployment ready option to "specify when to reroute traffic" (actionOnTimeout STOP_DEPLOYMENT), or wait until succeeded`,
    );
  }
  if (plan.waitUntil === 'succeeded' && group.waitsForReroute) {
    log.warning(
      `deployment group ${groupName} holds deployments at Ready until someone reroutes traffic: with wait-until succeeded this run waits for that (bluegreen-switch or the console) until its deadline. Use wait-until: ready to stop there.`,
    );
  }
  const configName = plan.codedeploy.deploymentConfig ?? group.info.deploymentConfigName ?? 'CodeDeployDefault.ECSAllAtOnce';
  let config: DeploymentConfigInfo | undefined;
  if (plan.codedeploy.deploymentConfig || group.info.deploymentConfigName) {
    config = await checkDeploymentConfig(
      clients.codedeploy,
      configName,
      plan.codedeploy.deploymentConfig ? plan.codedeploy.deploymentConfigOrigin : plan.codedeploy.groupOrigin,
      call,
    );
  }
  const routing = `${configName}: ${describeRouting(config)}`;
  const spec = plan.appSpec ? checkedAppSpec(plan, rendered) : generatedAppSpec(plan, service, rendered);
  const hooks = Object.entries(hooksOf(spec)).map(([name, fn]) => `${name} → ${fn}`);
  const target = targetOf(spec);
  log.info(
    `blue/green via ${application}/${groupName}, ${routing}; AppSpec ${plan.appSpec ? `from ${plan.appSpec.file}` : 'generated'}: container ${target.LoadBalancerInfo.ContainerName}:${target.LoadBalancerInfo.ContainerPort}${target.PlatformVersion ? `, platform ${target.PlatformVersion}` : ''}${hooks.length ? `, hooks ${hooks.join(', ')}` : ''}`,
  );
  return { application, group: groupName, group_: group, configName, routing, spec };
}

/** CodeDeploy settings for a rolling service would be silently unused: refuse them, naming each. */
function refuseBlueGreenSettings(plan: DeployEcsPlan, service: string): void {
  const cd = plan.codedeploy;
  const given: [string, Origin | undefined][] = [
    [plan.appSpec?.input ?? 'appspec', plan.appSpec ? { input: plan.appSpec.input ?? 'appspec' } : undefined],
    ['hooks', Object.keys(plan.hooks).length > 0 ? { input: 'hooks' } : undefined],
    ['container-port', plan.containerPort !== undefined ? { input: 'container-port' } : undefined],
    ['CodeDeploy application', cd.application ? cd.applicationOrigin : undefined],
    ['CodeDeploy deployment group', cd.group ? cd.groupOrigin : undefined],
    ['deployment config', cd.deploymentConfig ? cd.deploymentConfigOrigin : undefined],
  ];
  const found = given.filter((g): g is [string, Origin] => g[1] !== undefined);
  const first = found[0];
  if (!first) return;
  throw serviceOriginError(
    first[1],
    `service ${service} deploys rolling (ECS deployment controller), so ${found.map(([name]) => name).join(', ')} would not be used`,
    'leave the CodeDeploy settings out for a rolling service, or deploy to a service with the CODE_DEPLOY controller',
  );
}

/** The console page of a registered task definition (what a register-only run links to). */
export function taskDefinitionConsoleUrl(region: string, arn: string): string {
  const [family, revision] = (arn.split('/').pop() ?? arn).split(':');
  return `${consoleOrigin(region)}/ecs/v2/task-definitions/${encodeURIComponent(family ?? '')}/${revision ?? ''}/containers?region=${region}`;
}

/** Whether a registered revision is this run's registration: same family, containers, images and variables. */
function sameRegistration(registered: TaskDefinition, input: Rendered['input']): boolean {
  const shape = (containers: readonly { name?: string; image?: string; environment?: unknown; secrets?: unknown }[] | undefined) =>
    JSON.stringify((containers ?? []).map((c) => [c.name, c.image, c.environment ?? [], c.secrets ?? []]));
  return registered.family === input.family && shape(registered.containerDefinitions) === shape(input.containerDefinitions);
}
