// switch: a deployment held at Ready, with green fully running, is continued (traffic reroute) and
// followed until green takes all traffic (Succeeded, or blue kept for its termination wait). With
// analysis, the pre checks run at Ready before the reroute and the post checks once green takes
// all traffic; either not passing stops the deployment with rollback and fails the run.
import { formatDuration } from '@expeditor/shared/deadline';
import { cancelledLeaving } from '@expeditor/shared/cancel-write';
import { ExpeditorError } from '@expeditor/shared/errors';
import type { CallContext } from '@expeditor/aws/call';
import { codeDeployConsoleUrl } from '@expeditor/aws/clients';
import { appSpecTaskDefinition } from '@expeditor/codedeploy/appspec';
import type { EcsClients } from '@expeditor/codedeploy/clients';
import {
  continueDeployment,
  readView,
  trafficWords,
  whereItWas,
  type CodeDeployView,
  type FollowStatus,
} from '@expeditor/codedeploy/follow';
import { switchReadiness, type SwitchReadiness } from '@expeditor/codedeploy/ready';
import { analysisVerdict, ecsAnalysis, ecsCheckArgs, terminationWaitWarning, verifyEcsAnalysis } from './analysis.ts';
import { undoneAfterAnalysis } from './analysis-rollback.ts';
import { followToSucceeded } from './follow-to-succeeded.ts';
import { verifySteps, watchSteps } from './step-checks.ts';
import type { EcsSwitchOptions, EcsSwitchResult, SwitchContext } from './switch-types.ts';
import { serviceTaskDefinition, short } from './task-definitions.ts';

/** Why a deployment cannot be switched, as the error to throw; undefined when it can. */
export function refusalOf(id: string, readiness: SwitchReadiness, view: CodeDeployView): ExpeditorError | undefined {
  if (readiness.ready) return undefined;
  if (readiness.reason === 'green-not-running') {
    const green = readiness.green;
    return new ExpeditorError(
      `deployment ${id} is Ready but green is not fully running (${green ? `${green.running}/${green.desired} tasks` : 'no green task set'})`,
      {
        unchanged: 'nothing was changed: blue serves all production traffic',
        next: 'look at the green tasks in the ECS console; switch once they all run',
      },
    );
  }
  const why =
    readiness.reason === 'switched'
      ? 'green already takes all traffic'
      : readiness.reason === 'ended'
        ? `it ended ${readiness.status}`
        : `it is ${whereItWas(view)}, not held at Ready`;
  const traffic = trafficWords(view.target);
  return new ExpeditorError(`deployment ${id} cannot be switched: ${why}`, {
    input: 'deployment-id',
    unchanged: `nothing was changed${traffic ? ` (${traffic})` : ''}`,
    next: readiness.status === 'Succeeded' ? 'nothing to do' : 'switch a deployment that deploy-ecs left at Ready (wait-until: ready)',
  });
}

/** What a finished switch did, in a sentence. */
export function switchedWords(id: string, status: FollowStatus, from: string | undefined, to: string | undefined): string {
  return status === 'TrafficShifted'
    ? `green (${short(to)}) takes all traffic; blue (${short(from)}) is kept as a hot standby until its termination wait ends`
    : `green (${short(to)}) takes all traffic; deployment ${id} Succeeded`;
}

export async function switchTraffic(
  id: string,
  options: EcsSwitchOptions,
  clients: EcsClients,
  context: SwitchContext,
  call: CallContext,
): Promise<EcsSwitchResult> {
  const { log } = context;
  const view = await readView(clients.codedeploy, id, call);
  const refusal = refusalOf(id, switchReadiness(view), view);
  if (refusal) throw refusal;
  const from = await serviceTaskDefinition(view, clients, call);
  const to = appSpecTaskDefinition(view.deployment?.revision?.appSpecContent?.content ?? '');
  const analysis = ecsAnalysis(options, context);
  const args = ecsCheckArgs(view);
  if (analysis) {
    const atReady = `nothing was changed: deployment ${id} stays at Ready, blue (${short(from)}) serves all production traffic`;
    // A cancel before the reroute moved nothing: the deployment stays held, as deploy-ecs left it.
    const stopped = cancelledLeaving(
      atReady,
      `run the switch again to move traffic to green, or roll deployment ${id} back (bluegreen-switch action: rollback); the group's ready wait stops it if neither happens`,
    );
    await verifyEcsAnalysis(analysis, args, context, atReady).catch(stopped);
    if (analysis.has('step')) await verifySteps(analysis, view, clients, context, call, atReady).catch(stopped);
    const late = analysis.has('post') ? terminationWaitWarning(view.deployment, analysis.windowMs('post')) : undefined;
    if (late) log.warning(late);
    const why = analysis.has('pre') ? await analysisVerdict(analysis, 'pre', args, context, short(to)).catch(stopped) : undefined;
    if (why) throw await undoneAfterAnalysis(why, 'pre', { id, from, to, options, clients, context, call });
  }
  const steps = analysis?.has('step') ? watchSteps(analysis, args, context, short(to)) : undefined;
  const requestedAt = Date.now();
  await continueDeployment(clients.codedeploy, id, 'READY_WAIT', {
    ...call,
    unchanged: 'nothing was changed: blue serves all production traffic',
  });
  log.info(`continued deployment ${id}: production traffic moves from ${short(from)} to ${short(to)}`);
  const undo = (why: string, moment: 'step' | 'post') =>
    undoneAfterAnalysis(why, moment, { id, from, to, options, clients, context, call });
  const followed = await log
    .group(`Traffic reroute of ${id}`, () =>
      // What was read before the continue, as it is now: the first poll can wait its turn.
      followToSucceeded(id, clients, context, {
        atReady: 'wait',
        known: { deployment: { ...view.deployment, status: 'InProgress' }, target: view.target },
        onView: steps?.onView,
        steps,
      }),
    )
    .catch(async (error: unknown) => {
      if (steps?.failure) throw await undo(steps.failure, 'step');
      throw error;
    });
  // The last step may move all traffic before its checks end: they still decide.
  const stepFailure = await steps?.settle();
  if (stepFailure) throw await undo(stepFailure, 'step');
  const convergenceMs = followed.greenAllAt !== undefined ? followed.greenAllAt - requestedAt : undefined;
  const words = switchedWords(id, followed.status, from, to);
  log.info(`${words}${convergenceMs !== undefined ? ` (${formatDuration(convergenceMs)} after the switch)` : ''}`);
  if (analysis?.has('post')) {
    if (followed.status === 'Succeeded') {
      log.info(
        `deployment ${id} Succeeded at once (its group has no termination wait): blue is gone, so a post check that does not pass rolls back with a new deployment of ${short(from)}`,
      );
    }
    const why = await analysisVerdict(analysis, 'post', args, context, short(to));
    if (why) throw await undo(why, 'post');
  }
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
