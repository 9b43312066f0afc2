// deploy-ecs's CloudWatch alarms without a network: the inputs and the environment file, the ECS
// deployment configuration sent, how ECS's words for an alarm failure are recognised, which alarm
// fired, and the CodeDeploy group settings (alarms, DEPLOYMENT_STOP_ON_ALARM) and its message.
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Service } from '@aws-sdk/client-ecs';
import { ActionInputs, inputEnv } from '../../packages/shared/src/inputs.ts';
import type { ProblemsError } from '../../packages/shared/src/errors.ts';
import { activatedAlarms, groupAlarmUpdate } from '../../packages/codedeploy/src/alarms.ts';
import { readDeployEcsInputs } from '../../actions/deploy-ecs/src/inputs.ts';
import { planDeployEcs } from '../../actions/deploy-ecs/src/plan.ts';
import { thrown } from './thrown.ts';
import { alarmWords, firedAlarms, missingAlarms } from '../../actions/deploy-ecs/src/alarms.ts';
import { failedByAlarm, rollbackEnded, withDeploymentAlarms } from '../../actions/deploy-ecs/src/rolling-alarms.ts';

const image = `123456789012.dkr.ecr.us-west-2.amazonaws.com/shop@sha256:${'a'.repeat(64)}`;
const read = (values: Record<string, string>) => readDeployEcsInputs(new ActionInputs(inputEnv({ image, ...values })));
/** The messages of the problems readDeployEcsInputs reports together. */
const problems = (values: Record<string, string>): string[] => (thrown(() => read(values)) as ProblemsError).problems.map((p) => p.message);

function workspaceWith(ecs: string): string {
  const ws = mkdtempSync(join(tmpdir(), 'deploy-ecs-alarms-'));
  mkdirSync(join(ws, '.github'));
  writeFileSync(
    join(ws, '.github/expeditor.yml'),
    [
      'app: shop',
      'image: { repository: 123456789012.dkr.ecr.us-west-2.amazonaws.com/shop }',
      'environments:',
      '  prod:',
      '    aws: { account: "123456789012", region: us-west-2, role: "arn:aws:iam::123456789012:role/deploy" }',
      `    ecs: { cluster: prod, service: web, ${ecs} }`,
      '',
    ].join('\n'),
  );
  return ws;
}
const plan = (values: Record<string, string>, ws = workspaceWith('strategy: rolling')) =>
  planDeployEcs(read(values), { workspace: ws, sha: 'a'.repeat(40), runUrl: 'https://github.com/acme/shop/actions/runs/1' });

describe('deploy-ecs alarms: inputs and the environment file', () => {
  it('reads names separated by commas or newlines, and alarm-rollback', () => {
    expect(read({ service: 'web', alarms: 'shop-5xx, shop latency p99\nshop-cpu', 'alarm-rollback': 'false' })).toMatchObject({
      alarms: ['shop-5xx', 'shop latency p99', 'shop-cpu'],
      alarmRollback: false,
    });
    expect(read({ service: 'web' })).toMatchObject({ alarms: undefined, alarmRollback: undefined });
  });

  it('refuses more than 10 alarms, a name twice and a name too long, naming the input', () => {
    const many = Array.from({ length: 11 }, (_, i) => `a${i}`).join(',');
    expect(problems({ service: 'web', alarms: many })).toEqual([
      "input 'alarms': takes at most 10 alarms (a CodeDeploy group's limit), got 11",
    ]);
    expect(problems({ service: 'web', alarms: 'a, a' })).toEqual(["input 'alarms': names an alarm twice"]);
    expect(problems({ service: 'web', alarms: ' , ' })).toEqual(["input 'alarms': names no alarm"]);
    expect(problems({ service: 'web', alarms: 'x'.repeat(256) })[0]).toMatch(/^input 'alarms': expected CloudWatch alarm names/);
  });

  it('takes the input over ecs.alarms, rollback on by default, and says where each came from', async () => {
    const ws = workspaceWith('alarms: [shop-5xx], alarm-rollback: false');
    expect((await plan({ environment: 'prod' }, ws)).alarms).toEqual({
      names: ['shop-5xx'],
      rollback: false,
      origin: { key: 'environments.prod.ecs.alarms' },
    });
    const fromInput = await plan({ environment: 'prod', alarms: 'shop-latency' }, ws);
    expect(fromInput.alarms).toEqual({ names: ['shop-latency'], rollback: false, origin: { input: 'alarms' } });
    expect(fromInput.settings.rows()).toEqual(
      expect.arrayContaining([
        ['alarms', 'shop-latency', "input 'alarms'"],
        ['roll back on alarm', 'false', 'environments.prod.ecs.alarm-rollback'],
      ]),
    );
    expect((await plan({ environment: 'prod', alarms: 'shop-latency' })).alarms?.rollback).toBe(true);
  });

  it('refuses alarm-rollback without alarms, and alarms with no service to watch', async () => {
    await expect(plan({ environment: 'prod', 'alarm-rollback': 'true' })).rejects.toThrow(
      "input 'alarm-rollback': applies only with alarms, and none are given: there is no alarm to roll back on",
    );
    await expect(plan({ 'task-definition': 'td.json', alarms: 'shop-5xx' }, mkdtempSync(join(tmpdir(), 'empty-')))).rejects.toThrow(
      /^input 'alarms': no service is given/,
    );
  });
});

