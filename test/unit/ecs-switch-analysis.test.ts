// The ECS switch's analysis on plain data: which moments a check runs at on ECS (pre and post by
// default; step only where asked, and only with a canary or linear deployment config), the
// placeholders' values, the room the deadline must leave, and what the run says after a rollback.
import { describe, expect, it } from 'vitest';
import { Settings } from '../../packages/shared/src/settings.ts';
import type { ExpeditorError } from '../../packages/shared/src/errors.ts';
import type { AnalysisConfig } from '../../packages/shared/src/config.ts';
import { ecsAnalysisConfig, planEcsAnalysis } from '../../actions/bluegreen-switch/src/ecs/analysis-plan.ts';
import { deadlineProblem, ecsCheckArgs, terminationWaitWarning } from '../../actions/bluegreen-switch/src/ecs/analysis.ts';
import { analysisFailure } from '../../actions/bluegreen-switch/src/ecs/analysis-rollback.ts';
import { stepProblems, stepShare } from '../../actions/bluegreen-switch/src/ecs/step-checks.ts';
import { planAnalysis } from '../../packages/analysis/src/plan.ts';
import type { CodeDeployView } from '../../packages/codedeploy/src/follow.ts';
import type { EcsSwitchResult } from '../../actions/bluegreen-switch/src/ecs/switch-types.ts';

const alarmCheck = (at?: ('pre' | 'step' | 'post')[]): AnalysisConfig['checks'][number] => ({
  name: 'alarms',
  provider: 'cloudwatch-alarm',
  alarms: ['shop-5xx'],
  ...(at ? { at } : {}),
});

describe('the moments of an ECS check', () => {
  it('gives a check without at the moments pre and post, and keeps the at a check gives (step included)', () => {
    const config = ecsAnalysisConfig({ checks: [alarmCheck(), alarmCheck(['post']), alarmCheck(['step', 'post'])] });
    expect(config.checks.map((c) => c.at)).toEqual([['pre', 'post'], ['post'], ['step', 'post']]);
  });
});

describe('step checks and the deployment config', () => {
  const where = { key: 'environments.prod.analysis' };
  const analysis = (checks: AnalysisConfig['checks']) => {
    const plans = planAnalysis({ checks }, where);
    return { checks: plans, windowMs: (m: 'pre' | 'step' | 'post') => (m === 'step' ? 90_000 : 0) };
  };
  const canary = {
    trafficRoutingConfig: { type: 'TimeBasedCanary' as const, timeBasedCanary: { canaryPercentage: 10, canaryInterval: 5 } },
  };
  const linear = {
    trafficRoutingConfig: { type: 'TimeBasedLinear' as const, timeBasedLinear: { linearPercentage: 10, linearInterval: 1 } },
  };

  it('refuses step with a config that moves all traffic at once, naming the at of the first step check', () => {
    const { error } = stepProblems(
      analysis([alarmCheck(['pre']), { ...alarmCheck(['step']), name: 'canary-alarms' }]),
      'CodeDeployDefault.ECSAllAtOnce',
      {},
      'nothing was changed',
    );
    expect(error?.key).toBe('environments.prod.analysis.checks.1.at');
    expect(error?.message).toMatch(
      /check canary-alarms asks for step, but deployment config CodeDeployDefault\.ECSAllAtOnce moves all traffic at once/,
    );
    expect(error?.unchanged).toBe('nothing was changed');
  });

  it('accepts a canary config whose step stands longer than the checks take', () => {
    expect(stepProblems(analysis([alarmCheck(['step'])]), 'CodeDeployDefault.ECSCanary10Percent5Minutes', canary, 'x')).toEqual({});
  });

  it('warns when the checks outlast a linear step (CodeDeploy moves on meanwhile)', () => {
    const { error, warning } = stepProblems(
      analysis([alarmCheck(['step'])]),
      'CodeDeployDefault.ECSLinear10PercentEvery1Minutes',
      linear,
      'x',
    );
    expect(error).toBeUndefined();
    expect(warning).toMatch(
      /take at least 1 min 30 s, longer than deployment config CodeDeployDefault\.ECSLinear10PercentEvery1Minutes stands at a step \(1 min\)/,
    );
  });

  it('asks nothing of the config when no check runs at step', () => {
    expect(stepProblems(analysis([alarmCheck(['pre', 'post'])]), 'CodeDeployDefault.ECSAllAtOnce', {}, 'x')).toEqual({});
  });
});

