// CodeDeploy for ECS, before anything is written: the deployment group (it exists, deploys this
// service, holds at Ready or not) and the deployment config; then CreateDeployment.
import {
  CreateDeploymentCommand,
  GetDeploymentCommand,
  GetDeploymentConfigCommand,
  GetDeploymentGroupCommand,
  ListDeploymentsCommand,
  type CodeDeployClient,
  type DeploymentConfigInfo,
  type DeploymentGroupInfo,
} from '@aws-sdk/client-codedeploy';
import { ExpeditorError, describeError, originError, type Origin } from '@expeditor/shared/errors';
import { quote } from '@expeditor/shared/inputs';
import { awsCall, errorName, type CallContext } from '@expeditor/aws/call';

export const ACTIVE_STATUSES = ['Created', 'Queued', 'InProgress', 'Baking', 'Ready'] as const;

/** The console's default names for a service's CodeDeploy application and group. */
export function defaultCodeDeployNames(cluster: string, service: string): { application: string; group: string } {
  return { application: `AppECS-${cluster}-${service}`, group: `DgpECS-${cluster}-${service}` };
}

export interface GroupRef {
  application: string;
  group: string;
  applicationOrigin: Origin;
  groupOrigin: Origin;
}

export interface GroupFacts {
  info: DeploymentGroupInfo;
  /** The group holds deployments at Ready until someone continues them. */
  waitsForReroute: boolean;
  /** Minutes CodeDeploy holds a deployment at Ready before it stops it (when waitsForReroute). */
  readyWaitMinutes: number | undefined;
  /** Minutes blue is kept after traffic moved, before it is terminated. */
  terminationWaitMinutes: number;
  testListeners: string[];
}

function originProblem(origin: Origin, message: string, next?: string): ExpeditorError {
  return originError(origin, message, { unchanged: 'nothing was registered or deployed', next });
}

/** Reads the deployment group; errors name the input when it does not exist or deploys another service. */
export async function checkGroup(
  codedeploy: CodeDeployClient,
  ref: GroupRef,
  service: { cluster: string; service: string } | undefined,
  context: CallContext,
): Promise<GroupFacts> {
  let info: DeploymentGroupInfo | undefined;
  try {
    info = (
      await awsCall(
        'codedeploy:GetDeploymentGroup',
        `deployment group ${ref.group} of application ${ref.application}`,
        (abortSignal) =>
          codedeploy.send(new GetDeploymentGroupCommand({ applicationName: ref.application, deploymentGroupName: ref.group }), {
            abortSignal,
          }),
        { ...context, unchanged: context.unchanged ?? 'nothing was registered or deployed' },
      )
    ).deploymentGroupInfo;
  } catch (error) {
    const name = errorName(error);
    if (name === 'ApplicationDoesNotExistException') {
      throw originProblem(
        ref.applicationOrigin,
        `CodeDeploy application ${quote(ref.application)} does not exist`,
        'name the application that deploys this service (the ECS console calls it AppECS-<cluster>-<service>)',
      );
    }
    if (name === 'DeploymentGroupDoesNotExistException') {
      throw originProblem(
        ref.groupOrigin,
        `CodeDeploy deployment group ${quote(ref.group)} does not exist in application ${ref.application}`,
        'name the deployment group of this service (the ECS console calls it DgpECS-<cluster>-<service>)',
      );
    }
    throw error;
  }
  if (!info) throw originProblem(ref.groupOrigin, `CodeDeploy returned nothing for deployment group ${ref.group}`);
  return groupFacts(info, ref, service);
}

/**
 * What a deployment group as CodeDeploy describes it means for a deployment of this service; an
 * error naming the input when it is not an ECS group, or deploys another service. No network.
 */
export function groupFacts(
  info: DeploymentGroupInfo,
  ref: GroupRef,
  service: { cluster: string; service: string } | undefined,
): GroupFacts {
  if (info.computePlatform && info.computePlatform !== 'ECS') {
    throw originProblem(ref.applicationOrigin, `application ${ref.application} is for ${info.computePlatform}, not ECS`);
  }
  if (service) {
    const targets = info.ecsServices ?? [];
    const matches = targets.some(
      (s) => s.serviceName === service.service && (s.clusterName === service.cluster || s.clusterName?.endsWith(`/${service.cluster}`)),
    );
    if (targets.length > 0 && !matches) {
      const names = targets.map((s) => `${s.clusterName}/${s.serviceName}`).join(', ');
      throw originProblem(ref.groupOrigin, `deployment group ${ref.group} deploys ${names}, not ${service.cluster}/${service.service}`);
    }
  }
  const blueGreen = info.blueGreenDeploymentConfiguration;
  const ready = blueGreen?.deploymentReadyOption;
  const waitsForReroute = ready?.actionOnTimeout === 'STOP_DEPLOYMENT';
  return {
    info,
    waitsForReroute,
    readyWaitMinutes: waitsForReroute ? ready?.waitTimeInMinutes : undefined,
    terminationWaitMinutes: blueGreen?.terminateBlueInstancesOnDeploymentSuccess?.terminationWaitTimeInMinutes ?? 0,
    testListeners: (info.loadBalancerInfo?.targetGroupPairInfoList ?? []).flatMap((p) => p.testTrafficRoute?.listenerArns ?? []),
  };
}

