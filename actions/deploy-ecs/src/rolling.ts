// A rolling deployment (ECS deployment controller): UpdateService, then follow *our* deployment by
// its id until its rolloutState is COMPLETED. FAILED, or a primary deployment that is no longer
// ours (ECS rolled back, or someone deployed over us), is a failure — never a success because the
// service happens to be stable again. On the deadline or a cancellation the service is sent back
// to the task definition it ran before, rather than left half-deployed.
import {
  DescribeServicesCommand,
  DescribeTasksCommand,
  ListTasksCommand,
  UpdateServiceCommand,
  type Deployment,
  type ECSClient,
  type Service,
  type ServiceEvent,
  type Task,
  type UpdateServiceCommandInput,
} from '@aws-sdk/client-ecs';
import { CancelledError, DeadlineError, formatDuration, withDeadline } from '@expeditor/shared/deadline';
import { writeSignal } from '@expeditor/shared/cancel-write';
import { ExpeditorError, describeError } from '@expeditor/shared/errors';
import type { Log } from '@expeditor/shared/log';
import { pollUntil, type PollStep } from '@expeditor/shared/poll';
import { awsCall, type CallContext } from '@expeditor/aws/call';
import { cleanupMs, pacing, type PollTiming } from '@expeditor/aws/pacing';
import { alarmFailureError, failedByAlarm, type RollingAlarms } from './rolling-alarms.ts';

export interface RollingOptions {
  ecs: ECSClient;
  cluster: string;
  service: string;
  taskDefinitionArn: string;
  /** The task definition the service ran before: named in failures, restored on a deadline. */
  previousTaskDefinitionArn: string | undefined;
  /** The service as described before the update (for the circuit breaker warning). */
  before: Service;
  waitUntil: 'succeeded' | 'none';
  /** What UpdateService sets besides the task definition (desired count, tags, volumes, force). */
  update?: Omit<UpdateServiceCommandInput, 'cluster' | 'service' | 'taskDefinition'> | undefined;
  /** The alarms set on the deployment: a failure they cause is named and its rollback followed. */
  alarms?: RollingAlarms | undefined;
  log: Log;
  signal?: AbortSignal | undefined;
  timing?: PollTiming | undefined;
}

export interface RollingResult {
  deploymentId: string;
  status: 'COMPLETED' | 'IN_PROGRESS';
  /** Epoch ms at which the end was noticed. */
  noticedAt: number | undefined;
  polls: number;
  /** Tasks running of desired at the end. */
  runningCount: number | undefined;
  desiredCount: number | undefined;
}

type Outcome = 'progress' | 'completed' | 'failed' | 'replaced';

interface RollingState {
  service: Service;
  ours: Deployment | undefined;
  primary: Deployment | undefined;
  outcome: Outcome;
}

