// The ECS side of bluegreen-switch, on CodeDeploy blue/green deployments:
// - switch: a deployment held at Ready, with green fully running, is continued (traffic reroute)
//   and followed until green takes all traffic (Succeeded, or blue kept for its termination wait);
// - rollback: a deployment still in progress is stopped with auto-rollback; one that Succeeded is
//   undone by a new deployment of the task definition that ran before (recorded by deploy-ecs);
// - cleanup: a deployment whose blue waits to be terminated is told to terminate it now.
// Nothing changes when the deployment is not in the state the action needs.
import { DescribeServicesCommand, DescribeTaskDefinitionCommand } from '@aws-sdk/client-ecs';
import { BatchGetDeploymentsCommand, ListDeploymentsCommand, type DeploymentInfo, type DeploymentStatus } from '@aws-sdk/client-codedeploy';
import { ExpeditorError, describeError } from '@expeditor/shared/errors';
import { formatDuration } from '@expeditor/shared/deadline';
import type { Log } from '@expeditor/shared/log';
import { appSpecTaskDefinition, replaceAppSpecTaskDefinition } from '@expeditor/codedeploy/appspec';
import { awsCall, errorName, type CallContext } from '@expeditor/aws/call';
import { codeDeployConsoleUrl } from '@expeditor/aws/clients';
import { continueDeployment, greenWeight, readView, trafficWords, whereItWas, type CodeDeployView } from '@expeditor/codedeploy/follow';
import { createDeployment } from '@expeditor/codedeploy/group';
import { followOrStop, stopWithRollback } from '@expeditor/codedeploy/stop';
import type { EcsClients } from '@expeditor/codedeploy/clients';
import type { PollTiming } from '@expeditor/aws/pacing';
import type { FollowOptions } from '@expeditor/codedeploy/follow';
import type { SwitchAction } from './plan.ts';

export interface EcsSwitchOptions {
  action: SwitchAction;
  deploymentId: string | undefined;
  /** Where to find the deployment when no id is given. */
  group: { application: string; group: string } | undefined;
  /** The task definition a rollback after success returns to; else the one deploy-ecs recorded. */
  previousTaskDefinition: string | undefined;
  /** Deadline for waiting on a stop's rollback (the run's remaining time). */
  timeoutMs: number;
}

export interface SwitchContext {
  log: Log;
  signal?: AbortSignal | undefined;
  timing?: PollTiming | undefined;
}

export interface EcsSwitchResult {
  action: SwitchAction;
  /** The deployment acted on. */
  deploymentId: string;
  /** A deployment this action created or CodeDeploy started (rollback), when there is one. */
  newDeploymentId: string | undefined;
  /** Where the acted-on deployment (or the new one) ended. */
  status: string;
  /** Task definition that served before, and that serves now. */
  from: string | undefined;
  to: string | undefined;
  switched: boolean;
  /** ms from the request until only the target takes production traffic. */
  convergenceMs: number | undefined;
  consoleUrl: string;
  /** What happened, in a sentence, for the log and summary. */
  words: string;
}

const ACTIVE: DeploymentStatus[] = ['Created', 'Queued', 'InProgress', 'Baking', 'Ready'];

export async function switchEcs(options: EcsSwitchOptions, clients: EcsClients, context: SwitchContext): Promise<EcsSwitchResult> {
  const call: CallContext = { signal: context.signal, log: context.log, unchanged: 'nothing was changed' };
  const deployment = await resolveDeployment(options, clients, call);
  const id = deployment.deploymentId ?? '';
  context.log.info(`deployment ${id} of ${deployment.applicationName}/${deployment.deploymentGroupName}: ${deployment.status}`);
  if (options.action === 'switch') return switchTraffic(id, clients, context, call);
  if (options.action === 'rollback') return rollBack(deployment, options, clients, context, call);
  return cleanUp(id, clients, context, call);
}