describe('the share of traffic a step gives green', () => {
  const view = (weights: [number, number] | undefined, creator: 'user' | 'codeDeployRollback' = 'user'): CodeDeployView => ({
    deployment: { creator },
    target: weights
      ? {
          taskSetsInfo: [
            { taskSetLabel: 'Blue', trafficWeight: weights[0] },
            { taskSetLabel: 'Green', trafficWeight: weights[1] },
          ],
        }
      : undefined,
    trafficShifted: false,
  });

  it('is green’s weight strictly between 0 and 100, and nothing during CodeDeploy’s own rollback', () => {
    expect(stepShare(view([90, 10]))).toBe(10);
    expect(stepShare(view([100, 0]))).toBeUndefined();
    expect(stepShare(view([0, 100]))).toBeUndefined();
    expect(stepShare(view(undefined))).toBeUndefined();
    expect(stepShare(view([90, 10], 'codeDeployRollback'))).toBeUndefined();
  });
});

describe('planning the ECS analysis', () => {
  const plan = (over: Partial<Parameters<typeof planEcsAnalysis>[0]> & { action?: 'switch' | 'rollback' | 'cleanup' }) => {
    const problems: ExpeditorError[] = [];
    const settings = new Settings();
    const { action = 'switch', ...from } = over;
    const checks = planEcsAnalysis({ input: undefined, file: undefined, environment: 'prod', ...from }, action, { settings, problems });
    return { checks, problems, settings: settings.rows() };
  };

  it('plans the file’s section and shows it among the settings', () => {
    const r = plan({ file: { checks: [alarmCheck()] } });
    expect(r.problems).toEqual([]);
    expect(r.checks?.map((c) => [c.name, c.at])).toEqual([['alarms', ['pre', 'post']]]);
    expect(r.settings).toEqual([['analysis', 'alarms (cloudwatch-alarm, pre/post)', 'environments.prod.analysis']]);
  });

  it('the input wins over the file, and its problems name the input', () => {
    const r = plan({
      file: { checks: [alarmCheck()] },
      input: 'checks:\n  - { name: rate, provider: prometheus, address: "http://p:9090", query: "up", success: "result >", at: [step] }',
    });
    expect(r.checks).toBeUndefined();
    expect(r.problems.map((p) => p.message)).toEqual([expect.stringMatching(/^input 'analysis': checks\.0\.success: "result >"/)]);
  });

  it('an unknown provider is refused naming the path in the input', () => {
    const r = plan({ input: 'checks:\n  - { name: rate, provider: datadog, query: "up" }' });
    expect(r.checks).toBeUndefined();
    expect(r.problems.map((p) => [p.input, p.message])).toEqual([
      ['analysis', expect.stringMatching(/^input 'analysis': checks\.0\.provider: /)],
    ]);
  });

  it('a rollback or cleanup runs no analysis: the file’s section is not read, the input is refused', () => {
    expect(plan({ action: 'rollback', file: { checks: [alarmCheck()] } })).toMatchObject({ checks: undefined, problems: [] });
    const r = plan({ action: 'cleanup', input: 'checks: []' });
    expect(r.problems.map((p) => p.message)).toEqual(["input 'analysis': is only used by action 'switch' (a cleanup runs no analysis)"]);
  });

  it('no section, no checks', () => {
    expect(plan({})).toMatchObject({ checks: undefined, problems: [], settings: [] });
  });
});