export async function deployRolling(options: RollingOptions): Promise<RollingResult> {
  const { ecs, cluster, service, log } = options;
  const context: CallContext = { signal: options.signal, log };
  const breaker = options.before.deploymentConfiguration?.deploymentCircuitBreaker;
  if (!breaker?.enable) {
    log.warning(
      `service ${service} has the deployment circuit breaker off: ECS will keep replacing tasks that fail to start instead of failing the deployment, so a bad image is only caught by the deadline. Turn it on (with rollback) in the service's deployment configuration.`,
    );
  }
  const seenEvents = new Set((options.before.events ?? []).map((e) => e.id));
  const unchanged = `the service still runs ${options.previousTaskDefinitionArn ?? 'its previous task definition'}; the new task definition is registered but not deployed`;
  // Not cut off by a cancel once sent: the wait below then rolls back what it started.
  const updated = await awsCall(
    'ecs:UpdateService',
    `service ${service} in cluster ${cluster}`,
    (abortSignal) =>
      ecs.send(new UpdateServiceCommand({ ...options.update, cluster, service, taskDefinition: options.taskDefinitionArn }), {
        abortSignal,
      }),
    { ...context, signal: writeSignal(options.signal, 'ecs:UpdateService', unchanged), unchanged },
  );
  const ours = updated.service?.deployments?.find((d) => d.status === 'PRIMARY' && d.taskDefinition === options.taskDefinitionArn);
  if (!ours?.id) {
    throw new ExpeditorError(`UpdateService answered without a primary deployment of ${options.taskDefinitionArn}`, {
      next: 'look at the service in the ECS console',
    });
  }
  const deploymentId = ours.id;
  log.info(`ECS deployment ${deploymentId} started: ${options.previousTaskDefinitionArn ?? '(none)'} → ${options.taskDefinitionArn}`);
  if (options.waitUntil === 'none') {
    return {
      deploymentId,
      status: 'IN_PROGRESS',
      noticedAt: undefined,
      polls: 0,
      runningCount: ours.runningCount,
      desiredCount: ours.desiredCount,
    };
  }

  const { poll, budget } = pacing(options.timing);
  /** One DescribeServices; `last` is the read after the wait ended, which does not wait its turn. */
  const read = async (last?: AbortSignal): Promise<PollStep<RollingState>> => {
    const answer = await awsCall(
      'ecs:DescribeServices',
      `service ${service} in cluster ${cluster}`,
      (abortSignal) => ecs.send(new DescribeServicesCommand({ cluster, services: [service] }), { abortSignal }),
      { ...context, budget, ...(last ? { signal: last, urgent: true } : {}) },
    );
    const current = answer.services?.[0];
    if (!current) throw new ExpeditorError(`service ${service} disappeared from cluster ${cluster} during the deployment`);
    const state = classify(current, deploymentId, ours.createdAt);
    const near = endIsNear(state);
    budget?.setNear(near);
    return { state, done: state.outcome !== 'progress', near };
  };

  let result: Awaited<ReturnType<typeof pollUntil<RollingState>>>;
  try {
    result = await pollUntil<RollingState>({
      ...poll,
      ...(options.signal ? { signal: options.signal } : {}),
      read: () => read(),
      fingerprint: fingerprint,
      onChange: (state) => {
        log.info(progressLine(state, deploymentId));
        const fresh = (state.service.events ?? []).filter((e) => e.id && !seenEvents.has(e.id)).reverse();
        for (const event of fresh) seenEvents.add(event.id!);
        // AWS starts every message with "(service NAME) "; the group already says which service.
        for (const event of fresh.slice(-5))
          log.info(`  event ${timeOf(event)} ${(event.message ?? '').replace(/^\(service [^)]*\) /, '')}`);
      },
    });
  } catch (error) {
    if (!(error instanceof DeadlineError) && !(error instanceof CancelledError)) throw error;
    // It may have completed, or failed, just as the wait ended: then that is the answer.
    // A fresh signal: the run's has fired.
    const last = await read(withDeadline(undefined, 5000))
      .then((step) => step.state)
      .catch(() => undefined);
    if (!last || last.outcome === 'progress') throw await rollBackAfterStop(options, deploymentId, error);
    log.info(`ECS deployment ${deploymentId} ended just as the wait did`);
    result = { state: last, polls: 0 };
  }
  const noticedAt = Date.now();
  const state = result.state;
  if (state.outcome === 'completed') {
    log.info(
      `ECS deployment ${deploymentId} COMPLETED: ${state.ours?.runningCount}/${state.ours?.desiredCount} tasks of ${options.taskDefinitionArn} running`,
    );
    return {
      deploymentId,
      status: 'COMPLETED',
      noticedAt,
      polls: result.polls,
      runningCount: state.ours?.runningCount,
      desiredCount: state.ours?.desiredCount,
    };
  }
  if (options.alarms && failedByAlarm(state.service, deploymentId)) {
    throw await alarmFailureError({ ...options, alarms: options.alarms }, deploymentId, ours.createdAt, state.service, context);
  }
  if (state.outcome === 'failed') throw await failedError(options, deploymentId, state, context);
  throw await replacedError(options, deploymentId, state, context);
}

/**
 * Where our deployment stands in a described service. `startedAt` is our deployment's creation:
 * a read that lists neither it nor anything newer is stale (ECS is eventually consistent).
 */
export function classify(service: Service, deploymentId: string, startedAt?: Date): RollingState {
  const deployments = service.deployments ?? [];
  const ours = deployments.find((d) => d.id === deploymentId);
  const primary = deployments.find((d) => d.status === 'PRIMARY') ?? deployments[0];
  const stale = !ours && startedAt !== undefined && primary?.createdAt !== undefined && primary.createdAt < startedAt;
  let outcome: Outcome = 'progress';
  if (ours?.rolloutState === 'FAILED') outcome = 'failed';
  else if (stale) outcome = 'progress';
  else if (!primary || primary.id !== deploymentId) outcome = 'replaced';
  else if (ours?.rolloutState === 'COMPLETED') outcome = 'completed';
  return { service, ours, primary, outcome };
}

/**
 * The end is near when every new task runs and the old ones are gone (ECS's steady-state check is
 * all that is left), or when tasks fail to start (the circuit breaker may trip).
 */
