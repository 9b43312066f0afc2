// The one-off task (run-task: true), e.g. a database migration: the NEW task definition run with
// RunTask before the service is updated, as amazon-ecs-deploy-task-definition does. Unlike it,
// deploy-ecs waits for the task to stop by default (the service is never updated while a
// migration may still run), fails on a non-zero exit of an essential container — naming the
// container, its exit code, the stopped reason and its CloudWatch logs — and then leaves the
// service alone. On the deadline or a cancellation the task is stopped (StopTask), and it says so.
import {
  DescribeTasksCommand,
  RunTaskCommand,
  StopTaskCommand,
  type ContainerOverride as EcsContainerOverride,
  type ECSClient,
  type RunTaskCommandInput,
  type TaskManagedEBSVolumeConfiguration,
  type Service,
  type Task,
} from '@aws-sdk/client-ecs';
import { CancelledError, DeadlineError, formatDuration, withDeadline } from '@expeditor/shared/deadline';
import { ExpeditorError, describeError, originError } from '@expeditor/shared/errors';
import { quote } from '@expeditor/shared/inputs';
import type { Log } from '@expeditor/shared/log';
import { pollUntil } from '@expeditor/shared/poll';
import { awsCall, type CallContext } from '@expeditor/aws/call';
import { consoleOrigin } from '@expeditor/aws/clients';
import { cleanupMs, pacing, type PollTiming } from '@expeditor/aws/pacing';
import type { RunTaskInputs } from './inputs.ts';
import type { ContainerOverride } from './json-inputs.ts';
import type { Rendered } from './task-definition.ts';
import { checkLaunchVolume } from './launch-volume.ts';

/** Where a container's logs go, when its log driver is awslogs. */
export interface AwsLogs {
  group: string;
  region: string | undefined;
  prefix: string | undefined;
}

/** The RunTask request (without the task definition ARN, registered later) and what judging its end needs. */
export interface PreparedRunTask {
  request: Omit<RunTaskCommandInput, 'taskDefinition'>;
  /** Essential containers: a non-zero exit of one fails the run. */
  essential: string[];
  logs: Record<string, AwsLogs>;
  /** How it is placed, for the log: "launch type FARGATE (the service's)", … */
  placement: string;
  network: string | undefined;
  waitForStop: boolean;
}

const unchangedBeforeRegister = 'nothing was registered or deployed';

function refuse(input: string, message: string, next?: string): ExpeditorError {
  return originError({ input }, message, { unchanged: unchangedBeforeRegister, next });
}

/**
 * Checks the one-off task against the task definition to register and the service (no network),
 * and builds its RunTask request: container overrides (run-task-command merged into the deployed
 * container's), placement and network (the inputs', else the service's), tags.
 */
