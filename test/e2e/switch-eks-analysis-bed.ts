// CloudWatch set-ups the analysis tests and bench/analysis.bench.ts share on moto: an alarm in a
// chosen state, and its state changed on cue (SetAlarmState, as a firing alarm would).
import { type CloudWatchClient, PutMetricAlarmCommand, SetAlarmStateCommand } from '@aws-sdk/client-cloudwatch';

/** Creates alarm `name` (on a metric nothing writes) and sets it to `state`. */
export async function createAlarm(cw: CloudWatchClient, name: string, state: 'OK' | 'ALARM' = 'OK'): Promise<string> {
  await cw.send(
    new PutMetricAlarmCommand({
      AlarmName: name,
      Namespace: 'Shop',
      MetricName: 'Errors5xx',
      Statistic: 'Sum',
      Period: 60,
      EvaluationPeriods: 1,
      Threshold: 5,
      ComparisonOperator: 'GreaterThanThreshold',
    }),
  );
  await setAlarm(cw, name, state);
  return name;
}

export async function setAlarm(cw: CloudWatchClient, name: string, state: 'OK' | 'ALARM'): Promise<void> {
  await cw.send(new SetAlarmStateCommand({ AlarmName: name, StateValue: state, StateReason: 'set by the bed' }));
}
