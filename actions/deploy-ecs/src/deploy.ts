// deploy-ecs's core: read the service, render and check everything, register the task
// definition, then deploy it rolling or blue/green and wait as asked. Every check that can fail
// on bad input runs before the first write (RegisterTaskDefinition).
import { RegisterTaskDefinitionCommand, type Service } from '@aws-sdk/client-ecs';
import type { DeploymentConfigInfo } from '@aws-sdk/client-codedeploy';
import { ExpeditorError, type Origin } from '@expeditor/shared/errors';
import type { Log } from '@expeditor/shared/log';
import { appSpecContent, hooksOf, targetOf, withTaskDefinition, type AppSpec } from '@expeditor/codedeploy/appspec';
import { awsCall, type CallContext } from '@expeditor/aws/call';
import { codeDeployConsoleUrl, ecsConsoleUrl } from '@expeditor/aws/clients';
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
import type { DeployEcsPlan } from './plan.ts';
import { deployRolling, shortTd } from './rolling.ts';
import { currentTaskDefinition, describeService, serviceOriginError, strategyFor } from './service.ts';
import { renderTaskDefinition, type Rendered } from './task-definition.ts';
import { checkedAppSpec, generatedAppSpec } from './service-appspec.ts';
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
  strategy: Strategy;
  taskDefinitionArn: string;
  previousTaskDefinitionArn: string | undefined;
  container: string;
  deploymentId: string;
  /** COMPLETED / IN_PROGRESS (rolling); Ready / Succeeded / TrafficShifted / Created (blue/green). */
  status: string;
  consoleUrl: string;
  /** Epoch ms at which the end of the wait was noticed. */
  noticedAt: number | undefined;
  startedAt: number;
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
  const ref = { cluster: plan.cluster, service: plan.service, clusterOrigin: plan.clusterOrigin, serviceOrigin: plan.serviceOrigin };

  // 1. Read and check (no writes).
  const prepared = await log.group(`Prepare: service ${plan.service} in cluster ${plan.cluster}`, async () => {
    const service = await describeService(clients.ecs, ref, call);
    const strategy = strategyFor(service, plan.strategy, plan.strategyOrigin, plan.serviceOrigin);
    log.info(
      `service ${service.serviceName}: ${service.deploymentController?.type ?? 'ECS'} controller → ${strategy}; runs ${shortTd(service.taskDefinition)} (${service.runningCount ?? 0}/${service.desiredCount ?? 0} tasks)`,
    );
    if (strategy === 'rolling') refuseBlueGreenSettings(plan, service.serviceName ?? plan.service);
    if (strategy === 'rolling' && plan.waitUntil === 'ready') {
      throw serviceOriginError(
        plan.waitUntilOrigin,
        'ready applies to blue/green deployments only; a rolling deployment has no Ready stage',
        'use succeeded or none',
      );
    }
    const template = plan.template?.input ?? (await currentTaskDefinition(clients.ecs, service, call));
    log.info(
      plan.template
        ? `task definition from ${plan.template.file} (family ${template.family})`
        : `task definition from the service's current ${shortTd(service.taskDefinition)}`,
    );
    // Top-level keys first: they say most about the file.
    const dropped = [...(plan.template?.dropped ?? [])].sort((a, b) => a.split('.').length - b.split('.').length);
    if (dropped.length > 0) {
      const shown = dropped.slice(0, 12).join(', ') + (dropped.length > 12 ? `, … (${dropped.length - 12} more)` : '');
      log.info(`left out empty values ECS would reject: ${shown}`);
    }
    const rendered = renderTaskDefinition(template, {
      image: plan.image,
      container: plan.container,
      containerOrigin: plan.containerOrigin,
      vars: plan.vars,
      secrets: plan.secrets,
      secretsOrigin: plan.secretsOrigin,
    });
    for (const change of rendered.changes) log.info(change);
    const blueGreen = strategy === 'blue-green' ? await prepareBlueGreen(plan, clients, service, rendered, call) : undefined;
    return { service, strategy, rendered, blueGreen };
  });
  const { service, strategy, rendered, blueGreen } = prepared;
  const previousTaskDefinitionArn = service.taskDefinition;

  // 2. Register (the first write).
  const registered = await awsCall(
    'ecs:RegisterTaskDefinition',
    `task definition family ${rendered.input.family}`,
    (abortSignal) => clients.ecs.send(new RegisterTaskDefinitionCommand(rendered.input), { abortSignal }),
    call,
  );
  const taskDefinitionArn = registered.taskDefinition?.taskDefinitionArn;
  if (!taskDefinitionArn) throw new ExpeditorError('RegisterTaskDefinition answered without an ARN', { unchanged: NOTHING });
  log.info(`registered ${taskDefinitionArn}`);

  const base = {
    strategy,
    taskDefinitionArn,
    previousTaskDefinitionArn,
    container: rendered.container,
    startedAt,
  };

  // 3. Deploy and wait.
  if (strategy === 'rolling') {
    const rolling = await log.group(`Rolling deployment of ${shortTd(taskDefinitionArn)}`, () =>
      deployRolling({
        ecs: clients.ecs,
        cluster: plan.cluster,
        service: plan.service,
        taskDefinitionArn,
        previousTaskDefinitionArn,
        before: service,
        waitUntil: plan.waitUntil === 'none' ? 'none' : 'succeeded',
        log,
        signal: context.signal,
        timing: context.timing,
      }),
    );
    return {
      ...base,
      deploymentId: rolling.deploymentId,
      status: rolling.status,
      consoleUrl: ecsConsoleUrl(clients.region, plan.cluster, plan.service),
      noticedAt: rolling.noticedAt,
      runningCount: rolling.runningCount,
      desiredCount: rolling.desiredCount,
    };
  }

  if (!blueGreen) throw new Error('blue/green without its preparation');
  const spec = withTaskDefinition(blueGreen.spec, taskDefinitionArn);
  // bluegreen-switch reads the previous task definition back to roll back after success.
  const description = deploymentDescription({
    headline: `Expeditor deploy-ecs: ${plan.image}`,
    commit: plan.source.sha,
    runUrl: plan.source.runUrl,
    previousTaskDefinition: previousTaskDefinitionArn,
  });
  const deploymentId = await createDeployment(
    clients.codedeploy,
    {
      application: blueGreen.application,
      group: blueGreen.group,
      deploymentConfig: plan.codedeploy.deploymentConfig,
      appSpecContent: appSpecContent(spec),
      description,
    },
    { ...call, unchanged: `the service still runs ${previousTaskDefinitionArn}; ${taskDefinitionArn} is registered but not deployed` },
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
    return { ...base, deploymentId, status: 'Created', consoleUrl, noticedAt: undefined, blueGreen: facts };
  }
  const followed = await log.group(
    `Blue/green deployment ${deploymentId} until ${plan.waitUntil === 'ready' ? 'Ready' : 'Succeeded'}`,
    () =>
      followOrStop({
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
      }),
  );
  facts.traffic = trafficWords(followed.target);
  if (followed.status === 'Ready' && blueGreen.group_.readyWaitMinutes) {
    facts.readyUntil = new Date(followed.noticedAt + blueGreen.group_.readyWaitMinutes * 60_000).toISOString();
    log.info(`held at Ready: green takes test traffic only; CodeDeploy stops the deployment if nobody continues it by ${facts.readyUntil}`);
  }
  return { ...base, deploymentId, status: followed.status, consoleUrl, noticedAt: followed.noticedAt, blueGreen: facts };
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
  const defaults = defaultCodeDeployNames(plan.cluster, plan.service);
  const application = plan.codedeploy.application ?? defaults.application;
  const groupName = plan.codedeploy.group ?? defaults.group;
  const group = await checkGroup(
    clients.codedeploy,
    { application, group: groupName, applicationOrigin: plan.codedeploy.applicationOrigin, groupOrigin: plan.codedeploy.groupOrigin },
    { cluster: plan.cluster, service: plan.service },
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
    ['appspec', plan.appSpec ? { input: 'appspec' } : undefined],
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
