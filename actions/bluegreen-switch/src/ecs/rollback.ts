// rollback: a deployment still in progress is stopped with auto-rollback; one that Succeeded is
// undone by a new deployment of the task definition that ran before (recorded by deploy-ecs in
// the deployment's description, or given); one that already failed or was stopped needs nothing.
import type { DeploymentInfo, ECSTarget } from '@aws-sdk/client-codedeploy';
import { ExpeditorError } from '@expeditor/shared/errors';
import type { CallContext } from '@expeditor/aws/call';
import { codeDeployConsoleUrl } from '@expeditor/aws/clients';
import { appSpecTaskDefinition, replaceAppSpecTaskDefinition } from '@expeditor/codedeploy/appspec';
import type { EcsClients } from '@expeditor/codedeploy/clients';
import { deploymentDescription, recordedPreviousTaskDefinition } from '@expeditor/codedeploy/description';
import { greenWeight, readView, whereItWas } from '@expeditor/codedeploy/follow';
import { ACTIVE_STATUSES, createDeployment } from '@expeditor/codedeploy/group';
import { stopWithRollback, type StopOutcome } from '@expeditor/codedeploy/stop';
import { followToSucceeded } from './follow-to-succeeded.ts';
import type { EcsSwitchOptions, EcsSwitchResult, SwitchContext } from './switch-types.ts';
import { existingTaskDefinition, serviceTaskDefinition, short } from './task-definitions.ts';

/** How a deployment in this state is rolled back: stopped, left alone, or undone by a new deployment. */
export function rollbackPath(status: string | undefined): 'stop' | 'nothing' | 'redeploy' {
  if ((ACTIVE_STATUSES as readonly string[]).includes(status ?? '')) return 'stop';
  if (status === 'Failed' || status === 'Stopped') return 'nothing';
  return 'redeploy';
}

/**
 * What a stop with rollback came to: an error when it did not stop the deployment, else whether
 * traffic moved back (only if some had reached green, and the rollback Succeeded).
 */
export function stopVerdict(
  id: string,
  stop: StopOutcome,
  targetBefore: ECSTarget | undefined,
  green: string | undefined,
  consoleUrl: string,
): { error: ExpeditorError } | { switched: boolean } {
  if (stop.status === 'Succeeded') {
    return {
      error: new ExpeditorError(`deployment ${id} Succeeded before it could be stopped: ${stop.words}`, {
        unchanged: `green (${short(green)}) serves all traffic`,
        next: 'run the rollback again: it now deploys the previous task definition',
      }),
    };
  }
  if (stop.status !== 'Stopped')
    return { error: new ExpeditorError(`rolling back deployment ${id} did not finish: ${stop.words}`, { next: `look at ${consoleUrl}` }) };
  return { switched: (greenWeight(targetBefore) ?? 0) > 0 && stop.rollbackStatus === 'Succeeded' };
}

/** The task definition a rollback after success returns to: the one given, else the one recorded. */
export function returnTo(given: string | undefined, deployment: DeploymentInfo): string | undefined {
  return given ?? recordedPreviousTaskDefinition(deployment.description);
}

/** One rollback, as the path it takes sees it. */
interface RollbackStep {
  deployment: DeploymentInfo;
  id: string;
  /** The task definition the deployment brought (green). */
  green: string | undefined;
  options: EcsSwitchOptions;
  clients: EcsClients;
  context: SwitchContext;
  call: CallContext;
}

export async function rollBack(
  deployment: DeploymentInfo,
  options: EcsSwitchOptions,
  clients: EcsClients,
  context: SwitchContext,
  call: CallContext,
): Promise<EcsSwitchResult> {
  const id = deployment.deploymentId ?? '';
  const green = appSpecTaskDefinition(deployment.revision?.appSpecContent?.content ?? '');
  const step: RollbackStep = { deployment, id, green, options, clients, context, call };
  const path = rollbackPath(deployment.status);
  if (path === 'stop') return stopInProgress(step);
  if (path === 'nothing') return nothingToRollBack(step);
  return redeployPrevious(step);
}

async function stopInProgress({ id, green, options, clients, context, call }: RollbackStep): Promise<EcsSwitchResult> {
  const { log } = context;
  const consoleUrl = codeDeployConsoleUrl(clients.region, id);
  const view = await readView(clients.codedeploy, id, call);
  const blue = await serviceTaskDefinition(view, clients, call);
  log.info(`deployment ${id} is ${whereItWas(view)}: stopping it with rollback`);
  const requestedAt = Date.now();
  const stop = await stopWithRollback(clients.codedeploy, id, {
    log,
    withinMs: options.timeoutMs,
    timing: context.timing,
    signal: context.signal,
  });
  const verdict = stopVerdict(id, stop, view.target, green, consoleUrl);
  if ('error' in verdict) throw verdict.error;
  log.info(`deployment ${id}: ${stop.words}`);
  return {
    action: 'rollback',
    deploymentId: id,
    newDeploymentId: stop.rollbackDeploymentId,
    status: stop.status,
    from: green,
    to: blue,
    switched: verdict.switched,
    convergenceMs: verdict.switched ? Date.now() - requestedAt : undefined,
    consoleUrl,
    words: `deployment ${id} stopped; ${stop.words}`,
  };
}

function nothingToRollBack({ deployment, id, clients, context }: RollbackStep): EcsSwitchResult {
  const status = deployment.status ?? '';
  const rollbackId = deployment.rollbackInfo?.rollbackDeploymentId;
  const words = `deployment ${id} already ended ${status}${rollbackId ? `, and CodeDeploy rolled it back (deployment ${rollbackId})` : ''}: green never took over, nothing to roll back`;
  context.log.info(words);
  const consoleUrl = codeDeployConsoleUrl(clients.region, id);
  return {
    action: 'rollback',
    deploymentId: id,
    newDeploymentId: rollbackId,
    status,
    from: undefined,
    to: undefined,
    switched: false,
    convergenceMs: undefined,
    consoleUrl,
    words,
  };
}

/** Succeeded: deploy what ran before, through the same group. */
async function redeployPrevious({ deployment, id, green, options, clients, context, call }: RollbackStep): Promise<EcsSwitchResult> {
  const { log } = context;
  const previous = returnTo(options.previousTaskDefinition, deployment);
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
      // What this rollback replaces is recorded the same way deploy-ecs does: it can be rolled back too.
      description: deploymentDescription({
        headline: `Expeditor bluegreen-switch rollback of ${id} to ${previousArn}`,
        previousTaskDefinition: green,
      }),
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
