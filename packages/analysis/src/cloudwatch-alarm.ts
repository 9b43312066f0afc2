// Provider `cloudwatch-alarm`: DescribeAlarms for the named alarms; the result is how many are in
// ALARM, so the implied condition `result == 0` fails a measurement as soon as any one fires. An
// alarm that does not exist is refused before any traffic moves (a typo would otherwise pass forever).
import { type CloudWatchClient, DescribeAlarmsCommand } from '@aws-sdk/client-cloudwatch';
import { awsCall } from '@expeditor/aws/call';
import type { Log } from '@expeditor/shared/log';
import type { CheckOrigin } from './plan.ts';
import { fill } from './template.ts';
import type { Measured, Source } from './source.ts';

export function alarmSource(spec: { alarms: readonly string[] }, origin: CheckOrigin, client: CloudWatchClient, log: Log): Source {
  const states = async (names: string[], signal: AbortSignal): Promise<Map<string, string>> => {
    const found = new Map<string, string>();
    // DescribeAlarms takes up to 100 names; the schema allows no more.
    let token: string | undefined;
    do {
      const page = await awsCall(
        'cloudwatch:DescribeAlarms',
        names.join(', '),
        (abortSignal) =>
          client.send(new DescribeAlarmsCommand({ AlarmNames: names, AlarmTypes: ['MetricAlarm', 'CompositeAlarm'], NextToken: token }), {
            abortSignal,
          }),
        { signal, log, unchanged: 'nothing was changed' },
      );
      for (const a of [...(page.MetricAlarms ?? []), ...(page.CompositeAlarms ?? [])]) {
        if (a.AlarmName) found.set(a.AlarmName, a.StateValue ?? 'INSUFFICIENT_DATA');
      }
      token = page.NextToken;
    } while (token);
    return found;
  };
  return {
    async verify(args, signal) {
      const names = spec.alarms.map((a) => fill(a, args));
      const found = await states(names, signal);
      const missing = names.map((name, i) => ({ name, i })).filter(({ name }) => !found.has(name));
      const first = missing[0];
      if (first) {
        throw origin.error(
          `alarms.${first.i}`,
          `CloudWatch alarm${missing.length > 1 ? 's' : ''} ${missing.map((m) => m.name).join(', ')} ${missing.length > 1 ? 'do' : 'does'} not exist (in this account and region)`,
          { unchanged: 'nothing was changed', next: 'check the alarm names (and the region), or create the alarms first' },
        );
      }
    },
    async measure(args, signal): Promise<Measured> {
      const names = spec.alarms.map((a) => fill(a, args));
      const found = await states(names, signal);
      const gone = names.filter((n) => !found.has(n));
      if (gone.length) throw new Error(`CloudWatch alarm ${gone.join(', ')} no longer exists`);
      const firing = names.filter((n) => found.get(n) === 'ALARM');
      const other = names.filter((n) => found.get(n) !== 'ALARM' && found.get(n) !== 'OK');
      const shown = [
        `${firing.length} of ${names.length} in ALARM${firing.length ? ` (${firing.join(', ')})` : ''}`,
        ...(other.length ? [`${other.join(', ')} ${found.get(other[0] ?? '')}`] : []),
      ].join('; ');
      return { value: firing.length, shown };
    },
  };
}
