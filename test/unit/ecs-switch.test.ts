// The ECS switch's decisions on plain data: which deployment to act on, when a switch is refused,
// how a rollback goes (stop, nothing, redeploy) and what a stop came to, when there is nothing to
// clean up.
import type { DeploymentInfo } from '@aws-sdk/client-codedeploy';
import { describe, expect, it } from 'vitest';
import { newestOf, nothingToActOn, statusesToLookFor } from '../../actions/bluegreen-switch/src/ecs/find-deployment.ts';
import { returnTo, rollbackPath, stopVerdict } from '../../actions/bluegreen-switch/src/ecs/rollback.ts';
import { refusalOf, switchedWords } from '../../actions/bluegreen-switch/src/ecs/switch.ts';
import { nothingToCleanUp } from '../../actions/bluegreen-switch/src/ecs/cleanup.ts';
import { switchReadiness } from '../../packages/codedeploy/src/ready.ts';
import type { StopOutcome } from '../../packages/codedeploy/src/stop.ts';
import { blueTd, deployment, events, greenTd, target, view } from './codedeploy-fixture.ts';

const id = 'd-7Q2WV3H5X';
const group = { application: 'AppECS-shop-web', group: 'DgpECS-shop-web' };

describe('finding the deployment', () => {
  it.each([
    { action: 'switch', statuses: [['Ready']] },
    { action: 'cleanup', statuses: [['InProgress']] },
    { action: 'rollback', statuses: [['Created', 'Queued', 'InProgress', 'Baking', 'Ready'], ['Succeeded']] },
  ] as const)('$action looks for $statuses', ({ action, statuses }) => {
    expect(statusesToLookFor(action)).toEqual(statuses);
  });

  const made = (deploymentId: string, minute: number, creator: DeploymentInfo['creator'] = 'user'): DeploymentInfo => ({
    deploymentId,
    creator,
    createTime: new Date(Date.UTC(2025, 2, 4, 10, minute)),
  });
  it.each([
    { name: 'the newest of several', list: [made('d-OLD', 1), made('d-NEW', 9), made('d-MID', 5)], newest: 'd-NEW' },
    {
      name: "not CodeDeploy's own rollback, though newer",
      list: [made('d-USER', 1), made('d-ROLLBACK', 9, 'codeDeployRollback')],
      newest: 'd-USER',
    },
    { name: 'an autoscaling deployment counts', list: [made('d-USER', 1), made('d-SCALE', 3, 'autoscaling')], newest: 'd-SCALE' },
    { name: 'only rollbacks: none', list: [made('d-ROLLBACK', 9, 'codeDeployRollback')], newest: undefined },
    { name: 'an empty list', list: [], newest: undefined },
  ])('$name → $newest', ({ list, newest }) => {
    expect(newestOf(list)?.deploymentId).toBe(newest);
  });

  it.each([
    {
      action: 'switch',
      message: 'deployment group AppECS-shop-web/DgpECS-shop-web has no deployment held at Ready',
      next: 'deploy with deploy-ecs wait-until: ready first, or pass its deployment-id',
    },
    {
      action: 'cleanup',
      message: 'deployment group AppECS-shop-web/DgpECS-shop-web has no deployment in progress',
      next: 'pass the deployment-id to act on',
    },
    {
      action: 'rollback',
      message: 'deployment group AppECS-shop-web/DgpECS-shop-web has no deployment in progress or succeeded',
      next: 'pass the deployment-id to act on',
    },
  ] as const)('$action with nothing to act on', ({ action, message, next }) => {
    expect(nothingToActOn(action, group)).toMatchObject({ message, next, input: 'deployment-id', unchanged: 'nothing was changed' });
  });
});

