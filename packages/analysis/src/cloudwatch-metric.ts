// Provider `cloudwatch-metric`: GetMetricData over the lookback window, newest point first; the
// result is the newest value of the metric (or of the expression over the metrics). A window with
// no data point is an error measurement, not a pass: "no 5xx data" and "no data at all" look alike.
import { type CloudWatchClient, GetMetricDataCommand, type MetricDataQuery } from '@aws-sdk/client-cloudwatch';
import { awsCall } from '@expeditor/aws/call';
import { describeError } from '@expeditor/shared/errors';
import { formatDuration } from '@expeditor/shared/deadline';
import type { Log } from '@expeditor/shared/log';
import type { CheckOrigin, MetricStatSpec } from './plan.ts';
import { type CheckArgs, fill } from './template.ts';
import type { Measured, Source } from './source.ts';

export interface MetricSpec {
  metrics: Readonly<Record<string, MetricStatSpec>>;
  expression: string | undefined;
  lookbackMs: number;
}

/**
 * The window held no data point (GetMetricData answered the query with no value): an error
 * measurement — never a pass, whatever the condition — but no reason to refuse a check before
 * traffic arrives. `status` is the query's StatusCode when it is not Complete (InternalError, Forbidden).
 */
export class NoDataError extends Error {
  constructor(lookbackMs: number, status?: string) {
    super(`GetMetricData returned no data point in the last ${formatDuration(lookbackMs)}${status ? ` (${status})` : ''}`);
  }
}

/** The id of the query whose values are the result. */
const resultId = 'result';

/** GetMetricData's queries for a check: each metric (returned only without an expression), then the expression. */
export function metricQueries(spec: MetricSpec, args: CheckArgs): MetricDataQuery[] {
  const single = spec.expression === undefined;
  const queries: MetricDataQuery[] = Object.entries(spec.metrics).map(([id, m]) => ({
    Id: single ? resultId : id,
    MetricStat: {
      Metric: {
        Namespace: m.namespace,
        MetricName: m.name,
        Dimensions: Object.entries(m.dimensions).map(([Name, value]) => ({ Name, Value: fill(value, args) })),
      },
      Period: m.period,
      Stat: m.stat,
    },
    ReturnData: single,
  }));
  if (!single) queries.push({ Id: resultId, Expression: spec.expression, ReturnData: true });
  return queries;
}

export function metricSource(spec: MetricSpec, origin: CheckOrigin, client: CloudWatchClient, log: Log, now = () => Date.now()): Source {
  const read = async (args: CheckArgs, signal: AbortSignal): Promise<Measured> => {
    // EndTime is exclusive: a minute ahead keeps the newest point (CloudWatch accepts a future end).
    const end = Math.ceil(now() / 1000) * 1000 + 60_000;
    const answer = await awsCall(
      'cloudwatch:GetMetricData',
      spec.expression ?? Object.values(spec.metrics).map((m) => `${m.namespace} ${m.name}`)[0] ?? '',
      (abortSignal) =>
        client.send(
          new GetMetricDataCommand({
            StartTime: new Date(end - 60_000 - spec.lookbackMs),
            EndTime: new Date(end),
            ScanBy: 'TimestampDescending',
            MetricDataQueries: metricQueries(spec, args),
          }),
          { abortSignal },
        ),
      { signal, log, unchanged: 'nothing was changed' },
    );
    const result = answer.MetricDataResults?.find((r) => r.Id === resultId);
    const value = result?.Values?.[0];
    if (value === undefined) {
      const status = result?.StatusCode && result.StatusCode !== 'Complete' ? result.StatusCode : undefined;
      const said = result?.Messages?.[0]?.Value ?? answer.Messages?.[0]?.Value;
      throw new NoDataError(spec.lookbackMs, status && [`status ${status}`, said].filter(Boolean).join(': '));
    }
    const at = result?.Timestamps?.[0];
    return { value, shown: `${value}${at ? ` (at ${at.toISOString()})` : ''}` };
  };
  return {
    async verify(args, signal) {
      try {
        await read(args, signal);
      } catch (error) {
        if (signal.aborted) throw error;
        // No data yet is fine before the switch (the metric may only fill once traffic arrives).
        if (error instanceof NoDataError) return;
        throw origin.error(spec.expression ? 'expression' : 'metric', `GetMetricData refused the query: ${describeError(error)}`, {
          cause: error,
          unchanged: 'nothing was changed',
          next: 'check the metric (namespace, name, dimensions, stat, period) or the expression',
        });
      }
    },
    measure: read,
  };
}
