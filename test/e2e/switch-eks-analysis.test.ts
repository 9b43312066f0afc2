// Analysis around the EKS selector switch (route service), on the bed's real apiserver and moto's
// CloudWatch: a clean run passes every check at pre and post; an alarm that fires during the post
// window puts the selector back on the previous color and fails the run (what deployment-record
// then records as a failed deploy); a metric below its threshold before the switch refuses it;
// an alarm that does not exist and a condition that does not parse are refused with nothing changed.
import { describe, expect, it } from 'vitest';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CloudWatchClient, PutMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { createAlarm, setAlarm } from './switch-eks-analysis-bed.ts';
import { useBed } from '../bed/vitest.ts';
import { memoryLog } from '../../packages/shared/src/log.ts';
import { ProblemsError } from '../../packages/shared/src/errors.ts';
import type { AnalysisConfig } from '../../packages/shared/src/config.ts';
import { planAnalysis } from '../../packages/analysis/src/plan.ts';
import type { Evaluation } from '../../packages/analysis/src/run.ts';
import { eksSwitch } from '../../actions/bluegreen-switch/src/eks/switch.ts';
import { planEksSwitch } from '../../actions/bluegreen-switch/src/eks/plan.ts';
import { readEksSwitchInputs } from '../../actions/bluegreen-switch/src/eks/inputs.ts';
import { ActionInputs, inputEnv } from '../../packages/shared/src/inputs.ts';
import type { EksSwitchOptions } from '../../actions/bluegreen-switch/src/eks/types.ts';
import { options, setUpColors, type Colors } from './switch-eks-bed.ts';
import { failure, useSwitchEks } from './switch-eks-fixture.ts';

const bed = useBed(['moto', 'k8s']);
const { b, stable } = useSwitchEks(bed);

let clients = 0;
const cloudwatch = (): CloudWatchClient => new CloudWatchClient(bed.moto.clientConfig());

/** The switch's core as the action runs it, with moto's CloudWatch and the evaluations kept. */
function runWithAnalysis(opts: EksSwitchOptions) {
  const log = memoryLog();
  const evaluations: Evaluation[] = [];
  const result = eksSwitch(opts, {
    kube: b.kube,
    log,
    signal: new AbortController().signal,
    cloudwatch: () => {
      clients++;
      return cloudwatch();
    },
    evaluations,
  });
  return { log, evaluations, result };
}

const withChecks = (c: Colors, checks: AnalysisConfig['checks']): EksSwitchOptions =>
  options(c, { analysis: planAnalysis({ checks }, { input: 'analysis' }) });

let alarmCount = 0;
const alarm = (state: 'OK' | 'ALARM' = 'OK'): Promise<string> =>
  createAlarm(cloudwatch(), `shop-5xx-${process.pid}-${++alarmCount}`, state);

/** Resolves once the stable Service selects `color` (read every 50 ms; a hang guard is vitest's timeout). */
async function untilSelects(c: Colors, color: string): Promise<void> {
  while ((await stable(c)).spec?.selector?.version !== color) await new Promise((r) => setTimeout(r, 50));
}

