// bluegreen-switch on ECS (CodeDeploy) on the bed's moto: a deployment deploy-ecs left at Ready is
// switched to Succeeded; rollback stops one in progress or redeploys the previous task definition
// after success; cleanup ends blue's termination wait. Core functions and the committed bundle.
import { describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetDeploymentCommand } from '@aws-sdk/client-codedeploy';
import { memoryLog } from '../../packages/shared/src/log.ts';
import { deployEcs } from '../../actions/deploy-ecs/src/deploy.ts';
import { switchEcs, type EcsSwitchOptions } from '../../actions/bluegreen-switch/src/ecs/ecs-switch.ts';
import { useBed } from '../bed/vitest.ts';
import {
  blueGreenService,
  blueGreenTarget,
  callsOf,
  clientsFor,
  digestImage,
  planFrom,
  runBundle,
  type BlueGreenFixture,
} from './deploy-ecs-bed.ts';

const bed = useBed(['moto']);
const timing = { minIntervalMs: 100, maxIntervalMs: 400, factor: 1.5 };
const image = () => digestImage('127.0.0.1:5000/shop/web');

async function deployTo(fx: BlueGreenFixture, waitUntil: 'ready' | 'succeeded', account?: string) {
  const plan = await planFrom({ image: image(), ...blueGreenTarget(fx), 'wait-until': waitUntil });
  return deployEcs(plan, clientsFor(bed.moto, account), { log: memoryLog(), timing });
}

const options = (o: Partial<EcsSwitchOptions>): EcsSwitchOptions => ({
  action: 'switch',
  deploymentId: undefined,
  group: undefined,
  previousTaskDefinition: undefined,
  timeoutMs: 60_000,
  ...o,
});

const status = async (fx: BlueGreenFixture, id: string) =>
  (await fx.codedeploy.send(new GetDeploymentCommand({ deploymentId: id }))).deploymentInfo!;

describe('bluegreen-switch ECS (core)', () => {
  it('switches a deployment held at Ready: green takes all traffic and the deployment Succeeds', async () => {
    const fx = await blueGreenService(bed.moto, { waitForReroute: true });
    const ready = await deployTo(fx, 'ready');
    expect(ready.status).toBe('Ready');
    const log = memoryLog();
    const result = await switchEcs(options({ deploymentId: ready.deploymentId }), clientsFor(bed.moto), { log, timing });
    expect(result).toMatchObject({
      action: 'switch',
      deploymentId: ready.deploymentId,
      status: 'Succeeded',
      from: fx.blueTd,
      to: ready.taskDefinitionArn,
      switched: true,
    });
    expect(result.convergenceMs).toBeGreaterThan(0);
    expect((await status(fx, ready.deploymentId)).status).toBe('Succeeded');
    expect((await fx.describe()).taskDefinition).toBe(ready.taskDefinitionArn);
    expect(log.lines.some((l) => l.includes('AllowTraffic: Succeeded'))).toBe(true);
    const marks = await bed.moto.control<{ codedeploy: Record<string, { trafficShifted?: number }> }>('marks', { kind: 'codedeploy' });
    expect(marks.codedeploy[ready.deploymentId]!.trafficShifted).toBeTypeOf('number');
  });

  it('refuses to switch a deployment that is not at Ready, changing nothing', async () => {
    const fx = await blueGreenService(bed.moto, { waitForReroute: false });
    const done = await deployTo(fx, 'succeeded');
    const since = Date.now();
    await expect(
      switchEcs(options({ deploymentId: done.deploymentId }), clientsFor(bed.moto), { log: memoryLog(), timing }),
    ).rejects.toThrow(`deployment ${done.deploymentId} cannot be switched: green already takes all traffic`);
    await expect(switchEcs(options({ deploymentId: 'd-AAAAAAAAA' }), clientsFor(bed.moto), { log: memoryLog(), timing })).rejects.toThrow(
      "input 'deployment-id': CodeDeploy deployment d-AAAAAAAAA does not exist in this account and region",
    );
    await expect(
      switchEcs(options({ group: { application: fx.application, group: fx.group } }), clientsFor(bed.moto), { log: memoryLog(), timing }),
    ).rejects.toThrow(`deployment group ${fx.application}/${fx.group} has no deployment held at Ready`);
    expect(await callsOf(bed.moto, 'ContinueDeployment', since)).toHaveLength(0);
  });

  it('rolls back a deployment still at Ready by stopping it with rollback; blue keeps serving', async () => {
    const fx = await blueGreenService(bed.moto, { waitForReroute: true });
    const ready = await deployTo(fx, 'ready');
    const since = Date.now();
    // Found by its group: the newest deployment in progress.
    const result = await switchEcs(
      options({ action: 'rollback', group: { application: fx.application, group: fx.group } }),
      clientsFor(bed.moto),
      {
        log: memoryLog(),
        timing,
      },
    );
    expect(result).toMatchObject({
      action: 'rollback',
      deploymentId: ready.deploymentId,
      status: 'Stopped',
      from: ready.taskDefinitionArn,
      to: fx.blueTd,
      switched: false,
    });
    expect(result.words).toMatch(
      /it is now Stopped, and rollback deployment d-\w+ Succeeded: the original \(blue\) task set serves all traffic/,
    );
    expect(await callsOf(bed.moto, 'StopDeployment', since)).toHaveLength(1);
    expect((await status(fx, ready.deploymentId)).status).toBe('Stopped');
    expect((await fx.describe()).taskDefinition).toBe(fx.blueTd);
  });

  it('rolls back a deployment that Succeeded with a new deployment of the task definition deploy-ecs recorded, continuing it past Ready', async () => {
    const fx = await blueGreenService(bed.moto, { waitForReroute: true });
    const ready = await deployTo(fx, 'ready');
    await switchEcs(options({ deploymentId: ready.deploymentId }), clientsFor(bed.moto), { log: memoryLog(), timing });
    expect((await fx.describe()).taskDefinition).toBe(ready.taskDefinitionArn);

    const log = memoryLog();
    const result = await switchEcs(options({ action: 'rollback', deploymentId: ready.deploymentId }), clientsFor(bed.moto), {
      log,
      timing,
    });
    expect(result).toMatchObject({ action: 'rollback', status: 'Succeeded', from: ready.taskDefinitionArn, to: fx.blueTd, switched: true });
    expect(result.newDeploymentId).toMatch(/^d-/);
    expect(log.lines.some((l) => l.includes(`deployment ${result.newDeploymentId} was held at Ready; continued it`))).toBe(true);
    const rollback = await status(fx, result.newDeploymentId!);
    expect(rollback.status).toBe('Succeeded');
    expect(rollback.revision!.appSpecContent!.content).toContain(fx.blueTd);
    expect((await fx.describe()).taskDefinition).toBe(fx.blueTd);
  });

  it('cleans up: ends blue’s termination wait once green takes all traffic', async () => {
    // An hour's termination wait: deploy-ecs is done when traffic moved, blue stays as a hot standby.
    const fx = await blueGreenService(bed.moto, { terminationMinutes: 60 });
    const deployed = await deployTo(fx, 'succeeded');
    expect(deployed.status).toBe('TrafficShifted');
    expect((await status(fx, deployed.deploymentId)).status).toBe('InProgress');
    const result = await switchEcs(options({ action: 'cleanup', deploymentId: deployed.deploymentId }), clientsFor(bed.moto), {
      log: memoryLog(),
      timing,
    });
    expect(result).toMatchObject({ action: 'cleanup', status: 'Succeeded', switched: false, to: deployed.taskDefinitionArn });
    expect((await status(fx, deployed.deploymentId)).status).toBe('Succeeded');
  });
});

