// CloudWatch alarms on a rolling deployment (ECS deploymentConfiguration.alarms). ECS fails the
// deployment when one of them goes into ALARM during it (or its bake time), writes "(deployment …)
// deployment failed: alarm detected." and, with rollback, "rolling back to deployment …" — without
// naming the alarm. deploy-ecs names it (DescribeAlarms), waits until the rollback has put the
// previous task definition's tasks back, and fails saying so.
import { DescribeServicesCommand, type Deployment, type DeploymentConfiguration, type ECSClient, type Service } from '@aws-sdk/client-ecs';
import type { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { CancelledError, DeadlineError } from '@expeditor/shared/deadline';
import { ExpeditorError } from '@expeditor/shared/errors';
import { pollUntil } from '@expeditor/shared/poll';
import { awsCall, type CallContext } from '@expeditor/aws/call';
import { pacing, type PollTiming } from '@expeditor/aws/pacing';
import { alarmWords, readFiredAlarms } from './alarms.ts';

export interface RollingAlarms {
  names: string[];
  rollback: boolean;
  cloudwatch: CloudWatchClient | undefined;
}

/** The service's deployment configuration with the alarms set (everything else as it was). */
export function withDeploymentAlarms(
  current: DeploymentConfiguration | undefined,
  alarms: { names: string[]; rollback: boolean },
): DeploymentConfiguration {
  // UpdateService takes the whole configuration: the circuit breaker and percentages are kept.
  return { ...current, alarms: { alarmNames: [...alarms.names], enable: true, rollback: alarms.rollback } };
}

/** Whether ECS says an alarm failed this deployment: its service event, or a rollout reason naming an alarm. */
export function failedByAlarm(service: Service, deploymentId: string): boolean {
  const ours = service.deployments?.find((d) => d.id === deploymentId);
  if (ours?.rolloutState === 'FAILED' && /\balarm/i.test(ours.rolloutStateReason ?? '')) return true;
  const id = deploymentId.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const said = new RegExp(`deployment ${id}\\)? deployment failed: alarm`, 'i');
  return (service.events ?? []).some((e) => said.test(e.message ?? ''));
}

/** The rollback is over: a deployment other than ours is primary and has COMPLETED (or FAILED), ours gone or FAILED. */
export function rollbackEnded(service: Service, deploymentId: string): Deployment | undefined {
  const primary = service.deployments?.find((d) => d.status === 'PRIMARY');
  if (!primary || primary.id === deploymentId) return undefined;
  return primary.rolloutState === 'COMPLETED' || primary.rolloutState === 'FAILED' ? primary : undefined;
}

export interface AlarmFailureOptions {
  ecs: ECSClient;
  cluster: string;
  service: string;
  taskDefinitionArn: string;
  previousTaskDefinitionArn: string | undefined;
  alarms: RollingAlarms;
  signal?: AbortSignal | undefined;
  timing?: PollTiming | undefined;
}

/**
 * The error for a deployment an alarm failed. With rollback, it first follows ECS's rollback
 * until the previous task definition's deployment has COMPLETED (within the run's deadline), so
 * the error can say the tasks are back, not only that they are on their way.
 */
export async function alarmFailureError(
  options: AlarmFailureOptions,
  deploymentId: string,
  startedAt: Date | undefined,
  failed: Service,
  context: CallContext,
): Promise<ExpeditorError> {
  const fired = await readFiredAlarms(options.alarms.cloudwatch, options.alarms.names, startedAt, context);
  const which = alarmWords(fired, options.alarms.names);
  const short = (arn: string | undefined) => (arn ? (arn.split('/').pop() ?? arn) : '?');
  const head = `ECS deployment ${deploymentId} of ${short(options.taskDefinitionArn)} FAILED: ${which} went into ALARM during the deployment (ECS: "deployment failed: alarm detected")`;
  const rolledBack = options.alarms.rollback && failed.deployments?.some((d) => d.id !== deploymentId && d.status === 'PRIMARY');
  if (!rolledBack) {
    return new ExpeditorError(
      `${head}. ${options.alarms.rollback ? 'ECS started no rollback (the service had no COMPLETED deployment to return to)' : 'alarm-rollback is false, so ECS did not roll back'}: the failed deployment's tasks keep running beside what was left of the previous ones.`,
      {
        unchanged: `the service still names ${options.taskDefinitionArn}; ECS launches no more tasks of the failed deployment`,
        next: `find out why ${which} fired, then deploy a fixed image, or roll back by hand (update the service to ${options.previousTaskDefinitionArn ?? 'its previous task definition'})`,
      },
    );
  }
  context.log.info(`${which} fired: ECS is rolling the service back; following the rollback until the previous tasks run again`);
  const { state, ended } = await followRollback(options, deploymentId, failed, context);
  const back = state.deployments?.find((d) => d.status === 'PRIMARY');
  const where = `the previous task definition ${short(back?.taskDefinition ?? options.previousTaskDefinitionArn)}`;
  const counts = `${back?.runningCount ?? 0}/${back?.desiredCount ?? 0} running`;
  const tail = !ended
    ? `ECS is rolling the service back to ${where} (rollback deployment ${back?.id ?? '?'} still ${back?.rolloutState ?? 'IN_PROGRESS'} when this run's deadline came).`
    : back?.rolloutState === 'FAILED'
      ? `ECS's rollback to ${where} FAILED too (rollback deployment ${back.id ?? '?'}, ${counts}): ${back.rolloutStateReason ?? 'no reason given'}.`
      : `ECS rolled the service back: its tasks are back on ${where} (rollback deployment ${back?.id ?? '?'} COMPLETED, ${counts}).`;
  return new ExpeditorError(`${head}.\n${tail}`, {
    unchanged:
      back?.rolloutState === 'FAILED'
        ? `neither deployment completed: look at the service's tasks in the ECS console; ${options.taskDefinitionArn} stays registered`
        : `the service ${ended ? 'runs' : 'returns to'} ${back?.taskDefinition ?? options.previousTaskDefinitionArn ?? 'its previous task definition'} as before; ${options.taskDefinitionArn} stays registered but runs nowhere`,
    next: `find out why ${which} fired (its metric, the new tasks' logs) with the new task definition, fix it, and deploy again`,
  });
}

/** DescribeServices until the rollback has ended; on the run's deadline, what was last seen. */
async function followRollback(
  options: AlarmFailureOptions,
  deploymentId: string,
  failed: Service,
  context: CallContext,
): Promise<{ state: Service; ended: boolean }> {
  if (rollbackEnded(failed, deploymentId)) return { state: failed, ended: true };
  const { poll } = pacing(options.timing);
  let last = failed;
  try {
    const result = await pollUntil<Service>({
      ...poll,
      ...(options.signal ? { signal: options.signal } : {}),
      read: async () => {
        const answer = await awsCall(
          'ecs:DescribeServices',
          `service ${options.service} in cluster ${options.cluster}`,
          (abortSignal) =>
            options.ecs.send(new DescribeServicesCommand({ cluster: options.cluster, services: [options.service] }), { abortSignal }),
          context,
        );
        last = answer.services?.[0] ?? last;
        return { state: last, done: rollbackEnded(last, deploymentId) !== undefined };
      },
      fingerprint: (s) => (s.deployments ?? []).map((d) => `${d.id}:${d.rolloutState}:${d.runningCount}`).join(','),
      onChange: (s) => {
        const back = s.deployments?.find((d) => d.status === 'PRIMARY');
        if (back)
          context.log.info(
            `  rollback ${back.id}: ${back.rolloutState ?? '?'} · ${back.runningCount ?? 0}/${back.desiredCount ?? 0} running`,
          );
      },
    });
    return { state: result.state, ended: true };
  } catch (error) {
    if (error instanceof DeadlineError || error instanceof CancelledError) return { state: last, ended: false };
    throw error;
  }
}