describe('analysis on route service', () => {
  it('a clean run passes every check before and after the switch, each evaluation logged and kept for the summary', async () => {
    const c = await setUpColors(b);
    const name = await alarm('OK');
    const { result, log, evaluations } = runWithAnalysis(
      withChecks(c, [{ name: 'alarms', provider: 'cloudwatch-alarm', alarms: [name], at: ['pre', 'post'], interval: '200ms', count: 2 }]),
    );
    const r = await result;
    expect(r).toMatchObject({ from: 'blue', to: 'green', switched: true });
    expect(evaluations.map((e) => [e.moment, e.check, e.value, e.condition, e.verdict])).toEqual([
      ['pre', 'alarms', '0 of 1 in ALARM', 'success: result == 0', 'passed'],
      ['pre', 'alarms', '0 of 1 in ALARM', 'success: result == 0', 'passed'],
      ['post', 'alarms', '0 of 1 in ALARM', 'success: result == 0', 'passed'],
      ['post', 'alarms', '0 of 1 in ALARM', 'success: result == 0', 'passed'],
    ]);
    const text = log.lines.join('\n');
    expect(text).toMatch(/every source answered/);
    expect(text).toMatch(/pre alarms: 0 of 1 in ALARM: result == 0 is true → passed \(1 of 2\)/);
    expect(text).toMatch(/post analysis passed/);
    expect((await stable(c)).spec?.selector?.version).toBe('green');
  });

  it('an alarm that fires in the post window rolls the selector back to the previous color and fails the run', async () => {
    const c = await setUpColors(b);
    const name = await alarm('OK');
    const before = (await stable(c)).metadata?.annotations ?? {};
    const { result, evaluations } = runWithAnalysis(
      withChecks(c, [{ name: 'alarms', provider: 'cloudwatch-alarm', alarms: [name], at: ['post'], interval: '300ms', count: 30 }]),
    );
    await untilSelects(c, 'green');
    await setAlarm(cloudwatch(), name, 'ALARM');
    const error = await failure(result);
    expect(error.message).toMatch(
      new RegExp(
        `^the analysis of green after the switch did not pass: check alarms failed: 1 failed measurement \\(limit 0\\); last: 1 of 1 in ALARM \\(${name}\\): result == 0 is false; rolled back: Service shop selects blue again \\(its endpoints were only blue's pods after `,
      ),
    );
    expect(error.unchanged).toBe('blue serves all traffic again; green keeps running for a look');
    const svc = await stable(c);
    expect(svc.spec?.selector).toEqual({ app: 'shop', version: 'blue' });
    // The record is as it was before the run: the Service shows no switch.
    expect(svc.metadata?.annotations?.['expeditor.dev/previous-color']).toBe(before['expeditor.dev/previous-color']);
    expect(svc.metadata?.annotations?.['expeditor.dev/switched-at']).toBe(before['expeditor.dev/switched-at']);
    expect(evaluations.at(-1)).toMatchObject({ moment: 'post', check: 'alarms', verdict: 'failed' });
    expect(evaluations.slice(0, -1).every((e) => e.verdict === 'passed')).toBe(true);
  });

  it('a metric below its threshold before the switch refuses it; nothing changes', async () => {
    const c = await setUpColors(b);
    const cw = cloudwatch();
    const metric = `SuccessRate${process.pid}`;
    await cw.send(
      new PutMetricDataCommand({
        Namespace: 'Shop',
        MetricData: [{ MetricName: metric, Dimensions: [{ Name: 'Color', Value: 'green' }], Value: 0.62, Timestamp: new Date() }],
      }),
    );
    const rv = (await stable(c)).metadata?.resourceVersion;
    const { result, evaluations } = runWithAnalysis(
      withChecks(c, [
        {
          name: 'success-rate',
          provider: 'cloudwatch-metric',
          metric: { namespace: 'Shop', name: metric, dimensions: { Color: '{{color}}' }, stat: 'Average', period: 60 },
          success: 'result >= 0.95',
          at: ['pre'],
          count: 1,
        },
      ]),
    );
    const error = await failure(result);
    expect(error.message).toMatch(
      /^the analysis of green before the switch did not pass: check success-rate failed: 1 failed measurement \(limit 0\); last: 0\.62 \(at .*\): result >= 0\.95 is false$/,
    );
    expect(error.unchanged).toBe('Service shop still selects blue; nothing was changed');
    expect(evaluations).toHaveLength(1);
    expect((await stable(c)).metadata?.resourceVersion).toBe(rv);
  });

  it('metric math over two metrics (errors per 100 requests) passes before the switch, then the selector moves', async () => {
    const c = await setUpColors(b);
    const cw = cloudwatch();
    const suffix = `${process.pid}${Date.now()}`;
    const point = (name: string, value: number) => ({
      MetricName: `${name}${suffix}`,
      Dimensions: [{ Name: 'Color', Value: 'green' }],
      Value: value,
      Timestamp: new Date(),
    });
    await cw.send(new PutMetricDataCommand({ Namespace: 'Shop', MetricData: [point('Errors', 2), point('Requests', 400)] }));
    const metric = (name: string) => ({
      namespace: 'Shop',
      name: `${name}${suffix}`,
      dimensions: { Color: '{{color}}' },
      stat: 'Sum',
      period: 60,
    });
    const { result, evaluations } = runWithAnalysis(
      withChecks(c, [
        {
          name: 'error-rate',
          provider: 'cloudwatch-metric',
          expression: '100 * errors / requests',
          metrics: { errors: metric('Errors'), requests: metric('Requests') },
          success: 'result < 1',
          at: ['pre'],
          count: 1,
        },
      ]),
    );
    expect(await result).toMatchObject({ from: 'blue', to: 'green', switched: true });
    expect(evaluations).toMatchObject([{ moment: 'pre', check: 'error-rate', verdict: 'passed', condition: 'success: result < 1' }]);
    expect(evaluations[0]?.value).toMatch(/^0\.5 \(at /);
  });

  it('an alarm that does not exist is refused before anything moves, naming the key', async () => {
    const c = await setUpColors(b);
    const name = await alarm('OK');
    const rv = (await stable(c)).metadata?.resourceVersion;
    const { result, evaluations } = runWithAnalysis(
      withChecks(c, [{ name: 'alarms', provider: 'cloudwatch-alarm', alarms: [name, 'no-such-alarm'], at: ['post'] }]),
    );
    const error = await failure(result);
    expect(error.message).toBe(
      "input 'analysis': checks.0.alarms.1: CloudWatch alarm no-such-alarm does not exist (in this account and region)",
    );
    expect(error.input).toBe('analysis');
    expect(evaluations).toEqual([]);
    expect((await stable(c)).metadata?.resourceVersion).toBe(rv);
  });

  it('a condition that does not parse is refused with the other inputs, naming the key of the environment file; nothing is read', async () => {
    const ws = mkdtempSync(join(tmpdir(), 'switch-analysis-'));
    try {
      mkdirSync(join(ws, '.github'));
      writeFileSync(
        join(ws, '.github/expeditor.yml'),
        `app: shop
image: { repository: 123456789012.dkr.ecr.us-west-2.amazonaws.com/shop }
environments:
  prod:
    aws: { account: "123456789012", region: us-west-2, role: "arn:aws:iam::123456789012:role/deploy" }
    eks: { cluster: prod, namespace: prod, services: [shop] }
    analysis:
      checks:
        - { name: rate, provider: prometheus, address: "http://127.0.0.1:1", query: "up", success: "result >= 0.95 &&" }
`,
      );
      let thrown: unknown;
      try {
        planEksSwitch(
          { action: 'switch', environment: 'prod', config: '.github/expeditor.yml' },
          readEksSwitchInputs(new ActionInputs(inputEnv({})), {}),
          { workspace: ws, sha: 'c0ffee', runUrl: '' },
        );
      } catch (error) {
        thrown = error;
      }
      expect(thrown).toBeInstanceOf(ProblemsError);
      expect((thrown as ProblemsError).problems.map((p) => [p.key, p.message])).toEqual([
        [
          'environments.prod.analysis.checks.0.success',
          'environments.prod.analysis.checks.0.success: "result >= 0.95 &&" cannot be parsed: Expected expression after && at character 17',
        ],
      ]);
    } finally {
      rmSync(ws, { recursive: true, force: true });
    }
  });

  it('a switch without CloudWatch checks never makes a CloudWatch client', async () => {
    const c = await setUpColors(b);
    const made = clients;
    await runWithAnalysis(options(c)).result;
    expect(clients).toBe(made);
  });
});
