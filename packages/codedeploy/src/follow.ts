// Following a CodeDeploy ECS deployment lifecycle event by lifecycle event: one line per change
// (status, hooks, traffic weights, green tasks), Ready / Succeeded / traffic moved as ends, Failed
// and Stopped as errors naming the hook. deploy-ecs and bluegreen-switch both follow this way.
import {
  ContinueDeploymentCommand,
  GetDeploymentCommand,
  GetDeploymentTargetCommand,
  ListDeploymentTargetsCommand,
  type CodeDeployClient,
  type DeploymentInfo,
  type DeploymentStatus,
  type ECSTarget,
  type ECSTaskSet,
} from '@aws-sdk/client-codedeploy';
import { formatDuration } from '@expeditor/shared/deadline';
import { ExpeditorError } from '@expeditor/shared/errors';
import { ChangeLog, type Log } from '@expeditor/shared/log';
import { pollUntil, type PollStep } from '@expeditor/shared/poll';
import { awsCall, errorName, type CallContext } from '@expeditor/aws/call';
import { pacing, type PollTiming } from '@expeditor/aws/pacing';

export const TERMINAL = new Set(['Succeeded', 'Failed', 'Stopped']);

export type FollowUntil = 'ready' | 'succeeded';

export interface FollowOptions {
  codedeploy: CodeDeployClient;
  deploymentId: string;
  until: FollowUntil;
  /**
   * At Ready when following until succeeded: `wait` for someone to continue it (the group's
   * gate), or `continue` it at once (a rollback must not wait for approval).
   */
  atReady?: 'wait' | 'continue';
  log: Log;
  signal?: AbortSignal | undefined;
  timing?: PollTiming | undefined;
  /** CreateDeployment has just answered for it (so it is Created: the first read is skipped). */
  justCreated?: boolean;
  /**
   * The deployment (and its target) as the caller has just read it, with the status it has now
   * (e.g. InProgress after continuing it): the first read is skipped.
   */
  known?: { deployment: DeploymentInfo; target?: ECSTarget | undefined } | undefined;
  /**
   * Its ECS target, `cluster:service` (the form CodeDeploy gives ECS targets), when the caller
   * knows it: saves a ListDeploymentTargets call. A wrong guess falls back to the list.
   */
  targetId?: string | undefined;
  /** Told of every change of the deployment or its target (status, hooks, traffic weights), after it is logged. */
  onView?: ((view: CodeDeployView) => void) | undefined;
}

/** What the deployment had reached when the wait ended. */
export type FollowStatus = 'Ready' | 'Succeeded' | 'TrafficShifted';

export interface CodeDeployView {
  deployment: DeploymentInfo | undefined;
  target: ECSTarget | undefined;
  /** All lifecycle events succeeded and green takes all traffic: blue waits to be terminated. */
  trafficShifted: boolean;
}

export interface FollowResult extends CodeDeployView {
  status: FollowStatus;
  /** Epoch ms at which the end was noticed. */
  noticedAt: number;
  /** Epoch ms at which blue was first seen waiting to be terminated (all traffic on green). */
  trafficShiftedAt: number | undefined;
  /** Epoch ms at which green was first seen taking all production traffic (or the deployment Succeeded). */
  greenAllAt: number | undefined;
  polls: number;
}

/** A deployment that ended Failed or Stopped. */
export class DeploymentFailedError extends ExpeditorError {
  readonly deploymentId: string;
  readonly status: string;
  readonly failedEvent: string | undefined;
  readonly rollbackDeploymentId: string | undefined;
  /** CodeDeploy's error code (ALARM_ACTIVE when an alarm of the group stopped it). */
  readonly code: string | undefined;
  /** CodeDeploy's error message, as it gave it. */
  readonly reason: string | undefined;
  constructor(view: CodeDeployView, deploymentId: string) {
    const d = view.deployment;
    const failedEvent = view.target?.lifecycleEvents?.find((e) => e.status === 'Failed')?.lifecycleEventName;
    const info = d?.errorInformation;
    const rollbackId = d?.rollbackInfo?.rollbackDeploymentId;
    const verb = d?.status === 'Stopped' ? 'was stopped' : 'failed';
    const at = failedEvent ? ` at lifecycle event ${failedEvent}` : '';
    const code = info?.code ? ` (${info.code})` : '';
    super(`CodeDeploy deployment ${deploymentId} ${verb}${at}${code}: ${info?.message ?? 'no reason given'}`, {
      unchanged: rollbackId
        ? `CodeDeploy rolls back with deployment ${rollbackId}: traffic returns to the original (blue) task set`
        : !greenWeight(view.target)
          ? 'production traffic stayed on the original (blue) task set'
          : `no rollback ran: ${trafficWords(view.target)}`,
      next:
        failedEvent && /^(Before|After)/.test(failedEvent)
          ? `read the logs of the ${failedEvent} hook's Lambda function, fix what it found, and deploy again`
          : 'read the deployment’s events in the CodeDeploy console, fix the cause, and deploy again',
    });
    this.name = 'DeploymentFailedError';
    this.deploymentId = deploymentId;
    this.status = d?.status ?? 'Failed';
    this.failedEvent = failedEvent;
    this.rollbackDeploymentId = rollbackId;
    this.code = info?.code;
    this.reason = info?.message;
  }
}