function endIsNear(state: RollingState): boolean {
  const ours = state.ours;
  if (!ours) return true;
  if ((ours.failedTasks ?? 0) > 0) return true;
  const others = (state.service.deployments ?? []).filter((d) => d.id !== ours.id);
  return others.length === 0 && (ours.runningCount ?? 0) >= (ours.desiredCount ?? 0) && (ours.pendingCount ?? 0) === 0;
}

function fingerprint(state: RollingState): string {
  const deployments = (state.service.deployments ?? []).map(
    (d) => `${d.id}:${d.status}:${d.rolloutState}:${d.runningCount}/${d.pendingCount}/${d.desiredCount}:${d.failedTasks}`,
  );
  return `${deployments.join(',')}|${state.service.events?.[0]?.id ?? ''}`;
}

function progressLine(state: RollingState, deploymentId: string): string {
  const ours = state.ours;
  const head = ours
    ? `rollout ${ours.rolloutState ?? '?'} · new: ${ours.runningCount ?? 0} running, ${ours.pendingCount ?? 0} pending of ${ours.desiredCount ?? 0}${ours.failedTasks ? `, ${ours.failedTasks} failed to start` : ''}`
    : `deployment ${deploymentId} is no longer listed`;
  const others = (state.service.deployments ?? [])
    .filter((d) => d.id !== deploymentId)
    .map(
      (d) =>
        `${d.status === 'PRIMARY' ? 'primary' : 'old'} ${shortTd(d.taskDefinition)}: ${d.runningCount ?? 0} running${d.rolloutState === 'FAILED' ? ' (FAILED)' : ''}`,
    );
  return [head, ...others].join(' · ');
}

function timeOf(event: ServiceEvent): string {
  return event.createdAt ? event.createdAt.toISOString().slice(11, 19) : '--:--:--';
}

export function shortTd(arn: string | undefined): string {
  return arn ? (arn.split('/').pop() ?? arn) : '?';
}

async function failedError(
  options: RollingOptions,
  deploymentId: string,
  state: RollingState,
  context: CallContext,
): Promise<ExpeditorError> {
  const reasons = await stoppedReasons(options, deploymentId, context).catch((error: unknown) => [
    `(could not read the stopped tasks: ${describeError(error)})`,
  ]);
  const rollback = state.primary && state.primary.id !== deploymentId ? state.primary : undefined;
  const lines = [
    `ECS deployment ${deploymentId} of ${shortTd(options.taskDefinitionArn)} FAILED: ${state.ours?.rolloutStateReason ?? 'no reason given'}`,
    ...(reasons.length ? ['Stopped tasks:', ...reasons.map((r) => `  - ${r}`)] : []),
  ];
  if (rollback) lines.push(`ECS rolled the service back to ${shortTd(rollback.taskDefinition)} (deployment ${rollback.id}).`);
  return new ExpeditorError(lines.join('\n'), {
    unchanged: rollback
      ? `the service returns to ${rollback.taskDefinition}; ${options.taskDefinitionArn} stays registered but runs nowhere`
      : `the service keeps what it ran before (${options.previousTaskDefinitionArn ?? 'its previous task definition'}) as far as ECS kept it; ${options.taskDefinitionArn} stays registered`,
    next: 'read the stopped tasks’ reasons and container logs, fix the image or task definition, and deploy again',
  });
}

async function replacedError(
  options: RollingOptions,
  deploymentId: string,
  state: RollingState,
  context: CallContext,
): Promise<ExpeditorError> {
  const primary = state.primary;
  const td = primary?.taskDefinition;
  const toPrevious = td !== undefined && td === options.previousTaskDefinitionArn;
  const what = toPrevious
    ? `the service was rolled back to the previous task definition ${shortTd(td)} (deployment ${primary?.id})`
    : `deployment ${primary?.id ?? '?'} of ${shortTd(td)} replaced it`;
  // ECS drops a failed deployment from the list once its rollback completes: its own service
  // events and stopped tasks still say what happened.
  const said = (state.service.events ?? [])
    .filter((e) => e.message?.includes(`(deployment ${deploymentId})`))
    .reverse()
    .map((e) => (e.message ?? '').replace(/^\(service [^)]*\) /, ''));
  const reasons = await stoppedReasons(options, deploymentId, context).catch(() => []);
  const lines = [
    `ECS deployment ${deploymentId} of ${shortTd(options.taskDefinitionArn)} did not complete: ${what}`,
    ...(said.length ? ['Service events:', ...said.slice(-5).map((m) => `  - ${m}`)] : []),
    ...(reasons.length ? ['Stopped tasks:', ...reasons.map((r) => `  - ${r}`)] : []),
  ];
  return new ExpeditorError(lines.join('\n'), {
    unchanged: `the service now deploys ${td ?? 'another task definition'}, not ${options.taskDefinitionArn}`,
    next: toPrevious
      ? 'read why ECS rolled back (above, and the stopped tasks’ logs), fix it, and deploy again'
      : 'another deployment of this service ran at the same time; give each environment one deploy at a time (workflow concurrency) and deploy again',
  });
}