/** Reads a deployment config; an error naming the input when it does not exist. */
export async function checkDeploymentConfig(
  codedeploy: CodeDeployClient,
  name: string,
  origin: Origin,
  context: CallContext,
): Promise<DeploymentConfigInfo> {
  try {
    const answer = await awsCall(
      'codedeploy:GetDeploymentConfig',
      `deployment config ${name}`,
      (abortSignal) => codedeploy.send(new GetDeploymentConfigCommand({ deploymentConfigName: name }), { abortSignal }),
      { ...context, unchanged: 'nothing was registered or deployed' },
    );
    const info = answer.deploymentConfigInfo ?? {};
    if (info.computePlatform && info.computePlatform !== 'ECS') {
      throw originProblem(
        origin,
        `deployment config ${name} is for ${info.computePlatform}, not ECS`,
        'use an ECS config such as CodeDeployDefault.ECSAllAtOnce or CodeDeployDefault.ECSCanary10Percent5Minutes',
      );
    }
    return info;
  } catch (error) {
    if (errorName(error) === 'DeploymentConfigDoesNotExistException') {
      throw originProblem(
        origin,
        `deployment config ${quote(name)} does not exist`,
        'use CodeDeployDefault.ECSAllAtOnce, an ECSCanary/ECSLinear default, or a config created in this account',
      );
    }
    throw error;
  }
}

/** How a deployment config moves traffic, in words. */
export function describeRouting(info: DeploymentConfigInfo | undefined): string {
  const routing = info?.trafficRoutingConfig;
  if (!routing || routing.type === 'AllAtOnce') return 'all at once';
  if (routing.type === 'TimeBasedCanary') {
    const c = routing.timeBasedCanary;
    return `canary: ${c?.canaryPercentage ?? '?'}%, then the rest after ${c?.canaryInterval ?? '?'} min`;
  }
  const l = routing.timeBasedLinear;
  return `linear: ${l?.linearPercentage ?? '?'}% every ${l?.linearInterval ?? '?'} min`;
}

export interface CreateOptions {
  application: string;
  group: string;
  deploymentConfig: string | undefined;
  appSpecContent: string;
  description: string;
}

export async function createDeployment(codedeploy: CodeDeployClient, options: CreateOptions, context: CallContext): Promise<string> {
  const description = options.description.slice(0, 512);
  // A retried create whose first answer was lost (a reset after CodeDeploy acted) would start a
  // second deployment: before trying again, a deployment of this group created since, with this
  // run's description, is taken as ours.
  let tried = false;
  const since = new Date(Date.now() - 60_000);
  const ours = async (abortSignal: AbortSignal | undefined): Promise<string | undefined> => {
    const listed = await codedeploy.send(
      new ListDeploymentsCommand({
        applicationName: options.application,
        deploymentGroupName: options.group,
        createTimeRange: { start: since },
      }),
      { abortSignal },
    );
    for (const id of listed.deployments ?? []) {
      const info = (await codedeploy.send(new GetDeploymentCommand({ deploymentId: id }), { abortSignal })).deploymentInfo;
      if (info?.description === description) return id;
    }
    return undefined;
  };
  try {
    const answer = await awsCall(
      'codedeploy:CreateDeployment',
      `deployment group ${options.group} of application ${options.application}`,
      async (abortSignal) => {
        if (tried) {
          const found = await ours(abortSignal);
          if (found) {
            context.log.info(`deployment ${found} was created by the attempt whose answer was lost: following it`);
            return { deploymentId: found };
          }
        }
        tried = true;
        return codedeploy.send(
          new CreateDeploymentCommand({
            applicationName: options.application,
            deploymentGroupName: options.group,
            ...(options.deploymentConfig ? { deploymentConfigName: options.deploymentConfig } : {}),
            description,
            revision: { revisionType: 'AppSpecContent', appSpecContent: { content: options.appSpecContent } },
          }),
          { abortSignal },
        );
      },
      context,
    );
    if (!answer.deploymentId) throw new ExpeditorError('CodeDeploy created a deployment without an id');
    return answer.deploymentId;
  } catch (error) {
    if (errorName(error) === 'DeploymentLimitExceededException') {
      throw new ExpeditorError(`deployment group ${options.group} already has a deployment in progress: ${describeError(error)}`, {
        cause: error,
        ...(context.unchanged ? { unchanged: context.unchanged } : {}),
        next: 'wait for it to end, or stop it (bluegreen-switch action rollback), then deploy again',
      });
    }
    throw error;
  }
}