/**
 * Follows a deployment until `until` (or Failed/Stopped, thrown as DeploymentFailedError), with
 * one describe call per poll: the deployment itself until it has started, then its ECS target
 * (lifecycle events, task sets, traffic), whose status says the deployment's (InProgress, Ready,
 * Succeeded). Only a target that failed costs one more read, for the deployment's error. With a
 * call budget in the timing, every call counts against it.
 * The deadline and cancellation reach the caller as DeadlineError/CancelledError.
 */
export async function followDeployment(options: FollowOptions): Promise<FollowResult> {
  const { codedeploy, deploymentId, log } = options;
  const { poll, budget } = pacing(options.timing);
  const context: CallContext = { signal: options.signal, log, budget };
  const changes = new ChangeLog(log);
  let targetId = options.targetId ?? options.known?.target?.targetId;
  let deployment: DeploymentInfo | undefined =
    options.known?.deployment ?? (options.justCreated ? { deploymentId, status: 'Created', creator: 'user' } : undefined);
  let target: ECSTarget | undefined = options.known?.target;
  let skipRead = deployment !== undefined;
  let trafficShiftedAt: number | undefined;
  let greenAllAt: number | undefined;
  let continued = false;
  let announcedHold = false;

  const getDeployment = async (urgent = false): Promise<DeploymentInfo> => {
    const answer = await awsCall(
      'codedeploy:GetDeployment',
      `deployment ${deploymentId}`,
      (abortSignal) => codedeploy.send(new GetDeploymentCommand({ deploymentId }), { abortSignal }),
      { ...context, urgent },
    );
    if (!answer.deploymentInfo) throw new ExpeditorError(`CodeDeploy returned nothing for deployment ${deploymentId}`);
    return answer.deploymentInfo;
  };
  const listTarget = async (urgent: boolean): Promise<string | undefined> => {
    const answer = await awsCall(
      'codedeploy:ListDeploymentTargets',
      `deployment ${deploymentId}`,
      (abortSignal) => codedeploy.send(new ListDeploymentTargetsCommand({ deploymentId }), { abortSignal }),
      { ...context, urgent },
    );
    return answer.targetIds?.[0];
  };
  const getTarget = async (id: string, urgent: boolean): Promise<ECSTarget | undefined> => {
    const answer = await awsCall(
      'codedeploy:GetDeploymentTarget',
      `deployment ${deploymentId}`,
      (abortSignal) => codedeploy.send(new GetDeploymentTargetCommand({ deploymentId, targetId: id }), { abortSignal }),
      { ...context, urgent },
    );
    return answer.deploymentTarget?.ecsTarget;
  };
  /** The target, or undefined while the deployment has not started. */
  const readTarget = async (urgent = false): Promise<ECSTarget | undefined> => {
    try {
      targetId ??= await listTarget(urgent);
      if (!targetId) return undefined;
      try {
        return await getTarget(targetId, urgent);
      } catch (error) {
        if (errorName(error) !== 'DeploymentTargetDoesNotExistException') throw error;
        // The caller's guess of the target id was wrong: ask for it.
        targetId = await listTarget(urgent);
        return targetId ? await getTarget(targetId, urgent) : undefined;
      }
    } catch (error) {
      if (errorName(error) === 'DeploymentNotStartedException') return undefined;
      throw error;
    }
  };
  // Without a target id to try, the deployment's own status says when there is a target.
  let askDeployment = targetId === undefined && !hasStarted(deployment);

  const read = async (): Promise<PollStep<CodeDeployView>> => {
    if (skipRead) {
      skipRead = false;
    } else if (askDeployment) {
      askDeployment = false;
      deployment = await getDeployment();
      // Ended (or Ready) before its target was ever read: read it once, for the lifecycle events
      // and traffic the result reports. It is the end, so it does not wait its turn.
      if (hasStarted(deployment) && isEnd(deployment.status)) target = (await readTarget(true)) ?? target;
    } else {
      const fresh = await readTarget();
      if (fresh) target = fresh;
      const status = fresh ? DEPLOYMENT_STATUS_OF_TARGET[fresh.status ?? ''] : undefined;
      if (status) {
        deployment = { ...deployment, deploymentId, status };
      } else if (fresh && fresh.status !== 'Pending') {
        // Failed (or Stopped: its target says Failed too), or a status this code does not know:
        // the deployment itself says which, and why. It is the end, so it does not wait its turn.
        deployment = await getDeployment(true);
      } else if (!fresh) {
        // Not started yet (or it ended without starting): the deployment says which, next time.
        askDeployment = true;
      }
    }
    const view: CodeDeployView = { deployment, target, trafficShifted: isTrafficShifted(deployment, target) };
    if (view.trafficShifted && trafficShiftedAt === undefined) trafficShiftedAt = Date.now();
    const status = deployment?.status;
    const greenAll = deployment?.creator !== 'codeDeployRollback' && (greenWeight(target) === 100 || status === 'Succeeded');
    if (greenAll && greenAllAt === undefined) greenAllAt = Date.now();
    let done = TERMINAL.has(status ?? '') || view.trafficShifted;
    if (status === 'Ready') {
      if (options.until === 'ready') done = true;
      else if (options.atReady === 'continue' && !continued) {
        continued = true;
        await continueDeployment(codedeploy, deploymentId, 'READY_WAIT', { signal: options.signal, log });
        log.info(`deployment ${deploymentId} was held at Ready; continued it (traffic reroute)`);
        deployment = { ...deployment, status: 'InProgress' };
      }
    }
    const near = endIsNear(view, options.until);
    budget?.setNear(near);
    return { state: view, done, near };
  };

  const result = await pollUntil<CodeDeployView>({
    ...poll,
    ...(options.signal ? { signal: options.signal } : {}),
    read,
    fingerprint: (v) => fingerprintOf(v),
    onChange: (v) => {
      reportChanges(changes, deploymentId, v);
      options.onView?.(v);
      if (v.deployment?.status === 'Ready' && options.until === 'succeeded' && options.atReady !== 'continue' && !announcedHold) {
        announcedHold = true;
        log.info(
          `deployment ${deploymentId} is Ready and its group waits for someone to reroute traffic: continue it with bluegreen-switch (or the console); waiting for that`,
        );
      }
    },
  });
  const view = result.state;
  const status = view.deployment?.status;
  if (status === 'Failed' || status === 'Stopped') throw new DeploymentFailedError(view, deploymentId);
  const final: FollowStatus = status === 'Succeeded' ? 'Succeeded' : status === 'Ready' ? 'Ready' : 'TrafficShifted';
  return { ...view, status: final, noticedAt: Date.now(), trafficShiftedAt, greenAllAt, polls: result.polls };
}

