// CloudWatch alarms on a CodeDeploy deployment group: CodeDeploy stops a deployment when one of the
// group's alarms is in ALARM (status Stopped, error code ALARM_ACTIVE) and, when the group's
// auto-rollback has DEPLOYMENT_STOP_ON_ALARM, returns traffic to the original task set. deploy-ecs
// sets the group's alarms (UpdateDeploymentGroup) before it creates the deployment.
import {
  UpdateDeploymentGroupCommand,
  type AlarmConfiguration,
  type AutoRollbackConfiguration,
  type AutoRollbackEvent,
  type CodeDeployClient,
  type DeploymentGroupInfo,
} from '@aws-sdk/client-codedeploy';
import { awsCall, type CallContext } from '@expeditor/aws/call';

export const STOP_ON_ALARM: AutoRollbackEvent = 'DEPLOYMENT_STOP_ON_ALARM';

/** The error code CodeDeploy gives a deployment that an alarm stopped. */
export const ALARM_ACTIVE = 'ALARM_ACTIVE';

export interface GroupAlarms {
  names: string[];
  /** Roll back when an alarm stops a deployment (DEPLOYMENT_STOP_ON_ALARM). */
  rollback: boolean;
}

export interface GroupAlarmUpdate {
  alarmConfiguration: AlarmConfiguration;
  autoRollbackConfiguration: AutoRollbackConfiguration;
}

/**
 * What the group must be set to for these alarms, or undefined when it already is. The group's
 * other rollback events stay as they are; only DEPLOYMENT_STOP_ON_ALARM follows `rollback`.
 * ignorePollAlarmFailure stays false: an alarm whose state cannot be read stops the deployment,
 * rather than letting it go on unwatched.
 */
export function groupAlarmUpdate(info: DeploymentGroupInfo, alarms: GroupAlarms): GroupAlarmUpdate | undefined {
  const current = info.alarmConfiguration;
  const currentNames = (current?.alarms ?? []).map((a) => a.name ?? '');
  const sameAlarms = current?.enabled === true && current.ignorePollAlarmFailure !== true && sameSet(currentNames, alarms.names);
  const rollback = info.autoRollbackConfiguration;
  const otherEvents = (rollback?.events ?? []).filter((e) => e !== STOP_ON_ALARM);
  const events = alarms.rollback ? [...otherEvents, STOP_ON_ALARM] : otherEvents;
  // CodeDeploy has one switch for every rollback event: rolling back on alarm turns it on.
  const enabled = alarms.rollback || (rollback?.enabled === true && events.length > 0);
  const sameRollback = (rollback?.enabled === true) === enabled && sameSet(rollback?.events ?? [], events);
  if (sameAlarms && sameRollback) return undefined;
  return {
    alarmConfiguration: { enabled: true, ignorePollAlarmFailure: false, alarms: alarms.names.map((name) => ({ name })) },
    autoRollbackConfiguration: { enabled, events },
  };
}

function sameSet(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && [...a].sort().join('\n') === [...b].sort().join('\n');
}

/** UpdateDeploymentGroup with the alarm and rollback settings (nothing else of the group changes). */
export async function setGroupAlarms(
  codedeploy: CodeDeployClient,
  ref: { application: string; group: string },
  update: GroupAlarmUpdate,
  context: CallContext,
): Promise<void> {
  await awsCall(
    'codedeploy:UpdateDeploymentGroup',
    `deployment group ${ref.group} of application ${ref.application}`,
    (abortSignal) =>
      codedeploy.send(
        new UpdateDeploymentGroupCommand({ applicationName: ref.application, currentDeploymentGroupName: ref.group, ...update }),
        { abortSignal },
      ),
    context,
  );
}

/**
 * The alarms an ALARM_ACTIVE message names ("… Activated alarms: a, b"), or [] when it names
 * none (the caller then reads the alarms' states).
 */
export function activatedAlarms(message: string | undefined): string[] {
  const named = /Activated alarms?:\s*(.+?)\s*\.?$/i.exec(message ?? '')?.[1];
  return named
    ? named
        .split(',')
        .map((n) => n.trim())
        .filter(Boolean)
    : [];
}
