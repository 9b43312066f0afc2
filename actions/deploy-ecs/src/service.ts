// The ECS service as it is before the deployment: found (or an error naming the cluster or service
// input), its deployment controller matched against the strategy asked for, its current task
// definition as the template. Read-only calls.
import {
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  type DescribeServicesCommandOutput,
  type ECSClient,
  type Service,
} from '@aws-sdk/client-ecs';
import { ExpeditorError, originError, type Origin } from '@expeditor/shared/errors';
import { quote } from '@expeditor/shared/inputs';
import { awsCall, errorName, type CallContext } from '@expeditor/aws/call';
import { stripReadOnly, type TaskDefinitionInput } from './task-definition.ts';
import type { Strategy } from './inputs.ts';

export interface ServiceRef {
  cluster: string;
  service: string;
  clusterOrigin: Origin;
  serviceOrigin: Origin;
}

const unchanged = 'nothing was registered or deployed';

export async function describeService(ecs: ECSClient, ref: ServiceRef, context: CallContext): Promise<Service> {
  let answer: DescribeServicesCommandOutput;
  try {
    answer = await awsCall(
      'ecs:DescribeServices',
      `service ${ref.service} in cluster ${ref.cluster}`,
      (abortSignal) => ecs.send(new DescribeServicesCommand({ cluster: ref.cluster, services: [ref.service] }), { abortSignal }),
      { ...context, unchanged },
    );
  } catch (error) {
    if (errorName(error) === 'ClusterNotFoundException') {
      throw serviceOriginError(
        ref.clusterOrigin,
        `ECS cluster ${quote(ref.cluster)} does not exist in this account and region`,
        'check the cluster name, the account and the region',
      );
    }
    throw error;
  }
  const service = answer.services?.[0];
  if (!service || service.status === 'INACTIVE') {
    const reason = answer.failures?.[0]?.reason ?? (service ? 'INACTIVE' : 'MISSING');
    throw serviceOriginError(
      ref.serviceOrigin,
      `ECS service ${quote(ref.service)} is not in cluster ${ref.cluster} (${reason})`,
      'check the service name; deploy-ecs updates an existing service and does not create one',
    );
  }
  return service;
}

export type Controller = 'ECS' | 'CODE_DEPLOY' | 'EXTERNAL';

export function controllerOf(service: Service): Controller {
  return (service.deploymentController?.type ?? 'ECS') as Controller;
}

/** The strategy the service's controller allows; an error naming the strategy input when it differs. */
export function strategyFor(service: Service, asked: Strategy | 'auto', origin: Origin, serviceOrigin: Origin): Strategy {
  const controller = controllerOf(service);
  const fits: Strategy | undefined = controller === 'ECS' ? 'rolling' : controller === 'CODE_DEPLOY' ? 'blue-green' : undefined;
  if (!fits) {
    // The service is the problem, whatever the strategy says.
    throw serviceOriginError(
      serviceOrigin,
      `service ${service.serviceName} uses the ${controller} deployment controller, which deploy-ecs cannot drive`,
      'use a service with the ECS (rolling) or CODE_DEPLOY (blue/green) deployment controller',
    );
  }
  if (asked !== 'auto' && asked !== fits) {
    throw serviceOriginError(
      origin,
      `strategy ${asked} does not fit service ${service.serviceName}, which uses the ${controller} deployment controller (that means ${fits})`,
      `set the strategy to ${fits} or auto, or deploy to a service with the ${asked === 'rolling' ? 'ECS' : 'CODE_DEPLOY'} controller`,
    );
  }
  return fits;
}

/** The service's current task definition, ready to be registered again. */
export async function currentTaskDefinition(ecs: ECSClient, service: Service, context: CallContext): Promise<TaskDefinitionInput> {
  const arn = service.taskDefinition;
  if (!arn) {
    throw new ExpeditorError(`service ${service.serviceName} has no task definition to start from`, {
      input: 'task-definition',
      unchanged,
      next: "give a task definition file in the 'task-definition' input",
    });
  }
  const answer = await awsCall(
    'ecs:DescribeTaskDefinition',
    arn,
    (abortSignal) => ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: arn, include: ['TAGS'] }), { abortSignal }),
    { ...context, unchanged },
  );
  if (!answer.taskDefinition) throw new ExpeditorError(`ECS described no task definition for ${arn}`, { unchanged });
  return stripReadOnly(answer.taskDefinition, answer.tags);
}

export function serviceOriginError(origin: Origin, message: string, next?: string): ExpeditorError {
  return originError(origin, message, { unchanged, next });
}