/** What a target's status says of its deployment (ECS deployments have one target). */
const DEPLOYMENT_STATUS_OF_TARGET: Record<string, DeploymentStatus | undefined> = {
  InProgress: 'InProgress',
  Ready: 'Ready',
  Succeeded: 'Succeeded',
};

function isEnd(status: string | undefined): boolean {
  return TERMINAL.has(status ?? '') || status === 'Ready';
}

function hasStarted(deployment: DeploymentInfo | undefined): boolean {
  const status = deployment?.status;
  return status !== undefined && status !== 'Created' && status !== 'Queued';
}

/**
 * The end is near once green is installed (its tasks run): only hooks and traffic steps are left.
 * Not while held at Ready waiting for someone: nobody knows when that ends.
 */
function endIsNear(view: CodeDeployView, until: FollowUntil): boolean {
  const status = view.deployment?.status;
  if (status !== 'InProgress' && !(status === 'Ready' && until === 'ready')) return false;
  return view.target?.lifecycleEvents?.some((e) => e.lifecycleEventName === 'Install' && e.status === 'Succeeded') ?? false;
}

export function isTrafficShifted(deployment: DeploymentInfo | undefined, target: ECSTarget | undefined): boolean {
  if (deployment?.status !== 'InProgress' || !target?.lifecycleEvents?.length) return false;
  if (deployment.creator === 'codeDeployRollback') return false;
  const events = target.lifecycleEvents;
  const allDone =
    events.every((e) => e.status === 'Succeeded' || e.status === 'Skipped') &&
    events.some((e) => e.lifecycleEventName === 'AfterAllowTraffic' && e.status === 'Succeeded');
  return allDone && greenWeight(target) === 100;
}

function fingerprintOf(view: CodeDeployView): string {
  const events = (view.target?.lifecycleEvents ?? []).map((e) => `${e.lifecycleEventName}:${e.status}`).join(',');
  const sets = (view.target?.taskSetsInfo ?? [])
    .map((s) => `${s.taskSetLabel}:${s.runningCount}/${s.desiredCount}:${s.trafficWeight}`)
    .join(',');
  return `${view.deployment?.status}|${events}|${sets}|${view.trafficShifted}`;
}

