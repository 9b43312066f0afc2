// Provider cloudwatch-metric against the bed's moto CloudWatch (GetMetricData, PutMetricData): a
// window without a data point — GetMetricData answers the query with empty Values — is an error
// measurement, never a pass, whatever the condition; in post, a metric that stays silent ends the
// check inconclusive (its source did not answer), which rolls the switch back like a failure.
// Before the switch, no data yet is fine: the metric may only fill once traffic arrives.
import { describe, expect, it } from 'vitest';
import { CloudWatchClient, PutMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { useBed } from '../bed/vitest.ts';
import { memoryLog } from '../../packages/shared/src/log.ts';
import type { AnalysisConfig } from '../../packages/shared/src/config.ts';
import { planAnalysis } from '../../packages/analysis/src/plan.ts';
import { createAnalysis, describeOutcome } from '../../packages/analysis/src/analysis.ts';
import { metricSource, NoDataError } from '../../packages/analysis/src/cloudwatch-metric.ts';

const bed = useBed(['moto']);
const args = { color: 'green', service: 'shop', namespace: 'prod' };
const signal = () => new AbortController().signal;
let metrics = 0;

/** A metric name nothing has written yet. */
const fresh = () => `Target5xx${process.pid}x${++metrics}`;

/** A check on `metric` that fails above 10: with `failure` alone, any value at or below passes. */
function analysisOf(metric: string, more: Partial<AnalysisConfig['checks'][number]> = {}) {
  const log = memoryLog();
  const plans = planAnalysis(
    {
      checks: [
        {
          name: 'target-5xx',
          provider: 'cloudwatch-metric',
          metric: { namespace: 'Shop', name: metric, dimensions: { Color: '{{color}}' }, stat: 'Sum', period: 60 },
          failure: 'result > 10',
          at: ['pre', 'post'],
          interval: '100ms',
          count: 2,
          'consecutive-error-limit': 2,
          ...more,
        } as AnalysisConfig['checks'][number],
      ],
    },
    { input: 'analysis' },
  );
  const cloudwatch = new CloudWatchClient(bed.moto.clientConfig());
  return { analysis: createAnalysis(plans, { cloudwatch: () => cloudwatch, log }), plans, cloudwatch, log };
}

const put = (cw: CloudWatchClient, metric: string, value: number) =>
  cw.send(
    new PutMetricDataCommand({
      Namespace: 'Shop',
      MetricData: [{ MetricName: metric, Dimensions: [{ Name: 'Color', Value: 'green' }], Value: value, Timestamp: new Date() }],
    }),
  );

describe('cloudwatch-metric: a window without a data point', () => {
  it('is an error measurement (NoDataError), not a value; the look before the switch accepts it', async () => {
    const { plans, cloudwatch, log } = analysisOf(fresh());
    const plan = plans[0];
    if (plan?.source.provider !== 'cloudwatch-metric') throw new Error('expected a metric check');
    const source = metricSource(plan.source, plan.origin, cloudwatch, log);
    const measured = source.measure(args, signal());
    await expect(measured).rejects.toBeInstanceOf(NoDataError);
    await expect(measured).rejects.toThrow('GetMetricData returned no data point in the last 5 min');
    await expect(source.verify(args, signal())).resolves.toBeUndefined();
  });

  it('in post, a metric that stays silent ends the check inconclusive, never passed, even with failure alone', async () => {
    const { analysis, log } = analysisOf(fresh());
    await analysis.verify(args, signal());
    const outcome = await analysis.run('post', args, { signal: signal() });
    expect(outcome.state).toBe('error');
    expect(outcome.decisive?.check).toBe('target-5xx');
    expect(analysis.evaluations.map((e) => [e.moment, e.value, e.verdict])).toEqual([
      ['post', '—', 'error'],
      ['post', '—', 'error'],
      ['post', '—', 'error'],
    ]);
    expect(describeOutcome(outcome)).toBe(
      'check target-5xx was inconclusive (its source did not answer): inconclusive: 3 measurements in a row could not be taken (limit 2); last: the source did not answer: GetMetricData returned no data point in the last 5 min',
    );
    expect(log.lines.join('\n')).toMatch(/post analysis inconclusive \(a source did not answer\): target-5xx/);
  });

  it('the same check passes once the metric has a point at or below the threshold, and fails above it', async () => {
    const quiet = fresh();
    const ok = analysisOf(quiet);
    await put(ok.cloudwatch, quiet, 3);
    const passed = await ok.analysis.run('post', args, { signal: signal() });
    expect(passed.state).toBe('passed');
    expect(ok.analysis.evaluations.map((e) => e.verdict)).toEqual(['passed', 'passed']);
    expect(ok.analysis.evaluations[0]?.value).toMatch(/^3 \(at /);

    const loud = fresh();
    const bad = analysisOf(loud);
    await put(bad.cloudwatch, loud, 30);
    expect((await bad.analysis.run('post', args, { signal: signal() })).state).toBe('failed');
  });

  it('measurements without data between ones with data do not count towards count: passing needs count real values', async () => {
    const metric = fresh();
    const { analysis, cloudwatch } = analysisOf(metric, { count: 3, 'consecutive-error-limit': 50, interval: '200ms' });
    // The first measurements find nothing; the metric fills while the window runs.
    const run = analysis.run('post', args, { signal: signal() });
    await new Promise((r) => setTimeout(r, 500));
    await put(cloudwatch, metric, 1);
    expect((await run).state).toBe('passed');
    const verdicts = analysis.evaluations.map((e) => e.verdict);
    expect(verdicts.filter((v) => v === 'passed')).toHaveLength(3);
    expect(verdicts[0]).toBe('error');
  });
});
