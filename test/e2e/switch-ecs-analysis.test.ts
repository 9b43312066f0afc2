// Analysis around the ECS (CodeDeploy) switch, on the bed's moto with its CodeDeploy extension
// and moto's CloudWatch: a clean run passes every check at Ready (pre) and in the termination wait
// (post); an alarm that fires in the post window stops the deployment with rollback (traffic back
// on blue) and fails the run naming the alarm; a pre check that fails stops the deployment before
// any traffic moves; a step check runs while a canary config stands at 10% and one that fails
// there stops the deployment with rollback; a missing alarm, a bad condition and a step check
// with an all-at-once config are refused with nothing changed. One case runs the bundle built from the sources.
import { describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { GetDeploymentCommand } from '@aws-sdk/client-codedeploy';
import { memoryLog } from '../../packages/shared/src/log.ts';
import { CancelledError } from '../../packages/shared/src/deadline.ts';
import { ActionInputs, inputEnv } from '../../packages/shared/src/inputs.ts';
import type { AnalysisConfig } from '../../packages/shared/src/config.ts';
import { planAnalysis } from '../../packages/analysis/src/plan.ts';
import type { Evaluation } from '../../packages/analysis/src/run.ts';
import { deployEcs } from '../../actions/deploy-ecs/src/deploy.ts';
import { switchEcs, type EcsSwitchOptions } from '../../actions/bluegreen-switch/src/ecs/ecs-switch.ts';
import { ecsAnalysisConfig } from '../../actions/bluegreen-switch/src/ecs/analysis-plan.ts';
import { planEcsSwitch } from '../../actions/bluegreen-switch/src/ecs/plan.ts';
import { readEcsSwitchInputs } from '../../actions/bluegreen-switch/src/ecs/inputs.ts';
import { useBed } from '../bed/vitest.ts';
import { createAlarm, setAlarm } from './switch-eks-analysis-bed.ts';
import {
  blueGreenService,
  blueGreenTarget,
  callsOf,
  clientsFor,
  digestImage,
  failure,
  planFrom,
  runBundle,
  until,
  type BlueGreenFixture,
} from './deploy-ecs-bed.ts';

const bed = useBed(['moto']);
const timing = { minIntervalMs: 100, maxIntervalMs: 400, factor: 1.5 };
const image = () => digestImage('127.0.0.1:5000/shop/web');

async function readyDeployment(fx: BlueGreenFixture, account?: string, more: Record<string, string> = {}) {
  const plan = await planFrom({ image: image(), ...blueGreenTarget(fx), 'wait-until': 'ready', ...more });
  const ready = await deployEcs(plan, clientsFor(bed.moto, account), { log: memoryLog(), timing });
  expect(ready.status).toBe('Ready');
  return ready;
}

/** A fixture whose blue waits an hour (two minutes on the bed) to be terminated: post runs while it still runs. */
const fixture = (account?: string, terminationMinutes = 60) =>
  blueGreenService(bed.moto, { waitForReroute: true, terminationMinutes, ...(account ? { account } : {}) });

/** Resolves once the switch has taken its first post measurement. */
const postStarted = (evaluations: Evaluation[]) =>
  until(
    async () => evaluations.some((e) => e.moment === 'post'),
    (v) => v,
  );

const cloudwatch = (account?: string) => new CloudWatchClient(bed.moto.clientConfig(account));
let alarms = 0;
const alarm = (state: 'OK' | 'ALARM' = 'OK', account?: string) =>
  createAlarm(cloudwatch(account), `web-5xx-${process.pid}-${++alarms}`, state);

/** The switch's core as the action runs it, with ECS's default moments and the evaluations kept. */
function switchWith(deploymentId: string, checks: AnalysisConfig['checks'], signal?: AbortSignal) {
  const where = { input: 'analysis' };
  const options: EcsSwitchOptions = {
    action: 'switch',
    deploymentId,
    group: undefined,
    previousTaskDefinition: undefined,
    timeoutMs: 60_000,
    analysis: planAnalysis(ecsAnalysisConfig({ checks }), where),
  };
  const log = memoryLog();
  const evaluations: Evaluation[] = [];
  const result = switchEcs(options, clientsFor(bed.moto), { log, timing, signal, cloudwatch: () => cloudwatch(), evaluations });
  return { log, evaluations, result };
}

const deployment = async (fx: BlueGreenFixture, id: string) =>
  (await fx.codedeploy.send(new GetDeploymentCommand({ deploymentId: id }))).deploymentInfo!;
const marks = async (id: string) =>
  (
    await bed.moto.control<{ codedeploy: Record<string, { trafficShifted?: number; rolledBackBy?: string }> }>('marks', {
      kind: 'codedeploy',
    })
  ).codedeploy[id] ?? {};

/** Stopped once with rollback since `since` (after `continued` reroutes), green never took all traffic, blue's task definition serves. */
async function expectStoppedOnBlue(fx: BlueGreenFixture, id: string, since: number, { continued }: { continued: number }) {
  expect(await callsOf(bed.moto, 'ContinueDeployment', since)).toHaveLength(continued);
  expect(await callsOf(bed.moto, 'StopDeployment', since)).toHaveLength(1);
  expect((await marks(id)).trafficShifted).toBeUndefined();
  expect((await deployment(fx, id)).status).toBe('Stopped');
  expect((await fx.describe()).taskDefinition).toBe(fx.blueTd);
}

/** A server standing in for green's test listener: answers `status`, and keeps the paths asked for. */
async function testListener(status = 200) {
  const paths: string[] = [];
  const server = createServer((req, res) => {
    paths.push(req.url ?? '');
    res.writeHead(status).end('ok');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { url, paths, close: () => new Promise<void>((r) => server.close(() => r())) };
}

/** Switches with an alarm watched over a long post window, and fires the alarm once the window has begun. */
async function alarmFiresInPost(deploymentId: string) {
  const name = await alarm('OK');
  const run = switchWith(deploymentId, [
    { name: 'alarms', provider: 'cloudwatch-alarm', alarms: [name], at: ['post'], interval: '200ms', count: 500 },
  ]);
  const settled = failure(run.result);
  await postStarted(run.evaluations);
  await setAlarm(cloudwatch(), name, 'ALARM');
  return { ...run, name, error: await settled };
}

/** A workspace whose environment file has environment prod in `account`, with `lines` under it. */
function workspaceWith(account: string, lines: string[]): string {
  const ws = mkdtempSync(join(tmpdir(), 'ws-'));
  mkdirSync(join(ws, '.github'));
  const head = ['app: shop', 'image: { repository: 127.0.0.1:5000/shop/web }', 'environments:', '  prod:'];
  const aws = `    aws: { account: "${account}", region: us-west-2, role: "arn:aws:iam::${account}:role/deploy" }`;
  writeFileSync(join(ws, '.github', 'expeditor.yml'), [...head, aws, ...lines].join('\n'));
  return ws;
}

describe('analysis on the ECS switch (core)', () => {
  it('a clean run passes every check at Ready and in the termination wait; green takes all traffic, blue kept', async () => {
    const fx = await fixture();
    const ready = await readyDeployment(fx);
    const name = await alarm('OK');
    const listener = await testListener();
    try {
      const { result, log, evaluations } = switchWith(ready.deploymentId, [
        { name: 'alarms', provider: 'cloudwatch-alarm', alarms: [name], interval: '200ms', count: 2 },
        { name: 'test-listener', provider: 'http', url: `${listener.url}/{{service}}/{{color}}/healthz`, at: ['pre'], count: 1 },
      ]);
      const r = await result;
      expect(r).toMatchObject({ action: 'switch', status: 'TrafficShifted', from: fx.blueTd, to: ready.taskDefinitionArn, switched: true });
      expect(evaluations.map((e) => [e.moment, e.check, e.value, e.verdict])).toEqual(
        expect.arrayContaining([
          ['pre', 'alarms', '0 of 1 in ALARM', 'passed'],
          ['pre', 'test-listener', '200 OK', 'passed'],
          ['post', 'alarms', '0 of 1 in ALARM', 'passed'],
        ]),
      );
      expect(evaluations.filter((e) => e.moment === 'pre')).toHaveLength(3);
      expect(evaluations.filter((e) => e.moment === 'post')).toHaveLength(2);
      // {{service}} is the ECS service, {{color}} green (the replacement task set).
      expect(listener.paths).toEqual([`/${fx.service}/green/healthz`]);
      const text = log.lines.join('\n');
      expect(text).toMatch(/every source answered/);
      expect(text).toMatch(/post alarms: 0 of 1 in ALARM: result == 0 is true → passed \(2 of 2\)/);
      expect(text).toMatch(/post analysis passed/);
      // The pre checks ran before the reroute was asked for.
      const preDone = log.lines.findIndex((l) => l.includes('pre analysis passed'));
      expect(preDone).toBeGreaterThan(-1);
      expect(preDone).toBeLessThan(log.lines.findIndex((l) => l.includes('continued deployment')));
      expect((await deployment(fx, ready.deploymentId)).status).toBe('InProgress');
      expect((await marks(ready.deploymentId)).rolledBackBy).toBeUndefined();
    } finally {
      await listener.close();
    }
  });

  it('an alarm that fires in the post window stops the deployment with rollback: blue serves again, the run fails naming the alarm', async () => {
    const fx = await fixture();
    const ready = await readyDeployment(fx);
    const since = Date.now();
    const { name, error, evaluations, log } = await alarmFiresInPost(ready.deploymentId);
    expect(error?.message).toMatch(
      new RegExp(
        `the analysis of green \\(.+\\) after the switch did not pass: check alarms failed: 1 failed measurement \\(limit 0\\); last: 1 of 1 in ALARM \\(${name}\\)`,
      ),
    );
    expect(error?.message).toMatch(/rollback deployment d-\w+ Succeeded: the original \(blue\) task set serves all traffic/);
    expect(error?.unchanged).toMatch(/^blue \(.+\) serves all traffic again; green \(.+\) was removed$/);
    expect(evaluations.at(-1)).toMatchObject({ moment: 'post', check: 'alarms', verdict: 'failed' });
    // Traffic had reached green, and CodeDeploy took it back to the original task set.
    const m = await marks(ready.deploymentId);
    expect(m.trafficShifted).toBeTypeOf('number');
    expect(m.rolledBackBy).toMatch(/^d-/);
    expect((await deployment(fx, ready.deploymentId)).status).toBe('Stopped');
    expect((await deployment(fx, m.rolledBackBy!)).status).toBe('Succeeded');
    expect((await fx.describe()).taskDefinition).toBe(fx.blueTd);
    expect(await callsOf(bed.moto, 'StopDeployment', since)).toHaveLength(1);
    expect(log.lines.join('\n')).toMatch(/rolling deployment d-\w+ back to blue/);
  });

  it('without a termination wait blue is gone once the deployment Succeeds: a post failure redeploys blue’s task definition', async () => {
    const fx = await fixture(undefined, 0);
    const ready = await readyDeployment(fx);
    const { error, log } = await alarmFiresInPost(ready.deploymentId);
    expect(error?.message).toMatch(
      /after the switch did not pass: check alarms failed: .*; .+ serves all traffic again \(deployment d-\w+ Succeeded\)$/,
    );
    expect(error?.unchanged).toMatch(/^blue \(.+\) serves all traffic again; green \(.+\) was removed$/);
    expect(log.lines.join('\n')).toMatch(/Succeeded at once \(its group has no termination wait\): blue is gone/);
    expect((await deployment(fx, ready.deploymentId)).status).toBe('Succeeded');
    expect((await fx.describe()).taskDefinition).toBe(fx.blueTd);
  });

  it('a run cancelled during the post window rolls back too: a switch nobody watched is not one that passed', async () => {
    const fx = await fixture();
    const ready = await readyDeployment(fx);
    const name = await alarm('OK');
    const cancel = new AbortController();
    const { result, evaluations } = switchWith(
      ready.deploymentId,
      [{ name: 'alarms', provider: 'cloudwatch-alarm', alarms: [name], at: ['post'], interval: '200ms', count: 500 }],
      cancel.signal,
    );
    const settled = failure(result);
    await postStarted(evaluations);
    cancel.abort(new CancelledError('SIGTERM'));
    const error = await settled;
    expect(error?.message).toMatch(
      /after the switch was stopped: the run was cancelled \(SIGTERM\); .*rollback deployment d-\w+ Succeeded/,
    );
    expect((await deployment(fx, ready.deploymentId)).status).toBe('Stopped');
    expect((await fx.describe()).taskDefinition).toBe(fx.blueTd);
  });

  it('with a canary config the post window starts once the last step has moved all traffic to green', async () => {
    const fx = await fixture();
    const ready = await readyDeployment(fx, undefined, { 'deployment-config': 'CodeDeployDefault.ECSCanary10Percent5Minutes' });
    const name = await alarm('OK');
    const { result, log } = switchWith(ready.deploymentId, [
      { name: 'alarms', provider: 'cloudwatch-alarm', alarms: [name], interval: '200ms', count: 2 },
    ]);
    expect(await result).toMatchObject({ status: 'TrafficShifted', switched: true });
    const at = (text: string) => log.lines.findIndex((l) => l.includes(text));
    expect(at('traffic: blue 90% · green 10%')).toBeGreaterThan(at('continued deployment'));
    expect(at('traffic: blue 0% · green 100%')).toBeGreaterThan(at('traffic: blue 90% · green 10%'));
    expect(at('post analysis: alarms')).toBeGreaterThan(at('traffic: blue 0% · green 100%'));
    expect(at('post analysis passed')).toBeGreaterThan(at('post analysis: alarms'));
  });

  it('a pre check that fails stops the deployment at Ready: no production traffic moved, the run fails naming the check', async () => {
    const fx = await fixture();
    const ready = await readyDeployment(fx);
    const listener = await testListener(503);
    const since = Date.now();
    try {
      const { result, evaluations } = switchWith(ready.deploymentId, [
        { name: 'test-listener', provider: 'http', url: `${listener.url}/healthz`, interval: '200ms', count: 2 },
      ]);
      const error = await failure(result);
      expect(error?.message).toMatch(
        /the analysis of green \(.+\) before the switch did not pass: check test-listener failed: 1 failed measurement/,
      );
      expect(error?.unchanged).toMatch(/^no production traffic moved: blue \(.+\) serves all of it; green \(.+\) was removed$/);
      expect(evaluations.map((e) => [e.moment, e.check, e.value, e.verdict])).toEqual([
        ['pre', 'test-listener', '503 Service Unavailable', 'failed'],
      ]);
      await expectStoppedOnBlue(fx, ready.deploymentId, since, { continued: 0 });
    } finally {
      await listener.close();
    }
  });

  it('an alarm that does not exist is refused before anything changes: the deployment stays at Ready', async () => {
    const fx = await fixture();
    const ready = await readyDeployment(fx);
    const since = Date.now();
    const { result, evaluations } = switchWith(ready.deploymentId, [
      { name: 'alarms', provider: 'cloudwatch-alarm', alarms: ['no-such-alarm-{{service}}'] },
    ]);
    const error = await failure(result);
    expect(error?.message).toBe(
      `input 'analysis': checks.0.alarms.0: CloudWatch alarm no-such-alarm-${fx.service} does not exist (in this account and region)`,
    );
    expect(error?.unchanged).toBe('nothing was changed');
    expect(evaluations).toEqual([]);
    expect(await callsOf(bed.moto, 'ContinueDeployment', since)).toHaveLength(0);
    expect(await callsOf(bed.moto, 'StopDeployment', since)).toHaveLength(0);
    expect((await deployment(fx, ready.deploymentId)).status).toBe('Ready');
  });

  it('a condition that does not parse is refused with the inputs, naming its key, before any request', async () => {
    const ws = workspaceWith('333333333333', [
      '    ecs: { cluster: c, service: s, strategy: blue-green }',
      '    analysis:',
      '      checks:',
      '        - { name: rate, provider: prometheus, address: "http://127.0.0.1:9", query: "up", success: "result[0] >=" }',
      '        - { name: health, provider: http, url: "http://127.0.0.1:9/", at: [pre, step] }',
    ]);
    const inputs = readEcsSwitchInputs(new ActionInputs(inputEnv({})));
    let thrown: unknown;
    try {
      planEcsSwitch({ action: 'switch', environment: 'prod', config: '.github/expeditor.yml' }, inputs, { workspace: ws });
    } catch (error) {
      thrown = error;
    }
    const problems = (thrown as { problems?: { message: string; key?: string }[] }).problems ?? [];
    expect(problems.map((p) => p.key)).toEqual(['environments.prod.analysis.checks.0.success']);
    expect(problems[0]?.message).toMatch(/"result\[0\] >="/);
  });
});

describe('step checks on the ECS switch: while CodeDeploy stands at a canary step (core)', () => {
  const canaryConfig = { 'deployment-config': 'CodeDeployDefault.ECSCanary10Percent5Minutes' };

  it('a step check that fails at 10% stops the deployment with rollback: all traffic back on blue, the run names the step', async () => {
    const fx = await fixture();
    const ready = await readyDeployment(fx, undefined, canaryConfig);
    const listener = await testListener(503);
    const since = Date.now();
    try {
      const { result, log, evaluations } = switchWith(ready.deploymentId, [
        { name: 'canary', provider: 'http', url: `${listener.url}/{{service}}/healthz`, at: ['step'], interval: '200ms', count: 2 },
      ]);
      const error = await failure(result);
      expect(error?.message).toMatch(
        /^the analysis of green \(.+\) at 10% of production traffic did not pass: check canary failed: 1 failed measurement/,
      );
      expect(error?.unchanged).toMatch(/^blue \(.+\) serves all traffic again; green \(.+\) was removed$/);
      expect(evaluations.map((e) => [e.moment, e.check, e.verdict])).toEqual([['step', 'canary', 'failed']]);
      expect(listener.paths).toEqual([`/${fx.service}/healthz`]);
      const at = (text: string) => log.lines.findIndex((l) => l.includes(text));
      expect(at('takes 10% of production traffic: checking it')).toBeGreaterThan(at('traffic: blue 90% · green 10%'));
      await expectStoppedOnBlue(fx, ready.deploymentId, since, { continued: 1 });
    } finally {
      await listener.close();
    }
  });

  it('a step check that passes: green is checked at 10%, then takes all traffic; the post window follows', async () => {
    const fx = await fixture();
    const ready = await readyDeployment(fx, undefined, canaryConfig);
    const listener = await testListener(200);
    try {
      const { result, log, evaluations } = switchWith(ready.deploymentId, [
        { name: 'canary', provider: 'http', url: `${listener.url}/healthz`, at: ['step', 'post'], interval: '200ms', count: 2 },
      ]);
      expect(await result).toMatchObject({ status: 'TrafficShifted', switched: true, to: ready.taskDefinitionArn });
      expect(evaluations.map((e) => [e.moment, e.verdict])).toEqual([
        ['step', 'passed'],
        ['step', 'passed'],
        ['post', 'passed'],
        ['post', 'passed'],
      ]);
      const at = (text: string) => log.lines.findIndex((l) => l.includes(text));
      expect(at('step analysis passed')).toBeGreaterThan(at('takes 10% of production traffic: checking it'));
      expect(at('post analysis: canary')).toBeGreaterThan(at('traffic: blue 0% · green 100%'));
    } finally {
      await listener.close();
    }
  });

  it('a step check with a config that moves all traffic at once is refused before the reroute: the deployment stays at Ready', async () => {
    const fx = await fixture();
    const ready = await readyDeployment(fx);
    const since = Date.now();
    const { result, evaluations } = switchWith(ready.deploymentId, [
      { name: 'canary', provider: 'http', url: 'http://127.0.0.1:9/', at: ['step'] },
    ]);
    const error = await failure(result);
    expect(error?.message).toBe(
      "input 'analysis': checks.0.at: check canary asks for step, but deployment config CodeDeployDefault.ECSAllAtOnce moves all traffic at once: there is no step to check",
    );
    expect(error?.unchanged).toMatch(/^nothing was changed: deployment .+ stays at Ready/);
    expect(evaluations).toEqual([]);
    expect(await callsOf(bed.moto, 'ContinueDeployment', since)).toHaveLength(0);
    expect((await deployment(fx, ready.deploymentId)).status).toBe('Ready');
  });
});

describe('analysis on the ECS switch (bundle)', () => {
  const account = '333333333333';

  it('the environment file’s analysis: an alarm firing in the post window rolls back to blue; the summary has every evaluation', async () => {
    const fx = await fixture(account);
    const ready = await readyDeployment(fx, account);
    const name = await alarm('OK', account);
    const listener = await testListener();
    const ws = workspaceWith(account, [
      `    ecs: { cluster: ${fx.cluster}, service: ${fx.service}, strategy: blue-green, codedeploy: { application: ${fx.application}, deployment-group: ${fx.group} } }`,
      '    analysis:',
      '      checks:',
      `        - { name: listener, provider: http, url: "${listener.url}/{{service}}", interval: 200ms, count: 1 }`,
      `        - { name: alarms, provider: cloudwatch-alarm, alarms: ["${name}"], at: [post], interval: 300ms, count: 200 }`,
    ]);
    const run = runBundle('bluegreen-switch', { environment: 'prod' }, bed.moto.env(account), { workspace: ws });
    // Once traffic is on green, the alarm fires.
    await until(
      () => marks(ready.deploymentId),
      (m) => m.trafficShifted !== undefined,
    );
    await setAlarm(cloudwatch(account), name, 'ALARM');
    const r = await run;
    await listener.close();
    expect(r.status, r.stdout + r.stderr).toBe(1);
    expect(r.stdout).toMatch(
      new RegExp(`::error[^\\n]*the analysis of green \\(.+\\) after the switch did not pass: check alarms failed: .*\\(${name}\\)`),
    );
    expect(r.stdout).toMatch(/pre listener: 200 OK: result >= 200 && result < 300 is true → passed \(1 of 1\)/);
    expect(listener.paths).toContain(`/${fx.service}`);
    expect(r.summary).toContain('## bluegreen-switch switch (ECS, prod) failed');
    expect(r.summary).toContain('### Analysis');
    expect(r.summary).toContain('| pre | listener | 200 OK | success: result &gt;= 200 &amp;&amp; result &lt; 300 | passed |');
    expect(r.summary).toMatch(new RegExp(`\\| post \\| alarms \\| 1 of 1 in ALARM \\(${name}\\) \\| success: result == 0 \\| failed \\|`));
    expect(r.summary).toContain('| analysis | listener (http, pre/post), alarms (cloudwatch-alarm, post) | environments.prod.analysis |');
    expect((await deployment(fx, ready.deploymentId)).status).toBe('Stopped');
    expect((await fx.describe()).taskDefinition).toBe(fx.blueTd);
  });
});