describe('deploy-ecs alarms: rolling (ECS deployment alarms)', () => {
  it('sends the whole deployment configuration with the alarms set, keeping the circuit breaker and percentages', () => {
    const current = { deploymentCircuitBreaker: { enable: true, rollback: true }, maximumPercent: 200, minimumHealthyPercent: 50 };
    expect(withDeploymentAlarms(current, { names: ['a', 'b'], rollback: true })).toEqual({
      ...current,
      alarms: { alarmNames: ['a', 'b'], enable: true, rollback: true },
    });
    expect(withDeploymentAlarms(undefined, { names: ['a'], rollback: false })).toEqual({
      alarms: { alarmNames: ['a'], enable: true, rollback: false },
    });
  });

  it('recognises ECS’s alarm failure by its service event or rollout reason, and not a circuit breaker failure', () => {
    const id = 'ecs-svc/0205655736282798388';
    const service = (events: string[], reason = 'ECS deployment in progress.'): Service => ({
      deployments: [{ id, status: 'ACTIVE', rolloutState: events.length ? 'FAILED' : 'IN_PROGRESS', rolloutStateReason: reason }],
      events: events.map((message, i) => ({ id: String(i), message })),
    });
    expect(failedByAlarm(service([`(service web) (deployment ${id}) deployment failed: alarm detected.`]), id)).toBe(true);
    // As the CLI has shown it too, without the parentheses.
    expect(failedByAlarm(service([`(service web) deployment ${id} deployment failed: alarm detected.`]), id)).toBe(true);
    expect(failedByAlarm(service(['x'], 'ECS deployment failed: alarm detected.'), id)).toBe(true);
    expect(
      failedByAlarm(
        service(
          [`(service web) (deployment ${id}) deployment failed: tasks failed to start.`],
          'ECS deployment circuit breaker: tasks failed to start.',
        ),
        id,
      ),
    ).toBe(false);
    expect(failedByAlarm(service([`(service web) (deployment ecs-svc/1) deployment failed: alarm detected.`]), id)).toBe(false);
  });

  it('the rollback has ended once another deployment is primary and COMPLETED', () => {
    const ours = { id: 'ecs-svc/1', status: 'ACTIVE', rolloutState: 'FAILED' as const };
    expect(
      rollbackEnded({ deployments: [{ id: 'ecs-svc/2', status: 'PRIMARY', rolloutState: 'IN_PROGRESS' }, ours] }, 'ecs-svc/1'),
    ).toBeUndefined();
    expect(rollbackEnded({ deployments: [{ id: 'ecs-svc/2', status: 'PRIMARY', rolloutState: 'COMPLETED' }] }, 'ecs-svc/1')?.id).toBe(
      'ecs-svc/2',
    );
    expect(rollbackEnded({ deployments: [{ id: 'ecs-svc/1', status: 'PRIMARY', rolloutState: 'FAILED' }] }, 'ecs-svc/1')).toBeUndefined();
  });
});