/** Distinct reasons the deployment's tasks stopped, with counts, most common first. */
async function stoppedReasons(options: RollingOptions, deploymentId: string, context: CallContext): Promise<string[]> {
  const { ecs, cluster, service } = options;
  const listed = await awsCall(
    'ecs:ListTasks',
    `cluster ${cluster}`,
    (abortSignal) => ecs.send(new ListTasksCommand({ cluster, serviceName: service, desiredStatus: 'STOPPED' }), { abortSignal }),
    context,
  );
  const arns = (listed.taskArns ?? []).slice(0, 100);
  if (arns.length === 0) return [];
  const described = await awsCall(
    'ecs:DescribeTasks',
    `cluster ${cluster}`,
    (abortSignal) => ecs.send(new DescribeTasksCommand({ cluster, tasks: arns }), { abortSignal }),
    context,
  );
  const ours = (described.tasks ?? []).filter((t) => t.startedBy === deploymentId || t.taskDefinitionArn === options.taskDefinitionArn);
  const counts = new Map<string, number>();
  for (const task of ours) {
    const reason = taskReason(task);
    counts.set(reason, (counts.get(reason) ?? 0) + 1);
  }
  return [...counts.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, 5)
    .map(([reason, n]) => `${n} × ${reason}`);
}

function taskReason(task: Task): string {
  const containers = (task.containers ?? [])
    .filter((c) => (c.exitCode !== undefined && c.exitCode !== 0) || c.reason)
    .map((c) => `container ${c.name}${c.exitCode !== undefined ? ` exit code ${c.exitCode}` : ''}${c.reason ? `: ${c.reason}` : ''}`);
  return [task.stoppedReason ?? task.stopCode ?? 'stopped', ...containers].join('; ');
}

/** On the deadline or a cancellation: send the service back to its previous task definition. */
async function rollBackAfterStop(
  options: RollingOptions,
  deploymentId: string,
  stop: DeadlineError | CancelledError,
): Promise<ExpeditorError> {
  const { ecs, cluster, service, log } = options;
  const why =
    stop instanceof DeadlineError ? `did not complete within ${formatDuration(stop.timeoutMs)}` : `was interrupted: ${stop.message}`;
  const previous = options.previousTaskDefinitionArn;
  if (!previous) {
    return new ExpeditorError(
      `ECS deployment ${deploymentId} ${why}; it was left running (there is no previous task definition to return to)`,
      {
        cause: stop,
        next: 'watch the service in the ECS console',
      },
    );
  }
  const signal = withDeadline(undefined, stop instanceof DeadlineError ? cleanupMs.afterDeadline : cleanupMs.afterCancel);
  try {
    const answer = await awsCall(
      'ecs:UpdateService',
      `service ${service} in cluster ${cluster}`,
      (abortSignal) => ecs.send(new UpdateServiceCommand({ cluster, service, taskDefinition: previous }), { abortSignal }),
      { signal, log },
    );
    const rollback = answer.service?.deployments?.find((d) => d.status === 'PRIMARY');
    log.info(`rolled the service back to ${shortTd(previous)} (deployment ${rollback?.id ?? '?'})`);
    return new ExpeditorError(
      `ECS deployment ${deploymentId} of ${shortTd(options.taskDefinitionArn)} ${why}; deploy-ecs rolled the service back to ${shortTd(previous)} (deployment ${rollback?.id ?? '?'}, in progress)`,
      {
        cause: stop,
        unchanged: `the service is returning to ${previous}; ${options.taskDefinitionArn} stays registered`,
        next:
          stop instanceof DeadlineError
            ? "find out why the tasks were slow (service events, task logs), or raise the 'timeout' input"
            : 'deploy again when ready',
      },
    );
  } catch (error) {
    return new ExpeditorError(
      `ECS deployment ${deploymentId} ${why}, and rolling back to ${shortTd(previous)} failed: ${describeError(error)}; the deployment is still running`,
      { cause: stop, next: `roll back by hand: update service ${service} to ${previous}` },
    );
  }
}