export function prepareRunTask(
  run: RunTaskInputs,
  rendered: Rendered,
  service: Service | undefined,
  options: { cluster: string; enableEcsManagedTags: boolean | undefined },
): PreparedRunTask {
  const td = rendered.input;
  const names = (td.containerDefinitions ?? []).map((c) => c.name ?? '');
  const overrides: ContainerOverride[] = run.containerOverrides.map((o) => ({ ...o }));
  for (const o of overrides) {
    if (!names.includes(o.name)) {
      throw refuse(
        'run-task-container-overrides',
        `overrides container ${quote(o.name)}, which the task definition does not have (have: ${names.join(', ')})`,
      );
    }
  }
  if (run.command) {
    const own = overrides.find((o) => o.name === rendered.container);
    if (own?.command) {
      throw refuse(
        'run-task-command',
        `container ${rendered.container} already gets a command from run-task-container-overrides`,
        'give the command in one of the two inputs',
      );
    }
    if (own) own.command = run.command;
    else overrides.push({ name: rendered.container, command: run.command });
  }

  // Placement: the inputs', else the service's, else FARGATE (as amazon-ecs-deploy-task-definition).
  let placement: string;
  let launch: Pick<RunTaskCommandInput, 'launchType' | 'capacityProviderStrategy'>;
  let launchOrigin = 'run-task-launch-type';
  if (run.capacityProviderStrategy) {
    launch = { capacityProviderStrategy: run.capacityProviderStrategy };
    placement = `capacity providers ${run.capacityProviderStrategy.map((c) => c.capacityProvider).join(', ')}`;
  } else if (run.launchType) {
    launch = { launchType: run.launchType };
    placement = `launch type ${run.launchType}`;
  } else if (service?.capacityProviderStrategy?.length) {
    launch = { capacityProviderStrategy: service.capacityProviderStrategy };
    placement = `capacity providers ${service.capacityProviderStrategy.map((c) => c.capacityProvider).join(', ')} (the service's)`;
    launchOrigin = 'run-task-capacity-provider-strategy';
  } else if (service?.launchType) {
    launch = { launchType: service.launchType };
    placement = `launch type ${service.launchType} (the service's)`;
  } else {
    launch = { launchType: 'FARGATE' };
    placement = 'launch type FARGATE (the default)';
  }

  // Network: awsvpc tasks need subnets; other network modes take none.
  const awsvpc = td.networkMode === 'awsvpc';
  let network: RunTaskCommandInput['networkConfiguration'];
  let networkWords: string | undefined;
  if (run.subnets.length > 0) {
    if (!awsvpc) {
      throw refuse(
        'run-task-subnets',
        `the task definition uses the ${td.networkMode ?? 'default (bridge)'} network mode, and ECS takes subnets only for awsvpc`,
        'leave run-task-subnets and run-task-security-groups out, or use the awsvpc network mode',
      );
    }
    network = {
      awsvpcConfiguration: {
        subnets: run.subnets,
        ...(run.securityGroups.length ? { securityGroups: run.securityGroups } : {}),
        assignPublicIp: run.assignPublicIp ?? 'DISABLED',
      },
    };
    networkWords = `subnets ${run.subnets.join(', ')}${run.securityGroups.length ? `, security groups ${run.securityGroups.join(', ')}` : ''}`;
  } else if (awsvpc) {
    const own = service?.networkConfiguration?.awsvpcConfiguration;
    if (!own?.subnets?.length) {
      throw refuse(
        'run-task-subnets',
        `the task definition uses the awsvpc network mode, so ECS needs subnets for the one-off task${service ? `, and service ${service.serviceName} has none to take` : ''}`,
        'give run-task-subnets (and run-task-security-groups)',
      );
    }
    network = { awsvpcConfiguration: own };
    networkWords = `the service's network (subnets ${own.subnets.join(', ')})`;
  }
  if (launch.launchType === 'FARGATE' && !awsvpc) {
    throw refuse(
      launchOrigin,
      `the one-off task would run on ${placement}, and Fargate takes only task definitions with the awsvpc network mode (this one uses ${td.networkMode ?? 'the default, bridge'})`,
      'give run-task-launch-type EC2 (or a capacity provider strategy), or use the awsvpc network mode',
    );
  }

  if (run.managedEbsVolume) checkLaunchVolume(rendered, run.managedEbsVolume.name, 'run-task-managed-ebs-volume-name');

  const essential = (td.containerDefinitions ?? []).filter((c) => c.essential !== false).map((c) => c.name ?? '');
  const logs: Record<string, AwsLogs> = {};
  for (const c of td.containerDefinitions ?? []) {
    const config = c.logConfiguration;
    const group = config?.options?.['awslogs-group'];
    if (config?.logDriver === 'awslogs' && group && c.name) {
      logs[c.name] = { group, region: config.options?.['awslogs-region'], prefix: config.options?.['awslogs-stream-prefix'] };
    }
  }
  return {
    request: {
      cluster: options.cluster,
      count: run.count,
      startedBy: run.startedBy,
      ...launch,
      ...(network ? { networkConfiguration: network } : {}),
      ...(overrides.length ? { overrides: { containerOverrides: overrides as EcsContainerOverride[] } } : {}),
      ...(options.enableEcsManagedTags !== undefined ? { enableECSManagedTags: options.enableEcsManagedTags } : {}),
      ...(run.tags.length ? { tags: run.tags } : {}),
      ...(run.managedEbsVolume
        ? {
            volumeConfigurations: [
              { name: run.managedEbsVolume.name, managedEBSVolume: run.managedEbsVolume.volume as TaskManagedEBSVolumeConfiguration },
            ],
          }
        : {}),
    },
    essential,
    logs,
    placement,
    network: networkWords,
    waitForStop: run.waitForStop,
  };
}

export interface RunTaskOptions {
  ecs: ECSClient;
  region: string;
  cluster: string;
  taskDefinitionArn: string;
  prepared: PreparedRunTask;
  /** What stays as it was when the task fails (the service's state). */
  unchanged: string;
  log: Log;
  signal?: AbortSignal | undefined;
  timing?: PollTiming | undefined;
}

export interface RunTaskResult {
  taskArns: string[];
  /** STOPPED (waited, every essential container exited 0) or started (not waited for). */
  status: 'STOPPED' | 'started';
  tookMs: number;
}

