// CodeDeploy blue/green for ECS: check the group and config before anything is written, create
// the deployment, follow it lifecycle event by lifecycle event (one line per change, traffic
// weights, green tasks), and stop it with rollback rather than leave it running when the wait ends.
// bluegreen-switch uses the same following and stopping.
import {
  ContinueDeploymentCommand,
  CreateDeploymentCommand,
  GetDeploymentCommand,
  GetDeploymentConfigCommand,
  GetDeploymentGroupCommand,
  GetDeploymentTargetCommand,
  ListDeploymentTargetsCommand,
  StopDeploymentCommand,
  type CodeDeployClient,
  type DeploymentConfigInfo,
  type DeploymentGroupInfo,
  type DeploymentInfo,
  type ECSTarget,
  type ECSTaskSet,
} from '@aws-sdk/client-codedeploy';
import { CancelledError, DeadlineError, formatDuration, withDeadline } from '@expeditor/shared/deadline';
import { ExpeditorError, describeError } from '@expeditor/shared/errors';
import { quote } from '@expeditor/shared/inputs';
import { ChangeLog, type Log } from '@expeditor/shared/log';
import { pollUntil } from '@expeditor/shared/poll';
import { awsCall, errorName, type CallContext } from './aws-call.ts';
import { cleanupMs, defaultTiming, type PollTiming } from './timing.ts';
import type { Origin } from './task-definition.ts';

export const ACTIVE_STATUSES = ['Created', 'Queued', 'InProgress', 'Baking', 'Ready'] as const;
const TERMINAL = new Set(['Succeeded', 'Failed', 'Stopped']);

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

function where(origin: Origin): string {
  return origin.input ? `input '${origin.input}'` : (origin.key ?? '');
}

