// Which CodeDeploy deployment the ECS switch acts on: the one named by id, or the newest one of the
// group in a state the action can work on. The decisions (which states, which deployment) take
// plain data; the CodeDeploy calls are at the edge.
import { BatchGetDeploymentsCommand, ListDeploymentsCommand, type DeploymentInfo, type DeploymentStatus } from '@aws-sdk/client-codedeploy';
import { ExpeditorError } from '@expeditor/shared/errors';
import { awsCall, errorName, type CallContext } from '@expeditor/aws/call';
import type { EcsClients } from '@expeditor/codedeploy/clients';
import { readView } from '@expeditor/codedeploy/follow';
import { ACTIVE_STATUSES } from '@expeditor/codedeploy/group';
import type { SwitchAction } from './plan.ts';
import type { EcsSwitchOptions } from './switch-types.ts';

type Group = { application: string; group: string };

/** The states to look for, most wanted first: the first that finds a deployment wins. */
export function statusesToLookFor(action: SwitchAction): DeploymentStatus[][] {
  if (action === 'switch') return [['Ready']];
  if (action === 'cleanup') return [['InProgress']];
  return [[...ACTIVE_STATUSES], ['Succeeded']];
}

/** The newest deployment someone made (a rollback CodeDeploy made is not what anyone switches or rolls back). */
export function newestOf(deployments: DeploymentInfo[]): DeploymentInfo | undefined {
  return deployments
    .filter((d) => d.creator !== 'codeDeployRollback')
    .sort((a, b) => (b.createTime?.getTime() ?? 0) - (a.createTime?.getTime() ?? 0))[0];
}

/** The error for a group with no deployment the action can work on. */
export function nothingToActOn(action: SwitchAction, group: Group): ExpeditorError {
  const what = action === 'switch' ? 'held at Ready' : action === 'cleanup' ? 'in progress' : 'in progress or succeeded';
  return new ExpeditorError(`deployment group ${group.application}/${group.group} has no deployment ${what}`, {
    input: 'deployment-id',
    unchanged: 'nothing was changed',
    next:
      action === 'switch'
        ? 'deploy with deploy-ecs wait-until: ready first, or pass its deployment-id'
        : 'pass the deployment-id to act on',
  });
}

/** The deployment named, or the newest one of the group in a state the action can work on. */
export async function findDeployment(options: EcsSwitchOptions, clients: EcsClients, call: CallContext): Promise<DeploymentInfo> {
  if (options.deploymentId) return namedDeployment(options.deploymentId, clients, call);
  const group = options.group;
  if (!group) throw new ExpeditorError('no deployment id and no CodeDeploy group to look in', { input: 'deployment-id' });
  for (const statuses of statusesToLookFor(options.action)) {
    const newest = newestOf(await deploymentsOf(clients, group, statuses, call));
    if (newest) return newest;
  }
  throw nothingToActOn(options.action, group);
}

async function namedDeployment(deploymentId: string, clients: EcsClients, call: CallContext): Promise<DeploymentInfo> {
  const view = await readView(clients.codedeploy, deploymentId, call).catch((error: unknown) => {
    if (errorName(error) === 'DeploymentDoesNotExistException' || errorName(error) === 'InvalidDeploymentIdException') {
      throw new ExpeditorError(`input 'deployment-id': CodeDeploy deployment ${deploymentId} does not exist in this account and region`, {
        input: 'deployment-id',
        unchanged: 'nothing was changed',
        next: "pass deploy-ecs's deployment-id output from the same environment",
      });
    }
    throw error;
  });
  if (!view.deployment) throw new ExpeditorError(`CodeDeploy returned nothing for deployment ${deploymentId}`);
  return view.deployment;
}

/** The group's deployments in these states (the first 200 listed). */
async function deploymentsOf(
  clients: EcsClients,
  group: Group,
  statuses: DeploymentStatus[],
  call: CallContext,
): Promise<DeploymentInfo[]> {
  const ids: string[] = [];
  let nextToken: string | undefined;
  do {
    const page = await awsCall(
      'codedeploy:ListDeployments',
      `deployment group ${group.group} of application ${group.application}`,
      (abortSignal) =>
        clients.codedeploy.send(
          new ListDeploymentsCommand({
            applicationName: group.application,
            deploymentGroupName: group.group,
            includeOnlyStatuses: statuses,
            ...(nextToken ? { nextToken } : {}),
          }),
          { abortSignal },
        ),
      call,
    );
    ids.push(...(page.deployments ?? []));
    nextToken = page.nextToken;
  } while (nextToken && ids.length < 200);
  const infos: DeploymentInfo[] = [];
  for (let i = 0; i < ids.length; i += 25) {
    const batch = ids.slice(i, i + 25);
    const answer = await awsCall(
      'codedeploy:BatchGetDeployments',
      `deployments of ${group.application}/${group.group}`,
      (abortSignal) => clients.codedeploy.send(new BatchGetDeploymentsCommand({ deploymentIds: batch }), { abortSignal }),
      call,
    );
    infos.push(...(answer.deploymentsInfo ?? []));
  }
  return infos;
}