describe('deploy-ecs alarms: which alarm fired', () => {
  const start = new Date('2026-12-01T12:00:00Z');
  const at = (s: number) => new Date(start.getTime() + s * 1000);
  it('names the alarms in ALARM since the deployment started, else those that changed since (back to OK)', () => {
    const states = [
      { name: 'old', state: 'ALARM', since: at(-600), reason: undefined },
      { name: 'new', state: 'ALARM', since: at(30), reason: undefined },
      { name: 'quiet', state: 'OK', since: at(-900), reason: undefined },
    ];
    expect(firedAlarms(states, start)).toEqual(['new']);
    expect(firedAlarms([{ name: 'flapped', state: 'OK', since: at(45), reason: undefined }, states[2]!], start)).toEqual(['flapped']);
    expect(firedAlarms([states[2]!], start)).toEqual([]);
  });

  it('words: one alarm, several, or the configured ones when CloudWatch could not say', () => {
    expect(alarmWords(['a'], ['a', 'b'])).toBe('CloudWatch alarm "a"');
    expect(alarmWords(['a', 'b'], ['a', 'b'])).toBe('CloudWatch alarms "a", "b"');
    expect(alarmWords([], ['a', 'b'])).toBe('one of the CloudWatch alarms "a", "b"');
    expect(alarmWords([], ['a'])).toBe('CloudWatch alarm "a"');
    expect(missingAlarms(['a', 'b', 'c'], [{ name: 'b', state: 'OK', since: undefined, reason: undefined }])).toEqual(['a', 'c']);
  });
});

describe('deploy-ecs alarms: the CodeDeploy group', () => {
  it('sets the alarms and adds DEPLOYMENT_STOP_ON_ALARM to the group’s other rollback events', () => {
    const info = { autoRollbackConfiguration: { enabled: true, events: ['DEPLOYMENT_FAILURE' as const] } };
    expect(groupAlarmUpdate(info, { names: ['a', 'b'], rollback: true })).toEqual({
      alarmConfiguration: { enabled: true, ignorePollAlarmFailure: false, alarms: [{ name: 'a' }, { name: 'b' }] },
      autoRollbackConfiguration: { enabled: true, events: ['DEPLOYMENT_FAILURE', 'DEPLOYMENT_STOP_ON_ALARM'] },
    });
  });

  it('without rollback, takes DEPLOYMENT_STOP_ON_ALARM out and leaves the rest; nothing to do when the group is already so', () => {
    const info = {
      alarmConfiguration: { enabled: true, alarms: [{ name: 'b' }, { name: 'a' }] },
      autoRollbackConfiguration: { enabled: true, events: ['DEPLOYMENT_STOP_ON_ALARM' as const] },
    };
    expect(groupAlarmUpdate(info, { names: ['a', 'b'], rollback: false })?.autoRollbackConfiguration).toEqual({
      enabled: false,
      events: [],
    });
    expect(groupAlarmUpdate(info, { names: ['a', 'b'], rollback: true })).toBeUndefined();
    expect(
      groupAlarmUpdate(
        { ...info, alarmConfiguration: { enabled: false, alarms: [{ name: 'a' }, { name: 'b' }] } },
        { names: ['a', 'b'], rollback: true },
      ),
    ).toBeDefined();
  });

  it('reads the activated alarms from CodeDeploy’s ALARM_ACTIVE message', () => {
    const message =
      'One or more alarms have been activated according to the Amazon CloudWatch metrics you selected, and the affected deployments have been stopped. Activated alarms: shop-5xx, shop-latency';
    expect(activatedAlarms(message)).toEqual(['shop-5xx', 'shop-latency']);
    expect(activatedAlarms('The deployment was stopped by a user request.')).toEqual([]);
    expect(activatedAlarms(undefined)).toEqual([]);
  });
});