/** The deployment named, or the newest one of the group in a state the action can work on. */
async function resolveDeployment(options: EcsSwitchOptions, clients: EcsClients, call: CallContext): Promise<DeploymentInfo> {
  if (options.deploymentId) {
    const view = await readView(clients.codedeploy, options.deploymentId, call).catch((error: unknown) => {
      if (errorName(error) === 'DeploymentDoesNotExistException' || errorName(error) === 'InvalidDeploymentIdException') {
        throw new ExpeditorError(`input 'deployment-id': CodeDeploy deployment ${options.deploymentId} does not exist in this account and region`, {
          input: 'deployment-id',
          unchanged: 'nothing was changed',
          next: "pass deploy-ecs's deployment-id output from the same environment",
        });
      }
      throw error;
    });
    if (!view.deployment) throw new ExpeditorError(`CodeDeploy returned nothing for deployment ${options.deploymentId}`);
    return view.deployment;
  }
  const group = options.group;
  if (!group) throw new ExpeditorError('no deployment id and no CodeDeploy group to look in', { input: 'deployment-id' });
  const wanted: DeploymentStatus[][] =
    options.action === 'switch' ? [['Ready']] : options.action === 'cleanup' ? [['InProgress']] : [ACTIVE, ['Succeeded']];
  for (const statuses of wanted) {
    const newest = await newestDeployment(clients, group, statuses, call);
    if (newest) return newest;
  }
  const what = options.action === 'switch' ? 'held at Ready' : options.action === 'cleanup' ? 'in progress' : 'in progress or succeeded';
  throw new ExpeditorError(`deployment group ${group.application}/${group.group} has no deployment ${what}`, {
    input: 'deployment-id',
    unchanged: 'nothing was changed',
    next: options.action === 'switch' ? 'deploy with deploy-ecs wait-until: ready first, or pass its deployment-id' : 'pass the deployment-id to act on',
  });
}