describe('switch: refused unless held at Ready with green running', () => {
  const held = events('AllowTraffic', 'Pending');
  it.each([
    {
      name: 'held at Ready, green 2/2',
      v: view(deployment('Ready'), target({ events: held })),
      message: undefined,
      unchanged: undefined,
      next: undefined,
    },
    {
      name: 'green 1/2',
      v: view(deployment('Ready'), target({ events: held, running: 1 })),
      message: `deployment ${id} is Ready but green is not fully running (1/2 tasks)`,
      unchanged: 'nothing was changed: blue serves all production traffic',
      next: 'look at the green tasks in the ECS console; switch once they all run',
    },
    {
      name: 'no green task set',
      v: view(deployment('Ready'), target({ events: held, noGreen: true })),
      message: `deployment ${id} is Ready but green is not fully running (no green task set)`,
      unchanged: 'nothing was changed: blue serves all production traffic',
      next: 'look at the green tasks in the ECS console; switch once they all run',
    },
    {
      name: 'already Succeeded',
      v: view(deployment('Succeeded'), target({ events: events(), blue: 0, green: 100 })),
      message: `deployment ${id} cannot be switched: green already takes all traffic`,
      unchanged: 'nothing was changed (traffic: blue 0% · green 100% (green 2/2 running))',
      next: 'nothing to do',
    },
    {
      name: 'blue waiting for termination',
      v: view(deployment('InProgress'), target({ events: events(), blue: 0, green: 100 }), true),
      message: `deployment ${id} cannot be switched: green already takes all traffic`,
      unchanged: 'nothing was changed (traffic: blue 0% · green 100% (green 2/2 running))',
      next: 'switch a deployment that deploy-ecs left at Ready (wait-until: ready)',
    },
    {
      name: 'Stopped',
      v: view(deployment('Stopped'), undefined),
      message: `deployment ${id} cannot be switched: it ended Stopped`,
      unchanged: 'nothing was changed',
      next: 'switch a deployment that deploy-ecs left at Ready (wait-until: ready)',
    },
    {
      name: 'still installing',
      v: view(deployment('InProgress'), target({ events: events('Install'), running: 1 })),
      message: `deployment ${id} cannot be switched: it is InProgress at Install, traffic: blue 100% · green 0% (green 1/2 running), not held at Ready`,
      unchanged: 'nothing was changed (traffic: blue 100% · green 0% (green 1/2 running))',
      next: 'switch a deployment that deploy-ecs left at Ready (wait-until: ready)',
    },
  ])('$name', ({ v, message, unchanged, next }) => {
    const refusal = refusalOf(id, switchReadiness(v), v);
    expect(refusal?.message).toBe(message);
    expect(refusal?.unchanged).toBe(unchanged);
    expect(refusal?.next).toBe(next);
  });

  it.each([
    { status: 'Succeeded', words: `green (shop-web:7) takes all traffic; deployment ${id} Succeeded` },
    {
      status: 'TrafficShifted',
      words: 'green (shop-web:7) takes all traffic; blue (shop-web:6) is kept as a hot standby until its termination wait ends',
    },
  ] as const)('a switch that ended $status', ({ status, words }) => {
    expect(switchedWords(id, status, blueTd, greenTd)).toBe(words);
  });
});

