// The CloudWatch alarms that watch a deployment (input 'alarms', ecs.alarms): checked to exist
// before anything is written, and read again when ECS or CodeDeploy reports that one fired —
// ECS's service events say "alarm detected" without naming it.
import type { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { ExpeditorError, originError } from '@expeditor/shared/errors';
import { quote } from '@expeditor/shared/inputs';
import { awsCall, type CallContext } from '@expeditor/aws/call';
import type { DeploymentAlarms } from './plan.ts';

export interface AlarmState {
  name: string;
  /** OK, ALARM or INSUFFICIENT_DATA. */
  state: string;
  /** When the alarm last changed state. */
  since: Date | undefined;
  reason: string | undefined;
}

/** DescribeAlarms for these names (metric and composite alarms); alarms that do not exist are absent. */
export async function describeAlarms(cloudwatch: CloudWatchClient, names: string[], context: CallContext): Promise<AlarmState[]> {
  // Loaded here, not with deploy.ts: most deployments have no alarms, and the module costs start-up
  // time (with a CloudWatch client it is loaded already: createEcsClients made the client from it).
  const { DescribeAlarmsCommand } = await import('@aws-sdk/client-cloudwatch');
  const answer = await awsCall(
    'cloudwatch:DescribeAlarms',
    `alarms ${names.join(', ')}`,
    (abortSignal) =>
      cloudwatch.send(new DescribeAlarmsCommand({ AlarmNames: names, AlarmTypes: ['MetricAlarm', 'CompositeAlarm'] }), {
        abortSignal,
      }),
    context,
  );
  return [...(answer.MetricAlarms ?? []), ...(answer.CompositeAlarms ?? [])].map((a) => ({
    name: a.AlarmName ?? '',
    state: a.StateValue ?? '',
    since: a.StateUpdatedTimestamp,
    reason: a.StateReason,
  }));
}

/**
 * Every alarm exists (a missing one would leave the deployment unwatched, or be refused by the
 * API halfway): an error naming the input or key and the missing alarms otherwise. Warns about an
 * alarm already in ALARM, which ECS ignores for a deployment that starts while it is.
 */
export async function checkAlarms(
  cloudwatch: CloudWatchClient | undefined,
  alarms: DeploymentAlarms,
  context: CallContext,
): Promise<AlarmState[]> {
  if (!cloudwatch) throw new ExpeditorError('deploy-ecs has no CloudWatch client to check the alarms with (a bug: please report it)');
  const found = await describeAlarms(cloudwatch, alarms.names, context);
  const missing = missingAlarms(alarms.names, found);
  if (missing.length > 0) {
    throw originError(
      alarms.origin,
      `${missing.length === 1 ? 'CloudWatch alarm' : 'CloudWatch alarms'} ${missing.map(quote).join(', ')} ${missing.length === 1 ? 'does' : 'do'} not exist in this account and region`,
      {
        unchanged: 'nothing was registered or deployed',
        next: 'create the alarm first (PutMetricAlarm), or correct its name: alarm names are case-sensitive',
      },
    );
  }
  const firing = found.filter((a) => a.state === 'ALARM').map((a) => a.name);
  if (firing.length > 0) {
    context.log.warning(
      `alarm ${firing.map(quote).join(', ')} is in ALARM already: it stops a CodeDeploy deployment at once, and ECS does not fail a rolling deployment for an alarm that was in ALARM before it started`,
    );
  }
  return found;
}

/** The names no alarm answered for. */
export function missingAlarms(names: string[], found: AlarmState[]): string[] {
  const present = new Set(found.map((a) => a.name));
  return names.filter((n) => !present.has(n));
}

/**
 * The alarms that fired: in ALARM now, and (given `since`) having gone there since then. When
 * none is in ALARM any more (it went back to OK), the ones that changed state since `since`.
 */
export function firedAlarms(states: AlarmState[], since?: Date): string[] {
  const after = (a: AlarmState) => !since || !a.since || a.since.getTime() >= since.getTime() - 1000;
  const firing = states.filter((a) => a.state === 'ALARM' && after(a)).map((a) => a.name);
  if (firing.length > 0) return firing;
  return states.filter((a) => a.since && since && after(a)).map((a) => a.name);
}

/** "alarm 'a'" or "alarms 'a', 'b'", or the configured ones when the fired one is unknown. */
export function alarmWords(fired: string[], configured: string[]): string {
  if (fired.length === 1) return `CloudWatch alarm ${quote(fired[0] ?? '')}`;
  if (fired.length === 0 && configured.length === 1) return `CloudWatch alarm ${quote(configured[0] ?? '')}`;
  if (fired.length > 1) return `CloudWatch alarms ${fired.map(quote).join(', ')}`;
  return `one of the CloudWatch alarms ${configured.map(quote).join(', ')}`;
}

/** The alarms that fired, read from CloudWatch; [] when they cannot be read (the message then names all). */
export async function readFiredAlarms(
  cloudwatch: CloudWatchClient | undefined,
  names: string[],
  since: Date | undefined,
  context: CallContext,
): Promise<string[]> {
  if (!cloudwatch) return [];
  return describeAlarms(cloudwatch, names, context)
    .then((states) => firedAlarms(states, since))
    .catch(() => []);
}