async function newestDeployment(
  clients: EcsClients,
  group: { application: string; group: string },
  statuses: DeploymentStatus[],
  call: CallContext,
): Promise<DeploymentInfo | undefined> {
  const ids: string[] = [];
  let nextToken: string | undefined;
  do {
    const page = await awsCall(
      'codedeploy:ListDeployments',
      `deployment group ${group.group} of application ${group.application}`,
      (abortSignal) =>
        clients.codedeploy.send(
          new ListDeploymentsCommand({ applicationName: group.application, deploymentGroupName: group.group, includeOnlyStatuses: statuses, ...(nextToken ? { nextToken } : {}) }),
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
  // A rollback CodeDeploy made is not what anyone switches or rolls back.
  return infos
    .filter((d) => d.creator !== 'codeDeployRollback')
    .sort((a, b) => (b.createTime?.getTime() ?? 0) - (a.createTime?.getTime() ?? 0))[0];
}

async function switchTraffic(id: string, clients: EcsClients, context: SwitchContext, call: CallContext): Promise<EcsSwitchResult> {
  const { log } = context;
  const view = await readView(clients.codedeploy, id, call);
  const status = view.deployment?.status;
  if (status !== 'Ready') {
    const why =
      status === 'Succeeded' || view.trafficShifted
        ? 'green already takes all traffic'
        : status === 'Failed' || status === 'Stopped'
          ? `it ended ${status}`
          : `it is ${whereItWas(view)}, not held at Ready`;
    throw new ExpeditorError(`deployment ${id} cannot be switched: ${why}`, {
      input: 'deployment-id',
      unchanged: `nothing was changed${trafficWords(view.target) ? ` (${trafficWords(view.target)})` : ''}`,
      next: status === 'Succeeded' ? 'nothing to do' : 'switch a deployment that deploy-ecs left at Ready (wait-until: ready)',
    });
  }
  // The target must be fully up before it gets production traffic.
  const green = view.target?.taskSetsInfo?.find((s) => s.taskSetLabel === 'Green');
  if (!green || !green.desiredCount || (green.runningCount ?? 0) < green.desiredCount) {
    throw new ExpeditorError(`deployment ${id} is Ready but green is not fully running (${green ? `${green.runningCount ?? 0}/${green.desiredCount ?? 0} tasks` : 'no green task set'})`, {
      unchanged: 'nothing was changed: blue serves all production traffic',
      next: 'look at the green tasks in the ECS console; switch once they all run',
    });
  }
  const from = await serviceTaskDefinition(view, clients, call);
  const to = appSpecTaskDefinition(view.deployment?.revision?.appSpecContent?.content ?? '');
  const requestedAt = Date.now();
  await continueDeployment(clients.codedeploy, id, 'READY_WAIT', { ...call, unchanged: 'nothing was changed: blue serves all production traffic' });
  log.info(`continued deployment ${id}: production traffic moves from ${short(from)} to ${short(to)}`);
  const followed = await log.group(`Traffic reroute of ${id}`, () =>
    // What was read before the continue, as it is now: the first poll can wait its turn.
    followToSucceeded(id, clients, context, { atReady: 'wait', known: { deployment: { ...view.deployment, status: 'InProgress' }, target: view.target } }),
  );
  const convergenceMs = followed.greenAllAt !== undefined ? followed.greenAllAt - requestedAt : undefined;
  const words =
    followed.status === 'TrafficShifted'
      ? `green (${short(to)}) takes all traffic; blue (${short(from)}) is kept as a hot standby until its termination wait ends`
      : `green (${short(to)}) takes all traffic; deployment ${id} Succeeded`;
  log.info(`${words}${convergenceMs !== undefined ? ` (${formatDuration(convergenceMs)} after the switch)` : ''}`);
  return {
    action: 'switch',
    deploymentId: id,
    newDeploymentId: undefined,
    status: followed.status,
    from,
    to,
    switched: true,
    convergenceMs,
    consoleUrl: codeDeployConsoleUrl(clients.region, id),
    words,
  };
}

async function rollBack(deployment: DeploymentInfo, options: EcsSwitchOptions, clients: EcsClients, context: SwitchContext, call: CallContext): Promise<EcsSwitchResult> {
  const { log } = context;
  const id = deployment.deploymentId ?? '';
  const status = deployment.status ?? '';
  const green = appSpecTaskDefinition(deployment.revision?.appSpecContent?.content ?? '');
  const consoleUrl = codeDeployConsoleUrl(clients.region, id);
  if ((ACTIVE as string[]).includes(status)) {
    const view = await readView(clients.codedeploy, id, call);
    const blue = await serviceTaskDefinition(view, clients, call);
    log.info(`deployment ${id} is ${whereItWas(view)}: stopping it with rollback`);
    const requestedAt = Date.now();
    const stop = await stopWithRollback(clients.codedeploy, id, { log, withinMs: options.timeoutMs, timing: context.timing, signal: context.signal });
    // Traffic moves back only if some had reached green.
    const moved = (greenWeight(view.target) ?? 0) > 0;
    const back = moved && stop.rollbackStatus === 'Succeeded';
    if (stop.status !== 'Stopped' && stop.status !== 'Succeeded') {
      throw new ExpeditorError(`rolling back deployment ${id} did not finish: ${stop.words}`, { next: `look at ${consoleUrl}` });
    }
    if (stop.status === 'Succeeded') {
      throw new ExpeditorError(`deployment ${id} Succeeded before it could be stopped: ${stop.words}`, {
        unchanged: `green (${short(green)}) serves all traffic`,
        next: 'run the rollback again: it now deploys the previous task definition',
      });
    }
    log.info(`deployment ${id}: ${stop.words}`);
    return {
      action: 'rollback',
      deploymentId: id,
      newDeploymentId: stop.rollbackDeploymentId,
      status: stop.status,
      from: green,
      to: blue,
      switched: back,
      convergenceMs: back ? Date.now() - requestedAt : undefined,
      consoleUrl,
      words: `deployment ${id} stopped; ${stop.words}`,
    };
  }
  if (status === 'Failed' || status === 'Stopped') {
    const rollbackId = deployment.rollbackInfo?.rollbackDeploymentId;
    const words = `deployment ${id} already ended ${status}${rollbackId ? `, and CodeDeploy rolled it back (deployment ${rollbackId})` : ''}: green never took over, nothing to roll back`;
    log.info(words);
    return { action: 'rollback', deploymentId: id, newDeploymentId: rollbackId, status, from: undefined, to: undefined, switched: false, convergenceMs: undefined, consoleUrl, words };
  }
  // Succeeded: deploy what ran before, through the same group.
  const previous = options.previousTaskDefinition ?? recordedPrevious(deployment.description);
  if (!previous) {
    throw new ExpeditorError(`deployment ${id} Succeeded and records no previous task definition to return to`, {
      input: 'task-definition',
      unchanged: `nothing was changed: green (${short(green)}) serves all traffic`,
      next: "give the task definition to return to in the 'task-definition' input (deploy-ecs's previous-task-definition-arn output)",
    });
  }
  const previousArn = await existingTaskDefinition(previous, clients, call);
  const content = replaceAppSpecTaskDefinition(deployment.revision?.appSpecContent?.content ?? '', previousArn);
  if (!content) {
    throw new ExpeditorError(`deployment ${id} has no AppSpec content to reuse for the rollback`, {
      unchanged: 'nothing was changed',
      next: `deploy ${previousArn} with deploy-ecs`,
    });
  }
  const requestedAt = Date.now();
  const newId = await createDeployment(
    clients.codedeploy,
    {
      application: deployment.applicationName ?? '',
      group: deployment.deploymentGroupName ?? '',
      deploymentConfig: undefined,
      appSpecContent: content,
      description: `Expeditor bluegreen-switch rollback of ${id} to ${previousArn}; previous task definition: ${green ?? ''}`,
    },
    { ...call, unchanged: `nothing was changed: green (${short(green)}) serves all traffic` },
  );
  log.info(`deployment ${id} had Succeeded: rolling back with a new deployment ${newId} of ${short(previousArn)}`);
  // A rollback does not wait for an approval at Ready.
  const followed = await log.group(`Rollback deployment ${newId}`, () =>
    followToSucceeded(newId, clients, context, { atReady: 'continue', justCreated: true }),
  );
  const words = `${short(previousArn)} serves all traffic again (deployment ${newId} ${followed.status})`;
  log.info(words);
  return {
    action: 'rollback',
    deploymentId: id,
    newDeploymentId: newId,
    status: followed.status,
    from: green,
    to: previousArn,
    switched: true,
    convergenceMs: followed.greenAllAt !== undefined ? followed.greenAllAt - requestedAt : undefined,
    consoleUrl: codeDeployConsoleUrl(clients.region, newId),
    words,
  };
}

async function cleanUp(id: string, clients: EcsClients, context: SwitchContext, call: CallContext): Promise<EcsSwitchResult> {
  const { log } = context;
  const view = await readView(clients.codedeploy, id, call);
  const consoleUrl = codeDeployConsoleUrl(clients.region, id);
  const green = appSpecTaskDefinition(view.deployment?.revision?.appSpecContent?.content ?? '');
  if (!view.trafficShifted) {
    const words =
      view.deployment?.status === 'Succeeded'
        ? `deployment ${id} Succeeded: CodeDeploy already terminated the original (blue) task set, nothing to clean up`
        : `deployment ${id} is ${whereItWas(view)}: blue still has a role, nothing cleaned up`;
    log.info(words);
    return { action: 'cleanup', deploymentId: id, newDeploymentId: undefined, status: view.deployment?.status ?? '?', from: undefined, to: green, switched: false, convergenceMs: undefined, consoleUrl, words };
  }
  await continueDeployment(clients.codedeploy, id, 'TERMINATION_WAIT', call);
  log.info(`deployment ${id}: ended the termination wait; the original (blue) task set is being terminated`);
  const followed = await followToSucceeded(id, clients, context, { atReady: 'wait' });
  const words = `deployment ${id} ${followed.status}: blue terminated, green (${short(green)}) serves all traffic`;
  return { action: 'cleanup', deploymentId: id, newDeploymentId: undefined, status: followed.status, from: undefined, to: green, switched: false, convergenceMs: undefined, consoleUrl, words };
}

/** Every step of the switch follows its deployment to Succeeded the same way (stopping it on deadline or cancel). */
function followToSucceeded(
  deploymentId: string,
  clients: EcsClients,
  context: SwitchContext,
  how: Pick<FollowOptions, 'atReady' | 'justCreated' | 'known'>,
): ReturnType<typeof followOrStop> {
  return followOrStop({
    codedeploy: clients.codedeploy,
    deploymentId,
    ...how,
    until: 'succeeded',
    log: context.log,
    signal: context.signal,
    timing: context.timing,
    describeWait: 'Succeeded',
  });
}

/** The task definition the ECS service runs (blue, while a deployment is not done). */
async function serviceTaskDefinition(view: CodeDeployView, clients: EcsClients, call: CallContext): Promise<string | undefined> {
  const recorded = recordedPrevious(view.deployment?.description);
  const targetId = view.target?.targetId;
  const [cluster, service] = targetId?.includes(':') ? [targetId.slice(0, targetId.lastIndexOf(':')), targetId.slice(targetId.lastIndexOf(':') + 1)] : [];
  if (!cluster || !service) return recorded;
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

async function existingTaskDefinition(name: string, clients: EcsClients, call: CallContext): Promise<string> {
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

/** The task definition deploy-ecs recorded in the deployment's description. */
export function recordedPrevious(description: string | undefined): string | undefined {
  return /previous task definition: (arn:aws[a-z-]*:ecs:[^\s;]+)/.exec(description ?? '')?.[1];
}

function short(arn: string | undefined): string {
  return arn ? (arn.split('/').pop() ?? arn) : '?';
}