function reportChanges(changes: ChangeLog, deploymentId: string, view: CodeDeployView): void {
  changes.report(
    'status',
    `deployment ${deploymentId}: ${view.deployment?.status ?? '?'}${view.trafficShifted ? ' (traffic moved; blue kept for the termination wait)' : ''}`,
  );
  for (const event of view.target?.lifecycleEvents ?? []) {
    if (event.status === 'Pending') continue;
    const took = event.startTime && event.endTime ? ` (${formatDuration(event.endTime.getTime() - event.startTime.getTime())})` : '';
    const why = event.status === 'Failed' && event.diagnostics?.message ? `: ${event.diagnostics.message}` : '';
    changes.report(
      `event ${event.lifecycleEventName}`,
      `  ${event.lifecycleEventName}: ${event.status}${event.status === 'InProgress' ? '' : took}${why}`,
    );
  }
  const traffic = trafficWords(view.target);
  if (traffic) changes.report('traffic', `  ${traffic}`);
}

function taskSet(target: ECSTarget | undefined, label: 'Blue' | 'Green'): ECSTaskSet | undefined {
  return target?.taskSetsInfo?.find((s) => s.taskSetLabel === label);
}

export function greenWeight(target: ECSTarget | undefined): number | undefined {
  return taskSet(target, 'Green')?.trafficWeight;
}

/** "traffic: blue 90% · green 10% (green 2/2 running)", or '' before there are task sets. */
export function trafficWords(target: ECSTarget | undefined): string {
  const blue = taskSet(target, 'Blue');
  const green = taskSet(target, 'Green');
  if (!blue && !green) return '';
  const parts = [];
  if (blue) parts.push(`blue ${Math.round(blue.trafficWeight ?? 0)}%`);
  if (green) parts.push(`green ${Math.round(green.trafficWeight ?? 0)}%`);
  const tasks = green ? ` (green ${green.runningCount ?? 0}/${green.desiredCount ?? 0} running)` : '';
  return `traffic: ${parts.join(' · ')}${tasks}`;
}

export async function continueDeployment(
  codedeploy: CodeDeployClient,
  deploymentId: string,
  waitType: 'READY_WAIT' | 'TERMINATION_WAIT',
  context: CallContext,
): Promise<void> {
  await awsCall(
    'codedeploy:ContinueDeployment',
    `deployment ${deploymentId}`,
    (abortSignal) => codedeploy.send(new ContinueDeploymentCommand({ deploymentId, deploymentWaitType: waitType }), { abortSignal }),
    context,
  );
}

/** The deployment and its ECS target as they are now (no target before it started). */
export async function readView(codedeploy: CodeDeployClient, deploymentId: string, context: CallContext): Promise<CodeDeployView> {
  const deployment = (
    await awsCall(
      'codedeploy:GetDeployment',
      `deployment ${deploymentId}`,
      (abortSignal) => codedeploy.send(new GetDeploymentCommand({ deploymentId }), { abortSignal }),
      context,
    )
  ).deploymentInfo;
  let target: ECSTarget | undefined;
  if (deployment?.status !== 'Created' && deployment?.status !== 'Queued') {
    try {
      const ids = await awsCall(
        'codedeploy:ListDeploymentTargets',
        `deployment ${deploymentId}`,
        (abortSignal) => codedeploy.send(new ListDeploymentTargetsCommand({ deploymentId }), { abortSignal }),
        context,
      );
      const id = ids.targetIds?.[0];
      if (id) {
        target = (
          await awsCall(
            'codedeploy:GetDeploymentTarget',
            `deployment ${deploymentId}`,
            (abortSignal) => codedeploy.send(new GetDeploymentTargetCommand({ deploymentId, targetId: id }), { abortSignal }),
            context,
          )
        ).deploymentTarget?.ecsTarget;
      }
    } catch (error) {
      if (errorName(error) !== 'DeploymentNotStartedException') throw error;
    }
  }
  return { deployment, target, trafficShifted: isTrafficShifted(deployment, target) };
}

/** "InProgress at AllowTraffic, traffic: blue 90% · green 10%" */
export function whereItWas(view: CodeDeployView): string {
  const current = view.target?.lifecycleEvents?.find((e) => e.status === 'InProgress')?.lifecycleEventName;
  const traffic = trafficWords(view.target);
  return [`${view.deployment?.status ?? '?'}${current ? ` at ${current}` : ''}`, traffic].filter(Boolean).join(', ');
}
