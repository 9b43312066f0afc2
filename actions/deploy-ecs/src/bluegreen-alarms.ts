// A blue/green deployment that CodeDeploy stopped because an alarm of its group went into ALARM
// (status Stopped, error code ALARM_ACTIVE). With DEPLOYMENT_STOP_ON_ALARM in the group's
// auto-rollback, CodeDeploy starts a rollback deployment that returns traffic to the original
// (blue) task set: deploy-ecs follows it to its end, then fails naming the alarm.
import type { CodeDeployClient } from '@aws-sdk/client-codedeploy';
import type { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { ExpeditorError } from '@expeditor/shared/errors';
import type { Log } from '@expeditor/shared/log';
import { activatedAlarms } from '@expeditor/codedeploy/alarms';
import type { DeploymentFailedError } from '@expeditor/codedeploy/follow';
import { waitUntilEnded } from '@expeditor/codedeploy/stop';
import type { PollTiming } from '@expeditor/aws/pacing';
import { alarmWords, readFiredAlarms } from './alarms.ts';

export interface BlueGreenAlarmContext {
  codedeploy: CodeDeployClient;
  cloudwatch: CloudWatchClient | undefined;
  alarms: string[];
  taskDefinitionArn: string;
  previousTaskDefinitionArn: string | undefined;
  startedAt: Date;
  log: Log;
  signal?: AbortSignal | undefined;
  timing?: PollTiming | undefined;
}

export async function blueGreenAlarmError(stopped: DeploymentFailedError, context: BlueGreenAlarmContext): Promise<ExpeditorError> {
  const { log } = context;
  // CodeDeploy names the activated alarms in its message; when it does not, CloudWatch says which fired.
  const named = activatedAlarms(stopped.reason);
  const fired = named.length
    ? named
    : await readFiredAlarms(context.cloudwatch, context.alarms, context.startedAt, { log, signal: context.signal });
  const which = alarmWords(fired, context.alarms);
  const previous = context.previousTaskDefinitionArn ?? 'the previous task definition';
  const head = `CodeDeploy deployment ${stopped.deploymentId} was stopped: ${which} went into ALARM (${stopped.code})`;
  const rollbackId = stopped.rollbackDeploymentId;
  if (!rollbackId) {
    return new ExpeditorError(
      `${head}. The group does not roll back on alarms (alarm-rollback is false); ${stopped.unchanged ?? 'see the console for where traffic is'}.`,
      {
        unchanged: `${context.taskDefinitionArn} stays registered`,
        next: `find out why ${which} fired; move traffic back with bluegreen-switch (action rollback) if green took any, and deploy again`,
      },
    );
  }
  log.info(`${which} fired: following CodeDeploy's rollback deployment ${rollbackId} until traffic is back on the original task set`);
  const rollback = await waitUntilEnded(context.codedeploy, rollbackId, {
    log,
    signal: context.signal,
    timing: context.timing,
    onChange: (d) => log.info(`  rollback deployment ${rollbackId}: ${d.status}`),
  }).catch(() => undefined);
  const status = rollback?.status ?? 'InProgress';
  const tail =
    status === 'Succeeded'
      ? `Rollback deployment ${rollbackId} Succeeded: production traffic is back on the original (blue) task set, running ${previous}.`
      : `Rollback deployment ${rollbackId} is ${status}${status === 'InProgress' ? ' and returns production traffic to the original (blue) task set' : ': check the service in the console'} (${previous}).`;
  return new ExpeditorError(`${head}.\n${tail}`, {
    unchanged: `the service ${status === 'Succeeded' ? 'serves' : 'returns to'} ${previous} as before; ${context.taskDefinitionArn} stays registered but takes no traffic`,
    next: `find out why ${which} fired (its metric, green's logs) with the new task definition, fix it, and deploy again`,
  });
}