describe('rollback', () => {
  it.each([
    ...(['Created', 'Queued', 'InProgress', 'Baking', 'Ready'] as const).map((status) => ({ status, path: 'stop' })),
    { status: 'Failed', path: 'nothing' },
    { status: 'Stopped', path: 'nothing' },
    { status: 'Succeeded', path: 'redeploy' },
  ])('$status → $path', ({ status, path }) => {
    expect(rollbackPath(status)).toBe(path);
  });

  const stop = (over: Partial<StopOutcome>): StopOutcome => ({
    status: 'Stopped',
    rollbackDeploymentId: 'd-RB1234567',
    rollbackStatus: 'Succeeded',
    words: 'it is now Stopped',
    ...over,
  });
  const consoleUrl = `https://us-west-2.console.aws.amazon.com/codesuite/codedeploy/deployments/${id}?region=us-west-2`;
  it.each([
    {
      name: 'stopped mid-canary, rollback Succeeded: traffic moved back',
      s: stop({}),
      t: target({ blue: 90, green: 10 }),
      verdict: { switched: true },
    },
    { name: 'stopped before any traffic reached green', s: stop({}), t: target({ blue: 100, green: 0 }), verdict: { switched: false } },
    {
      name: 'stopped mid-canary, rollback still running',
      s: stop({ rollbackStatus: 'InProgress' }),
      t: target({ blue: 90, green: 10 }),
      verdict: { switched: false },
    },
    {
      name: 'stopped before there was a target',
      s: stop({ rollbackDeploymentId: undefined, rollbackStatus: undefined }),
      t: undefined,
      verdict: { switched: false },
    },
  ])('$name', ({ s, t, verdict }) => {
    expect(stopVerdict(id, s, t, greenTd, consoleUrl)).toEqual(verdict);
  });

  it.each([
    {
      name: 'it Succeeded first',
      s: stop({ status: 'Succeeded', words: 'it had just Succeeded before it could be stopped: green serves all traffic' }),
      message: `deployment ${id} Succeeded before it could be stopped: it had just Succeeded before it could be stopped: green serves all traffic`,
      next: 'run the rollback again: it now deploys the previous task definition',
      unchanged: 'green (shop-web:7) serves all traffic',
    },
    {
      name: 'it was still stopping',
      s: stop({ status: 'stopping', words: 'StopDeployment was accepted but the deployment had not stopped yet' }),
      message: `rolling back deployment ${id} did not finish: StopDeployment was accepted but the deployment had not stopped yet`,
      next: `look at ${consoleUrl}`,
      unchanged: undefined,
    },
    {
      name: 'the stop call failed',
      s: stop({ status: 'unknown', words: 'stopping it failed' }),
      message: `rolling back deployment ${id} did not finish: stopping it failed`,
      next: `look at ${consoleUrl}`,
      unchanged: undefined,
    },
  ])('an error when $name', ({ s, message, next, unchanged }) => {
    const verdict = stopVerdict(id, s, target({ blue: 90, green: 10 }), greenTd, consoleUrl);
    expect('error' in verdict && verdict.error).toMatchObject({ message, next, unchanged });
  });

  it.each([
    { name: 'the one given wins over the record', given: 'shop-web:3', d: deployment('Succeeded'), to: 'shop-web:3' },
    { name: 'the one deploy-ecs recorded', given: undefined, d: deployment('Succeeded'), to: blueTd },
    {
      name: 'the one a switch rollback recorded',
      given: undefined,
      d: deployment('Succeeded', {
        description: `Expeditor bluegreen-switch rollback of d-1 to ${blueTd}; previous task definition: ${greenTd}`,
      }),
      to: greenTd,
    },
    { name: 'none recorded', given: undefined, d: deployment('Succeeded', { description: 'deployed by hand' }), to: undefined },
  ])('returns to $name', ({ given, d, to }) => {
    expect(returnTo(given, d)).toBe(to);
  });
});

describe('cleanup', () => {
  it.each([
    {
      name: 'blue waits to be terminated',
      v: view(deployment('InProgress'), target({ events: events(), blue: 0, green: 100 }), true),
      words: undefined,
    },
    {
      name: 'Succeeded',
      v: view(deployment('Succeeded'), target({ events: events(), blue: 0, green: 100 })),
      words: `deployment ${id} Succeeded: CodeDeploy already terminated the original (blue) task set, nothing to clean up`,
    },
    {
      name: 'mid-canary',
      v: view(deployment('InProgress'), target({ events: events('AllowTraffic'), blue: 90, green: 10 })),
      words: `deployment ${id} is InProgress at AllowTraffic, traffic: blue 90% · green 10% (green 2/2 running): blue still has a role, nothing cleaned up`,
    },
  ])('$name', ({ v, words }) => {
    expect(nothingToCleanUp(id, v)).toBe(words);
  });
});