function originProblem(origin: Origin, message: string, next?: string): ExpeditorError {
  const at = where(origin);
  return new ExpeditorError(at ? `${at}: ${message}` : message, {
    ...(origin.input ? { input: origin.input } : {}),
    ...(origin.key ? { key: origin.key } : {}),
    unchanged: 'nothing was registered or deployed',
    ...(next ? { next } : {}),
  });
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
        (abortSignal) => codedeploy.send(new GetDeploymentGroupCommand({ applicationName: ref.application, deploymentGroupName: ref.group }), { abortSignal }),
        { ...context, unchanged: context.unchanged ?? 'nothing was registered or deployed' },
      )
    ).deploymentGroupInfo;
  } catch (error) {
    const name = errorName(error);
    if (name === 'ApplicationDoesNotExistException') {
      throw originProblem(ref.applicationOrigin, `CodeDeploy application ${quote(ref.application)} does not exist`, 'name the application that deploys this service (the ECS console calls it AppECS-<cluster>-<service>)');
    }
    if (name === 'DeploymentGroupDoesNotExistException') {
      throw originProblem(ref.groupOrigin, `CodeDeploy deployment group ${quote(ref.group)} does not exist in application ${ref.application}`, 'name the deployment group of this service (the ECS console calls it DgpECS-<cluster>-<service>)');
    }
    throw error;
  }
  if (!info) throw originProblem(ref.groupOrigin, `CodeDeploy returned nothing for deployment group ${ref.group}`);
  if (info.computePlatform && info.computePlatform !== 'ECS') {
    throw originProblem(ref.applicationOrigin, `application ${ref.application} is for ${info.computePlatform}, not ECS`);
  }
  if (service) {
    const targets = info.ecsServices ?? [];
    const matches = targets.some((s) => s.serviceName === service.service && (s.clusterName === service.cluster || s.clusterName?.endsWith(`/${service.cluster}`)));
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
export async function checkDeploymentConfig(codedeploy: CodeDeployClient, name: string, origin: Origin, context: CallContext): Promise<DeploymentConfigInfo> {
  try {
    const answer = await awsCall(
      'codedeploy:GetDeploymentConfig',
      `deployment config ${name}`,
      (abortSignal) => codedeploy.send(new GetDeploymentConfigCommand({ deploymentConfigName: name }), { abortSignal }),
      { ...context, unchanged: 'nothing was registered or deployed' },
    );
    const info = answer.deploymentConfigInfo ?? {};
    if (info.computePlatform && info.computePlatform !== 'ECS') {
      throw originProblem(origin, `deployment config ${name} is for ${info.computePlatform}, not ECS`, 'use an ECS config such as CodeDeployDefault.ECSAllAtOnce or CodeDeployDefault.ECSCanary10Percent5Minutes');
    }
    return info;
  } catch (error) {
    if (errorName(error) === 'DeploymentConfigDoesNotExistException') {
      throw originProblem(origin, `deployment config ${quote(name)} does not exist`, 'use CodeDeployDefault.ECSAllAtOnce, an ECSCanary/ECSLinear default, or a config created in this account');
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
  try {
    const answer = await awsCall(
      'codedeploy:CreateDeployment',
      `deployment group ${options.group} of application ${options.application}`,
      (abortSignal) =>
        codedeploy.send(
          new CreateDeploymentCommand({
            applicationName: options.application,
            deploymentGroupName: options.group,
            ...(options.deploymentConfig ? { deploymentConfigName: options.deploymentConfig } : {}),
            description: options.description.slice(0, 512),
            revision: { revisionType: 'AppSpecContent', appSpecContent: { content: options.appSpecContent } },
          }),
          { abortSignal },
        ),
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
  /** Epoch ms at which all traffic was first seen on green, if it was. */
  trafficShiftedAt: number | undefined;
  polls: number;
}

/** A deployment that ended Failed or Stopped. */
export class DeploymentFailedError extends ExpeditorError {
  readonly deploymentId: string;
  readonly status: string;
  readonly failedEvent: string | undefined;
  readonly rollbackDeploymentId: string | undefined;
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
      next: failedEvent && /^(Before|After)/.test(failedEvent)
        ? `read the logs of the ${failedEvent} hook's Lambda function, fix what it found, and deploy again`
        : 'read the deployment’s events in the CodeDeploy console, fix the cause, and deploy again',
    });
    this.name = 'DeploymentFailedError';
    this.deploymentId = deploymentId;
    this.status = d?.status ?? 'Failed';
    this.failedEvent = failedEvent;
    this.rollbackDeploymentId = rollbackId;
  }
}

/**
 * Follows a deployment until `until` (or Failed/Stopped, thrown as DeploymentFailedError). Reads
 * the deployment target (lifecycle events, task sets, traffic) on each poll, and the deployment
 * itself only when the target says something ended, so a quiet wait costs one call per poll.
 * The deadline and cancellation reach the caller as DeadlineError/CancelledError.
 */
export async function followDeployment(options: FollowOptions): Promise<FollowResult> {
  const { codedeploy, deploymentId, log } = options;
  const context: CallContext = { signal: options.signal, log };
  const changes = new ChangeLog(log);
  let targetId: string | undefined;
  let deployment: DeploymentInfo | undefined;
  let lastTargetStatus: string | undefined;
  let trafficShiftedAt: number | undefined;
  let continued = false;
  let announcedHold = false;

  const getDeployment = async (): Promise<DeploymentInfo> => {
    const answer = await awsCall(
      'codedeploy:GetDeployment',
      `deployment ${deploymentId}`,
      (abortSignal) => codedeploy.send(new GetDeploymentCommand({ deploymentId }), { abortSignal }),
      context,
    );
    if (!answer.deploymentInfo) throw new ExpeditorError(`CodeDeploy returned nothing for deployment ${deploymentId}`);
    return answer.deploymentInfo;
  };
  const findTarget = async (): Promise<string | undefined> => {
    try {
      const answer = await awsCall(
        'codedeploy:ListDeploymentTargets',
        `deployment ${deploymentId}`,
        (abortSignal) => codedeploy.send(new ListDeploymentTargetsCommand({ deploymentId }), { abortSignal }),
        context,
      );
      return answer.targetIds?.[0];
    } catch (error) {
      if (errorName(error) === 'DeploymentNotStartedException') return undefined;
      throw error;
    }
  };
  const getTarget = async (id: string): Promise<ECSTarget | undefined> => {
    const answer = await awsCall(
      'codedeploy:GetDeploymentTarget',
      `deployment ${deploymentId}`,
      (abortSignal) => codedeploy.send(new GetDeploymentTargetCommand({ deploymentId, targetId: id }), { abortSignal }),
      context,
    );
    return answer.deploymentTarget?.ecsTarget;
  };

  const read = async (): Promise<{ state: CodeDeployView; done: boolean }> => {
    let target: ECSTarget | undefined;
    if (!targetId) {
      deployment = await getDeployment();
      if (deployment.status !== 'Created' && deployment.status !== 'Queued') targetId = await findTarget();
    }
    if (targetId) {
      target = await getTarget(targetId);
      const status = target?.status;
      // The target's status changes only a few times (InProgress, Ready, Succeeded...): read the
      // deployment itself then, so a quiet wait costs one call per poll.
      if (status !== lastTargetStatus) deployment = await getDeployment();
      lastTargetStatus = status;
    }
    const view: CodeDeployView = { deployment, target, trafficShifted: isTrafficShifted(deployment, target) };
    if (view.trafficShifted && trafficShiftedAt === undefined) trafficShiftedAt = Date.now();
    const status = deployment?.status;
    let done = TERMINAL.has(status ?? '') || view.trafficShifted;
    if (status === 'Ready') {
      if (options.until === 'ready') done = true;
      else if (options.atReady === 'continue' && !continued) {
        continued = true;
        await continueDeployment(codedeploy, deploymentId, 'READY_WAIT', context);
        log.info(`deployment ${deploymentId} was held at Ready; continued it (traffic reroute)`);
        deployment = { ...deployment, status: 'InProgress' };
        lastTargetStatus = undefined;
      }
    }
    return { state: view, done };
  };

  const result = await pollUntil<CodeDeployView>({
    ...defaultTiming,
    ...options.timing,
    ...(options.signal ? { signal: options.signal } : {}),
    read,
    fingerprint: (v) => fingerprintOf(v),
    onChange: (v) => {
      reportChanges(changes, deploymentId, v);
      if (v.deployment?.status === 'Ready' && options.until === 'succeeded' && options.atReady !== 'continue' && !announcedHold) {
        announcedHold = true;
        log.info(`deployment ${deploymentId} is Ready and its group waits for someone to reroute traffic: continue it with bluegreen-switch (or the console); waiting for that`);
      }
    },
  });
  const view = result.state;
  const status = view.deployment?.status;
  if (status === 'Failed' || status === 'Stopped') throw new DeploymentFailedError(view, deploymentId);
  const final: FollowStatus = status === 'Succeeded' ? 'Succeeded' : status === 'Ready' ? 'Ready' : 'TrafficShifted';
  return { ...view, status: final, noticedAt: Date.now(), trafficShiftedAt, polls: result.polls };
}

function isTrafficShifted(deployment: DeploymentInfo | undefined, target: ECSTarget | undefined): boolean {
  if (deployment?.status !== 'InProgress' || !target?.lifecycleEvents?.length) return false;
  if (deployment.creator === 'codeDeployRollback') return false;
  const events = target.lifecycleEvents;
  const allDone = events.every((e) => e.status === 'Succeeded' || e.status === 'Skipped') && events.some((e) => e.lifecycleEventName === 'AfterAllowTraffic' && e.status === 'Succeeded');
  return allDone && greenWeight(target) === 100;
}

function fingerprintOf(view: CodeDeployView): string {
  const events = (view.target?.lifecycleEvents ?? []).map((e) => `${e.lifecycleEventName}:${e.status}`).join(',');
  const sets = (view.target?.taskSetsInfo ?? []).map((s) => `${s.taskSetLabel}:${s.runningCount}/${s.desiredCount}:${s.trafficWeight}`).join(',');
  return `${view.deployment?.status}|${events}|${sets}|${view.trafficShifted}`;
}

function reportChanges(changes: ChangeLog, deploymentId: string, view: CodeDeployView): void {
  changes.report('status', `deployment ${deploymentId}: ${view.deployment?.status ?? '?'}${view.trafficShifted ? ' (traffic moved; blue kept for the termination wait)' : ''}`);
  for (const event of view.target?.lifecycleEvents ?? []) {
    if (event.status === 'Pending') continue;
    const took = event.startTime && event.endTime ? ` (${formatDuration(event.endTime.getTime() - event.startTime.getTime())})` : '';
    const why = event.status === 'Failed' && event.diagnostics?.message ? `: ${event.diagnostics.message}` : '';
    changes.report(`event ${event.lifecycleEventName}`, `  ${event.lifecycleEventName}: ${event.status}${event.status === 'InProgress' ? '' : took}${why}`);
  }
  const traffic = trafficWords(view.target);
  if (traffic) changes.report('traffic', `  ${traffic}`);
}

function taskSet(target: ECSTarget | undefined, label: 'Blue' | 'Green'): ECSTaskSet | undefined {
  return target?.taskSetsInfo?.find((s) => s.taskSetLabel === label);
}

function greenWeight(target: ECSTarget | undefined): number | undefined {
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

export interface StopOutcome {
  /** The deployment's status after the stop (Stopped, or what it had already ended as). */
  status: string;
  rollbackDeploymentId: string | undefined;
  /** The rollback deployment's status when cleanup ended. */
  rollbackStatus: string | undefined;
  /** A sentence on where things are, for the error. */
  words: string;
}

/**
 * StopDeployment with auto-rollback, then wait (briefly, on a fresh deadline, since the run's
 * own signal has fired) until it is Stopped and the rollback has put blue back. Never throws:
 * what it could not do is in `words`.
 */
export async function stopWithRollback(
  codedeploy: CodeDeployClient,
  deploymentId: string,
  options: { log: Log; withinMs: number; timing?: PollTiming | undefined },
): Promise<StopOutcome> {
  const { log } = options;
  const signal = withDeadline(undefined, options.withinMs);
  const context: CallContext = { signal, log };
  let alreadyEnded = false;
  try {
    const answer = await awsCall(
      'codedeploy:StopDeployment',
      `deployment ${deploymentId}`,
      (abortSignal) => codedeploy.send(new StopDeploymentCommand({ deploymentId, autoRollbackEnabled: true }), { abortSignal }),
      context,
    );
    log.info(`StopDeployment ${deploymentId} with rollback: ${answer.status ?? '?'}${answer.statusMessage ? ` (${answer.statusMessage})` : ''}`);
  } catch (error) {
    if (errorName(error) === 'DeploymentAlreadyCompletedException') alreadyEnded = true;
    else {
      return {
        status: 'unknown',
        rollbackDeploymentId: undefined,
        rollbackStatus: undefined,
        words: `stopping it failed (${describeError(error)}): it may still be running; stop it in the CodeDeploy console`,
      };
    }
  }
  const timing = { minIntervalMs: 500, maxIntervalMs: 2000, factor: 1.5, ...options.timing };
  const readStatus = async (id: string): Promise<DeploymentInfo> => {
    const answer = await awsCall(
      'codedeploy:GetDeployment',
      `deployment ${id}`,
      (abortSignal) => codedeploy.send(new GetDeploymentCommand({ deploymentId: id }), { abortSignal }),
      context,
    );
    return answer.deploymentInfo ?? {};
  };
  let stopped: DeploymentInfo = {};
  try {
    stopped = (
      await pollUntil<DeploymentInfo>({
        ...timing,
        signal,
        read: async () => {
          const d = await readStatus(deploymentId);
          return { state: d, done: TERMINAL.has(d.status ?? '') };
        },
        fingerprint: (d) => d.status ?? '',
      })
    ).state;
  } catch (error) {
    return {
      status: 'stopping',
      rollbackDeploymentId: undefined,
      rollbackStatus: undefined,
      words: `StopDeployment was accepted but the deployment had not stopped yet (${describeError(error)}); CodeDeploy will stop it and roll back`,
    };
  }
  const status = stopped.status ?? '?';
  const rollbackId = stopped.rollbackInfo?.rollbackDeploymentId;
  if (alreadyEnded && status === 'Succeeded') {
    return { status, rollbackDeploymentId: undefined, rollbackStatus: undefined, words: 'it had just Succeeded before it could be stopped: green serves all traffic' };
  }
  if (!rollbackId) {
    return {
      status,
      rollbackDeploymentId: undefined,
      rollbackStatus: undefined,
      words: `it is now ${status}, with no rollback deployment: ${stopped.errorInformation?.message ?? 'see the console for where traffic is'}`,
    };
  }
  let rollback: DeploymentInfo = {};
  try {
    rollback = (
      await pollUntil<DeploymentInfo>({
        ...timing,
        signal,
        read: async () => {
          const d = await readStatus(rollbackId);
          return { state: d, done: TERMINAL.has(d.status ?? '') };
        },
        fingerprint: (d) => d.status ?? '',
        onChange: (d) => log.info(`rollback deployment ${rollbackId}: ${d.status}`),
      })
    ).state;
  } catch {
    // Still rolling back when cleanup time ran out: say so.
  }
  const rollbackStatus = rollback.status ?? 'InProgress';
  const words =
    rollbackStatus === 'Succeeded'
      ? `it is now ${status}, and rollback deployment ${rollbackId} Succeeded: the original (blue) task set serves all traffic`
      : `it is now ${status}; rollback deployment ${rollbackId} is ${rollbackStatus}${rollbackStatus === 'InProgress' ? ' and returns traffic to the original (blue) task set' : ': check the service in the console'}`;
  return { status, rollbackDeploymentId: rollbackId, rollbackStatus, words };
}

/**
 * Follows a deployment; when the wait ends by deadline or cancellation, stops it with rollback
 * and throws an error saying where things are. `describeWait` names what was awaited ("Succeeded").
 */
export async function followOrStop(options: FollowOptions & { describeWait: string }): Promise<FollowResult> {
  let last: CodeDeployView | undefined;
  const log = options.log;
  try {
    return await followDeployment(options);
  } catch (error) {
    if (!(error instanceof DeadlineError) && !(error instanceof CancelledError)) throw error;
    last = await lastView(options).catch(() => undefined);
    const at = last ? whereItWas(last) : 'its state could not be read';
    const why = error instanceof DeadlineError
      ? `did not reach ${options.describeWait} within ${formatDuration(error.timeoutMs)}`
      : `was interrupted (${error.message})`;
    log.info(`deployment ${options.deploymentId} ${why}; stopping it with rollback`);
    const stop = await stopWithRollback(options.codedeploy, options.deploymentId, {
      log,
      withinMs: error instanceof DeadlineError ? cleanupMs.afterDeadline : cleanupMs.afterCancel,
      timing: options.timing,
    });
    throw new ExpeditorError(`CodeDeploy deployment ${options.deploymentId} ${why} (${at}); it was stopped with rollback: ${stop.words}`, {
      cause: error,
      unchanged: stop.rollbackStatus === 'Succeeded' ? 'the original (blue) task set serves all traffic, as before the deployment' : undefined,
      next: error instanceof DeadlineError
        ? "look at the lifecycle event it was stuck in (hook logs, task health), or raise the 'timeout' input"
        : 'deploy again when ready',
    });
  }
}

async function lastView(options: FollowOptions): Promise<CodeDeployView> {
  // One quick read on a fresh signal (the run's has fired) to say where the deployment was.
  const signal = withDeadline(undefined, 5000);
  const context: CallContext = { signal, log: options.log };
  const deployment = (
    await awsCall('codedeploy:GetDeployment', `deployment ${options.deploymentId}`, (abortSignal) =>
      options.codedeploy.send(new GetDeploymentCommand({ deploymentId: options.deploymentId }), { abortSignal }), context)
  ).deploymentInfo;
  let target: ECSTarget | undefined;
  try {
    const ids = await options.codedeploy.send(new ListDeploymentTargetsCommand({ deploymentId: options.deploymentId }), { abortSignal: signal });
    const id = ids.targetIds?.[0];
    if (id) target = (await options.codedeploy.send(new GetDeploymentTargetCommand({ deploymentId: options.deploymentId, targetId: id }), { abortSignal: signal })).deploymentTarget?.ecsTarget;
  } catch {
    // Not started yet: no target to describe.
  }
  return { deployment, target, trafficShifted: isTrafficShifted(deployment, target) };
}

/** "InProgress at AllowTraffic, traffic: blue 90% · green 10%" */
export function whereItWas(view: CodeDeployView): string {
  const current = view.target?.lifecycleEvents?.find((e) => e.status === 'InProgress')?.lifecycleEventName;
  const traffic = trafficWords(view.target);
  return [`${view.deployment?.status ?? '?'}${current ? ` at ${current}` : ''}`, traffic].filter(Boolean).join(', ');
}