describe('placeholders and the deadline', () => {
  it('{{color}} is green, {{service}} and {{namespace}} the service and cluster of the deployment’s target', () => {
    const view = { deployment: undefined, target: { targetId: 'shop:web' }, trafficShifted: false };
    expect(ecsCheckArgs(view)).toEqual({ color: 'green', service: 'web', namespace: 'shop' });
    expect(ecsCheckArgs({ ...view, target: undefined })).toEqual({ color: 'green', service: '', namespace: '' });
  });

  const windows = { windowMs: (m: string) => (m === 'pre' ? 20_000 : m === 'post' ? 60_000 : 0) };
  it.each([
    { left: undefined, problem: undefined },
    { left: 80_000, problem: undefined },
    {
      left: 50_000,
      problem: "the analysis needs at least 1 min 20 s (its windows: count × interval at each moment), but the run's timeout leaves 50 s",
    },
    {
      left: -5,
      problem: "the analysis needs at least 1 min 20 s (its windows: count × interval at each moment), but the run's timeout leaves 0 ms",
    },
  ])('with $left ms left: $problem', ({ left, problem }) => {
    expect(deadlineProblem(windows, left)).toBe(problem);
  });
});

describe('the termination wait against the post window', () => {
  const waiting = (minutes: number | undefined) => ({
    blueGreenDeploymentConfiguration: { terminateBlueInstancesOnDeploymentSuccess: { terminationWaitTimeInMinutes: minutes } },
  });
  it.each([
    { minutes: 5, windowMs: 300_000, warned: false },
    { minutes: undefined, windowMs: 300_000, warned: false },
    { minutes: 0, windowMs: 300_000, warned: false },
    { minutes: 4, windowMs: 300_000, warned: true },
  ])('a wait of $minutes min against a window of $windowMs ms warns: $warned', ({ minutes, windowMs, warned }) => {
    expect(terminationWaitWarning(waiting(minutes), windowMs) !== undefined).toBe(warned);
  });
  it('says what happens then', () => {
    expect(terminationWaitWarning(waiting(1), 90_000)).toBe(
      "the group's termination wait (1 min) is shorter than the post window (1 min 30 s): a post check that fails after it ends finds blue terminated, and the rollback is a new deployment of blue's task definition instead of a reroute",
    );
  });
});

describe('what the run says after the rollback', () => {
  const s = {
    id: 'd-ABCDE1234',
    from: 'arn:aws:ecs:us-west-2:1:task-definition/web:1',
    to: 'arn:aws:ecs:us-west-2:1:task-definition/web:2',
  };
  const result = (over: Partial<EcsSwitchResult>): EcsSwitchResult => ({
    action: 'rollback',
    deploymentId: s.id,
    newDeploymentId: 'd-ROLLBACK1',
    status: 'Stopped',
    from: s.to,
    to: s.from,
    switched: true,
    convergenceMs: 1000,
    consoleUrl: 'https://console',
    words: 'deployment d-ABCDE1234 stopped; it is now Stopped, and rollback deployment d-ROLLBACK1 Succeeded',
    ...over,
  });

  it('post, traffic back on blue', () => {
    const e = analysisFailure('check alarms failed', 'post', s, result({}));
    expect(e.message).toBe(
      'check alarms failed; deployment d-ABCDE1234 stopped; it is now Stopped, and rollback deployment d-ROLLBACK1 Succeeded',
    );
    expect(e.unchanged).toBe('blue (web:1) serves all traffic again; green (web:2) was removed');
  });

  it('post, the rollback still running when the wait ended', () => {
    const e = analysisFailure('check alarms failed', 'post', s, result({ switched: false, words: 'rollback is InProgress' }));
    expect(e.unchanged).toBe('CodeDeploy is still rolling back (rollback is InProgress)');
  });

  it('pre: nothing had moved, the stop is the whole way back', () => {
    const e = analysisFailure('check health failed', 'pre', s, result({ switched: false }));
    expect(e.unchanged).toBe('no production traffic moved: blue (web:1) serves all of it; green (web:2) was removed');
  });

  it('post after the deployment Succeeded: a new deployment of blue’s task definition', () => {
    const e = analysisFailure('check alarms failed', 'post', s, result({ status: 'Succeeded', words: 'web:1 serves all traffic again' }));
    expect(e.unchanged).toBe('blue (web:1) serves all traffic again; green (web:2) was removed');
  });
});
