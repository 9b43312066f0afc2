// Never leave a deployment running when the wait ends: StopDeployment with auto-rollback, then
// (briefly, on a fresh deadline) watch it stop and blue come back, and say where things are.
import { GetDeploymentCommand, StopDeploymentCommand, type CodeDeployClient, type DeploymentInfo } from '@aws-sdk/client-codedeploy';
import { CancelledError, DeadlineError, formatDuration, withDeadline } from '@expeditor/shared/deadline';
import { ExpeditorError, describeError } from '@expeditor/shared/errors';
import type { Log } from '@expeditor/shared/log';
import { pollUntil } from '@expeditor/shared/poll';
import { awsCall, errorName, type CallContext } from '@expeditor/aws/call';
import {
  DeploymentFailedError,
  TERMINAL,
  followDeployment,
  readView,
  whereItWas,
  type CodeDeployView,
  type FollowOptions,
  type FollowResult,
  type FollowStatus,
} from './follow.ts';
import { cleanupMs, type PollTiming } from '@expeditor/aws/pacing';

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
  options: { log: Log; withinMs: number; timing?: PollTiming | undefined; signal?: AbortSignal | undefined },
): Promise<StopOutcome> {
  const { log } = options;
  // A fresh deadline: after a deadline or cancellation the run's own signal has already fired.
  const signal = withDeadline(options.signal, options.withinMs);
  const context: CallContext = { signal, log };
  let alreadyEnded = false;
  try {
    const answer = await awsCall(
      'codedeploy:StopDeployment',
      `deployment ${deploymentId}`,
      (abortSignal) => codedeploy.send(new StopDeploymentCommand({ deploymentId, autoRollbackEnabled: true }), { abortSignal }),
      context,
    );
    log.info(
      `StopDeployment ${deploymentId} with rollback: ${answer.status ?? '?'}${answer.statusMessage ? ` (${answer.statusMessage})` : ''}`,
    );
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
  let stopped: DeploymentInfo = {};
  try {
    stopped = await waitUntilEnded(codedeploy, deploymentId, { ...context, timing: options.timing });
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
    return {
      status,
      rollbackDeploymentId: undefined,
      rollbackStatus: undefined,
      words: 'it had just Succeeded before it could be stopped: green serves all traffic',
    };
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
    rollback = await waitUntilEnded(codedeploy, rollbackId, {
      ...context,
      timing: options.timing,
      onChange: (d) => log.info(`rollback deployment ${rollbackId}: ${d.status}`),
    });
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
 * Reads a deployment (GetDeployment) until it has ended (Succeeded, Failed or Stopped). The
 * context's signal bounds the wait; its end reaches the caller as the signal's reason.
 */
export async function waitUntilEnded(
  codedeploy: CodeDeployClient,
  deploymentId: string,
  context: CallContext & { timing?: PollTiming | undefined; onChange?: (d: DeploymentInfo) => void },
): Promise<DeploymentInfo> {
  const timing = { minIntervalMs: 500, maxIntervalMs: 2000, factor: 1.5, ...context.timing };
  const read = async (): Promise<DeploymentInfo> => {
    const answer = await awsCall(
      'codedeploy:GetDeployment',
      `deployment ${deploymentId}`,
      (abortSignal) => codedeploy.send(new GetDeploymentCommand({ deploymentId }), { abortSignal }),
      context,
    );
    return answer.deploymentInfo ?? {};
  };
  const result = await pollUntil<DeploymentInfo>({
    ...timing,
    ...(context.signal ? { signal: context.signal } : {}),
    read: async () => {
      const d = await read();
      return { state: d, done: TERMINAL.has(d.status ?? '') };
    },
    fingerprint: (d) => d.status ?? '',
    ...(context.onChange ? { onChange: context.onChange } : {}),
  });
  return result.state;
}

/**
 * Follows a deployment; when the wait ends by deadline or cancellation, stops it with rollback
 * and throws an error saying where things are. `describeWait` names what was awaited ("Succeeded").
 */
export async function followOrStop(
  options: FollowOptions & {
    describeWait: string;
    /** Part of `signal` whose abort the caller handles (e.g. a check that did not pass): rethrown, nothing stopped. */
    callerAbort?: AbortSignal | undefined;
  },
): Promise<FollowResult> {
  let last: CodeDeployView | undefined;
  const log = options.log;
  try {
    return await followDeployment(options);
  } catch (error) {
    if (!(error instanceof DeadlineError) && !(error instanceof CancelledError)) throw error;
    if (options.callerAbort?.aborted) throw error;
    last = await lastView(options).catch(() => undefined);
    // It may have got there, or failed, just as the wait ended: then that is the answer.
    const status = last?.deployment?.status;
    if (last && (status === 'Failed' || status === 'Stopped')) throw new DeploymentFailedError(last, options.deploymentId);
    const reached: FollowStatus | undefined =
      status === 'Succeeded'
        ? 'Succeeded'
        : last?.trafficShifted && options.until === 'succeeded'
          ? 'TrafficShifted'
          : status === 'Ready' && options.until === 'ready'
            ? 'Ready'
            : undefined;
    if (last && reached) {
      log.info(`deployment ${options.deploymentId} reached ${reached} just as the wait ended`);
      const now = Date.now();
      return {
        ...last,
        status: reached,
        noticedAt: now,
        trafficShiftedAt: reached === 'TrafficShifted' ? now : undefined,
        greenAllAt: reached === 'Ready' ? undefined : now,
        polls: 0,
      };
    }
    const at = last ? whereItWas(last) : 'its state could not be read';
    const why =
      error instanceof DeadlineError
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
      unchanged:
        stop.rollbackStatus === 'Succeeded' ? 'the original (blue) task set serves all traffic, as before the deployment' : undefined,
      next:
        error instanceof DeadlineError
          ? "look at the lifecycle event it was stuck in (hook logs, task health), or raise the 'timeout' input"
          : 'deploy again when ready',
    });
  }
}

async function lastView(options: FollowOptions): Promise<CodeDeployView> {
  // One quick read on a fresh signal (the run's has fired) to say where the deployment was.
  return readView(options.codedeploy, options.deploymentId, { signal: withDeadline(undefined, 5000), log: options.log });
}