export async function runOneOffTask(options: RunTaskOptions): Promise<RunTaskResult> {
  const { ecs, cluster, log, prepared } = options;
  const started = Date.now();
  const call: CallContext = { signal: options.signal, log, unchanged: options.unchanged };
  const request: RunTaskCommandInput = { ...prepared.request, taskDefinition: options.taskDefinitionArn };
  const command = request.overrides?.containerOverrides
    ?.filter((o) => o.command)
    .map((o) => `${o.name}: ${JSON.stringify(o.command)}`)
    .join('; ');
  log.info(
    `running ${request.count === 1 ? 'a one-off task' : `${request.count} one-off tasks`} of ${shortArn(options.taskDefinitionArn)} in cluster ${cluster} on ${prepared.placement}${prepared.network ? `, ${prepared.network}` : ''}${command ? `, command ${command}` : ''}`,
  );
  const answer = await awsCall(
    'ecs:RunTask',
    `task definition ${options.taskDefinitionArn} in cluster ${cluster}`,
    (abortSignal) => ecs.send(new RunTaskCommand(request), { abortSignal }),
    call,
  );
  const tasks = answer.tasks ?? [];
  const taskArns = tasks.map((t) => t.taskArn ?? '').filter(Boolean);
  if ((answer.failures?.length ?? 0) > 0 || taskArns.length === 0) {
    const failures = (answer.failures ?? []).map(
      (f) => `${f.reason ?? 'no reason'}${f.detail ? ` (${f.detail})` : ''}${f.arn ? ` — ${f.arn}` : ''}`,
    );
    throw new ExpeditorError(
      `RunTask did not start the one-off task${failures.length ? `: ${failures.join('; ')}` : ''}${taskArns.length ? `; it started ${taskArns.join(', ')}, which run on unwatched` : ''}`,
      {
        unchanged: options.unchanged,
        next: 'check the cluster’s capacity and the task’s placement (launch type, capacity providers, subnets)',
      },
    );
  }
  for (const arn of taskArns) log.info(`started task ${taskId(arn)}: ${taskConsoleUrl(options.region, cluster, arn)}`);
  if (!prepared.waitForStop) {
    log.info('not waiting for it to stop (wait-for-task-stopped: false): the deployment goes on while it runs');
    return { taskArns, status: 'started', tookMs: Date.now() - started };
  }

  const { poll, budget } = pacing(options.timing);
  const read = async (): Promise<Task[]> => {
    const described = await awsCall(
      'ecs:DescribeTasks',
      `cluster ${cluster}`,
      (abortSignal) => ecs.send(new DescribeTasksCommand({ cluster, tasks: taskArns }), { abortSignal }),
      { ...call, budget },
    );
    return described.tasks ?? [];
  };
  let final: Task[];
  try {
    const result = await pollUntil<Task[]>({
      ...poll,
      ...(options.signal ? { signal: options.signal } : {}),
      read: async () => {
        const state = await read();
        const stopped = state.length === taskArns.length && state.every((t) => t.lastStatus === 'STOPPED');
        return { state, done: stopped, near: state.some((t) => t.desiredStatus === 'STOPPED') };
      },
      fingerprint: (state) => state.map((t) => `${t.taskArn}:${t.lastStatus}:${t.desiredStatus}`).join(','),
      onChange: (state) => log.info(progressLine(state)),
    });
    final = result.state;
  } catch (error) {
    if (!(error instanceof DeadlineError) && !(error instanceof CancelledError)) throw error;
    throw await stopAfter(options, taskArns, error);
  }
  const failures = taskFailures(final, prepared, options.region);
  if (failures.length > 0) {
    throw new ExpeditorError(
      [
        `the one-off task of ${shortArn(options.taskDefinitionArn)} failed, so the deployment did not go on:`,
        ...failures.map((f) => `  - ${f}`),
      ].join('\n'),
      {
        unchanged: options.unchanged,
        next: 'read the container’s logs, fix the task (or its command), and deploy again',
      },
    );
  }
  for (const task of final) {
    const exits = (task.containers ?? []).map((c) => `${c.name} ${c.exitCode ?? '?'}`).join(', ');
    log.info(`task ${taskId(task.taskArn)} stopped: exit codes ${exits}`);
  }
  log.info(`one-off task done in ${formatDuration(Date.now() - started)}`);
  return { taskArns, status: 'STOPPED', tookMs: Date.now() - started };
}

