// The task definitions the ECS switch names: the one the service runs (blue, while a deployment is
// not done) and the one a rollback returns to, checked to exist. Read-only ECS calls.
import { DescribeServicesCommand, DescribeTaskDefinitionCommand } from '@aws-sdk/client-ecs';
import { ExpeditorError, describeError } from '@expeditor/shared/errors';
import { awsCall, errorName, type CallContext } from '@expeditor/aws/call';
import type { EcsClients } from '@expeditor/codedeploy/clients';
import { recordedPreviousTaskDefinition } from '@expeditor/codedeploy/description';
import type { CodeDeployView } from '@expeditor/codedeploy/follow';
import { parseEcsTargetId } from '@expeditor/codedeploy/target';

/** The task definition the ECS service runs (blue, while a deployment is not done). */
export async function serviceTaskDefinition(view: CodeDeployView, clients: EcsClients, call: CallContext): Promise<string | undefined> {
  const recorded = recordedPreviousTaskDefinition(view.deployment?.description);
  const target = parseEcsTargetId(view.target?.targetId);
  if (!target) return recorded;
  const { cluster, service } = target;
  try {
    const answer = await awsCall(
      'ecs:DescribeServices',
      `service ${service} in cluster ${cluster}`,
      (abortSignal) => clients.ecs.send(new DescribeServicesCommand({ cluster, services: [service] }), { abortSignal }),
      call,
    );
    return answer.services?.[0]?.taskDefinition ?? recorded;
  } catch (error) {
    call.log.debug(`could not read service ${service}: ${describeError(error)}`);
    return recorded;
  }
}

/** The ARN of a registered task definition (family:revision or ARN); an input error when there is none. */
export async function existingTaskDefinition(name: string, clients: EcsClients, call: CallContext): Promise<string> {
  try {
    const answer = await awsCall(
      'ecs:DescribeTaskDefinition',
      name,
      (abortSignal) => clients.ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: name }), { abortSignal }),
      call,
    );
    const arn = answer.taskDefinition?.taskDefinitionArn;
    if (arn) return arn;
  } catch (error) {
    if (errorName(error) !== 'ClientException') throw error;
  }
  throw new ExpeditorError(`input 'task-definition': task definition ${name} does not exist`, {
    input: 'task-definition',
    unchanged: 'nothing was changed',
    next: 'give a registered task definition (family:revision or ARN) to return to',
  });
}

/** family:revision of a task definition ARN, for sentences. */
export function short(arn: string | undefined): string {
  return arn ? (arn.split('/').pop() ?? arn) : '?';
}