describe('bluegreen-switch ECS (bundle)', () => {
  const account = '333333333333';

  it('deploy-ecs to Ready, then bluegreen-switch finds the deployment by the service and switches it', async () => {
    const fx = await blueGreenService(bed.moto, { account, waitForReroute: true, consoleNames: true });
    const env = bed.moto.env(account);
    const deploy = await runBundle('deploy-ecs', { image: image(), cluster: fx.cluster, service: fx.service, 'wait-until': 'ready' }, env);
    expect(deploy.status, deploy.stdout).toBe(0);
    expect(deploy.outputs.status).toBe('Ready');

    const run = await runBundle('bluegreen-switch', { platform: 'ecs', cluster: fx.cluster, service: fx.service }, env);
    expect(run.status, run.stdout + run.stderr).toBe(0);
    expect(run.outputs).toMatchObject({
      from: fx.blueTd,
      to: deploy.outputs['task-definition-arn'],
      switched: 'true',
      status: 'Succeeded',
      'deployment-id': deploy.outputs['deployment-id'],
    });
    expect(Number(run.outputs['convergence-ms'])).toBeGreaterThan(0);
    expect(run.summary).toContain('## bluegreen-switch switch (ECS): Succeeded');
    expect((await fx.describe()).taskDefinition).toBe(deploy.outputs['task-definition-arn']);
  });

  it('takes the platform and the service from the environment file, then rolls back through the bundle', async () => {
    const fx = await blueGreenService(bed.moto, { account, waitForReroute: true });
    const env = bed.moto.env(account);
    const ws = mkdtempSync(join(tmpdir(), 'ws-'));
    mkdirSync(join(ws, '.github'));
    writeFileSync(
      join(ws, '.github', 'expeditor.yml'),
      [
        'app: shop',
        'image: { repository: 127.0.0.1:5000/shop/web }',
        'environments:',
        '  prod:',
        `    aws: { account: "${account}", region: us-west-2, role: "arn:aws:iam::${account}:role/deploy" }`,
        `    ecs: { cluster: ${fx.cluster}, service: ${fx.service}, strategy: blue-green, wait-until: ready, codedeploy: { application: ${fx.application}, deployment-group: ${fx.group} } }`,
      ].join('\n'),
    );
    const deploy = await runBundle('deploy-ecs', { image: image(), environment: 'prod' }, env, { workspace: ws });
    expect(deploy.status, deploy.stdout).toBe(0);
    expect(deploy.outputs.status).toBe('Ready');
    const run = await runBundle('bluegreen-switch', { environment: 'prod', action: 'rollback' }, env, { workspace: ws });
    expect(run.status, run.stdout + run.stderr).toBe(0);
    expect(run.outputs).toMatchObject({ status: 'Stopped', from: deploy.outputs['task-definition-arn'], to: fx.blueTd, switched: 'false' });
    expect(run.summary).toContain(`| CodeDeploy group | ${fx.group} | environments.prod.ecs.codedeploy.deployment-group |`);
    expect((await status(fx, deploy.outputs['deployment-id']!)).status).toBe('Stopped');
  });

  it('refuses a malformed deployment id before any request', async () => {
    const since = Date.now();
    const run = await runBundle('bluegreen-switch', { platform: 'ecs', 'deployment-id': 'd-nope' }, bed.moto.env(account));
    expect(run.status).toBe(1);
    expect(run.stdout).toMatch(/::error title=input 'deployment-id'::input 'deployment-id': expected a CodeDeploy deployment id/);
    const calls = await bed.moto.control<{ calls: { accessKeyId?: string }[] }>('calls', { since });
    expect(calls.calls.filter((c) => c.accessKeyId === bed.moto.clientConfig(account).credentials.accessKeyId)).toHaveLength(0);
  });
});