/** Why stopped tasks count as failed, one line each (with the logs' console link); empty when all went well. */
export function taskFailures(tasks: Task[], prepared: Pick<PreparedRunTask, 'essential' | 'logs'>, region: string): string[] {
  const failures: string[] = [];
  for (const task of tasks) {
    const id = taskId(task.taskArn);
    const why = [task.stopCode, task.stoppedReason].filter(Boolean).join(': ');
    let named = false;
    for (const c of task.containers ?? []) {
      if (!c.name || !prepared.essential.includes(c.name)) continue;
      if (c.exitCode === 0) continue;
      named = true;
      const what =
        c.exitCode === undefined || c.exitCode === null
          ? `container ${c.name} did not run to an exit${c.reason ? ` (${c.reason})` : ''}`
          : `container ${c.name} exited with code ${c.exitCode}${c.reason ? ` (${c.reason})` : ''}`;
      const logs = prepared.logs[c.name];
      const link = logs
        ? `; logs: ${cloudWatchLogsUrl(logs.region ?? region, logs.group, logs.prefix ? `${logs.prefix}/${c.name}/${id}` : undefined)}`
        : '';
      failures.push(`task ${id}: ${what}${why ? `; stopped reason: ${why}` : ''}${link}`);
    }
    if (!named && task.stopCode === 'TaskFailedToStart') failures.push(`task ${id} failed to start: ${why}`);
  }
  return failures;
}

/** One line for the tasks' states: `task 1a2b3c: RUNNING` (several joined by ` · `). */
export function progressLine(tasks: Task[]): string {
  return tasks
    .map((t) => {
      const exits = (t.containers ?? []).filter((c) => c.exitCode !== undefined && c.exitCode !== null);
      const exited = exits.length ? ` (${exits.map((c) => `${c.name} exited ${c.exitCode}`).join(', ')})` : '';
      const stopping = t.desiredStatus === 'STOPPED' && t.lastStatus !== 'STOPPED' ? ', stopping' : '';
      return `task ${taskId(t.taskArn)}: ${t.lastStatus ?? '?'}${stopping}${exited}`;
    })
    .join(' · ');
}

/** On the deadline or a cancellation: stop the tasks still running, and say so. */
async function stopAfter(options: RunTaskOptions, taskArns: string[], stop: DeadlineError | CancelledError): Promise<ExpeditorError> {
  const { ecs, cluster, log } = options;
  const why = stop instanceof DeadlineError ? `did not stop within ${formatDuration(stop.timeoutMs)}` : `was interrupted: ${stop.message}`;
  const signal = withDeadline(undefined, stop instanceof DeadlineError ? cleanupMs.afterDeadline : cleanupMs.afterCancel);
  const stopped: string[] = [];
  const failed: string[] = [];
  for (const arn of taskArns) {
    try {
      await awsCall(
        'ecs:StopTask',
        `task ${arn}`,
        (abortSignal) => ecs.send(new StopTaskCommand({ cluster, task: arn, reason: `deploy-ecs: the run ${why}` }), { abortSignal }),
        { signal, log },
      );
      stopped.push(taskId(arn));
      log.info(`stopped task ${taskId(arn)} (StopTask): the run ${why}`);
    } catch (error) {
      failed.push(`${taskId(arn)} (${describeError(error)})`);
    }
  }
  return new ExpeditorError(
    `the one-off task of ${shortArn(options.taskDefinitionArn)} ${why}; ${stopped.length ? `deploy-ecs stopped task ${stopped.join(', ')} (StopTask)` : 'no task was stopped'}${failed.length ? `; stopping ${failed.join(', ')} failed: stop it by hand` : ''}`,
    {
      cause: stop,
      unchanged: options.unchanged,
      next:
        stop instanceof DeadlineError
          ? "find out why the task ran so long (its logs), or raise the 'timeout' input"
          : 'run the deployment again when ready',
    },
  );
}

/** The CloudWatch console page of a log stream (or of the group when the stream is unknown). */
export function cloudWatchLogsUrl(region: string, group: string, stream?: string): string {
  // The console's fragment encodes each part twice, with $ for %.
  const part = (text: string): string => encodeURIComponent(encodeURIComponent(text)).replace(/%/g, '$');
  return `${consoleOrigin(region)}/cloudwatch/home?region=${region}#logsV2:log-groups/log-group/${part(group)}${stream ? `/log-events/${part(stream)}` : ''}`;
}

export function taskConsoleUrl(region: string, cluster: string, taskArn: string): string {
  return `${consoleOrigin(region)}/ecs/v2/clusters/${encodeURIComponent(cluster)}/tasks/${encodeURIComponent(taskId(taskArn))}?region=${region}`;
}

export function taskId(arn: string | undefined): string {
  return arn ? (arn.split('/').pop() ?? arn) : '?';
}

function shortArn(arn: string): string {
  return arn.split('/').pop() ?? arn;
}
