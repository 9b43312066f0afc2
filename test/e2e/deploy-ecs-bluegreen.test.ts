// deploy-ecs blue/green through CodeDeploy on the bed's moto (its CodeDeploy walks the ECS
// lifecycle, holds at Ready, shifts traffic per config, fails at a faulted hook, stops on request):
// the core function directly, and the committed bundle.
import { describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ListTaskDefinitionsCommand } from '@aws-sdk/client-ecs';
import { GetDeploymentCommand, GetDeploymentTargetCommand, ListDeploymentsCommand } from '@aws-sdk/client-codedeploy';
import { memoryLog } from '../../packages/shared/src/log.ts';
import { withDeadline } from '../../packages/shared/src/deadline.ts';
import { deployEcs } from '../../actions/deploy-ecs/src/deploy.ts';
import { useBed } from '../bed/vitest.ts';
import { expectReadsWithinBudget } from './call-rate.ts';
import { blueGreenService, blueGreenTarget, callsOf, clientsFor, digestImage, planFrom, runBundle, until } from './deploy-ecs-bed.ts';

const bed = useBed(['moto']);
const timing = { minIntervalMs: 100, maxIntervalMs: 400, factor: 1.5 };
const failure = (p: Promise<unknown>) =>
  p.then(
    () => undefined,
    (e: unknown) => e as Error & { unchanged?: string; next?: string; input?: string },
  );
const image = (tag?: string) => digestImage('127.0.0.1:5000/shop/web', tag);

describe('deploy-ecs blue/green (core)', () => {
  it('stops at Ready with green running and no production traffic, when the group waits for a reroute', async () => {
    const fx = await blueGreenService(bed.moto, { waitForReroute: true, consoleNames: true });
    const log = memoryLog();
    // The console's default application and group names are used when none are given.
    const plan = await planFrom({
      image: image(),
      cluster: fx.cluster,
      service: fx.service,
      'wait-until': 'ready',
      hooks: 'AfterAllowTestTraffic=smoke-test',
    });
    const result = await deployEcs(plan, clientsFor(bed.moto), { log, timing });

    expect(result).toMatchObject({ strategy: 'blue-green', status: 'Ready', previousTaskDefinitionArn: fx.blueTd, container: 'web' });
    expect(result.consoleUrl).toBe(
      `https://us-west-2.console.aws.amazon.com/codesuite/codedeploy/deployments/${result.deploymentId}?region=us-west-2`,
    );
    expect(result.blueGreen).toMatchObject({
      application: fx.application,
      group: fx.group,
      traffic: 'traffic: blue 100% · green 0% (green 2/2 running)',
    });
    const deployment = (await fx.codedeploy.send(new GetDeploymentCommand({ deploymentId: result.deploymentId }))).deploymentInfo!;
    expect(deployment.status).toBe('Ready');
    const appspec = JSON.parse(deployment.revision!.appSpecContent!.content!) as Record<string, unknown>;
    expect(appspec).toEqual({
      version: '0.0',
      Resources: [
        {
          TargetService: {
            Type: 'AWS::ECS::Service',
            Properties: { TaskDefinition: result.taskDefinitionArn, LoadBalancerInfo: { ContainerName: 'web', ContainerPort: 80 } },
          },
        },
      ],
      Hooks: [{ AfterAllowTestTraffic: 'smoke-test' }],
    });
    expect(deployment.description).toContain(`previous task definition: ${fx.blueTd}`);
    // Production still on blue.
    expect((await fx.describe()).taskDefinition).toBe(fx.blueTd);
    const marks = await bed.moto.control<{ codedeploy: Record<string, { ready?: number }> }>('marks', { kind: 'codedeploy' });
    expect(result.noticedAt).toBeGreaterThanOrEqual(marks.codedeploy[result.deploymentId]!.ready!);
    // One line per lifecycle event change.
    for (const line of [
      'BeforeInstall: Succeeded',
      'Install: Succeeded',
      'AllowTestTraffic: Succeeded',
      'AfterAllowTestTraffic: Succeeded',
      `deployment ${result.deploymentId}: Ready`,
    ]) {
      expect(log.lines.filter((l) => l.trim().startsWith(line))).toHaveLength(1);
    }
  });

  it('follows a canary deployment through its traffic steps to Succeeded, retrying throttled reads', async () => {
    const fx = await blueGreenService(bed.moto);
    const log = memoryLog();
    const since = Date.now();
    await bed.moto.control('throttle', { action: 'GetDeploymentTarget', count: 2 });
    const plan = await planFrom({
      image: image(),
      ...blueGreenTarget(fx),
      'deployment-config': 'CodeDeployDefault.ECSCanary10Percent5Minutes',
    });
    const result = await deployEcs(plan, clientsFor(bed.moto), { log, timing });
    expect(result.status).toBe('Succeeded');
    expect(result.blueGreen?.routing).toBe('CodeDeployDefault.ECSCanary10Percent5Minutes: canary: 10%, then the rest after 5 min');
    expect(log.lines.some((l) => l.includes('traffic: blue 90% · green 10% (green 2/2 running)'))).toBe(true);
    expect(log.lines.some((l) => l.includes('traffic: green 100% (green 2/2 running)'))).toBe(true);
    expect((await fx.describe()).taskDefinition).toBe(result.taskDefinitionArn);
    const throttled = await bed.moto.control<{ calls: { throttled: boolean }[] }>('calls', { action: 'GetDeploymentTarget', since });
    expect(throttled.calls.filter((c) => c.throttled)).toHaveLength(2);
    expect(log.lines.filter((l) => l.trim().startsWith('codedeploy:GetDeploymentTarget: ThrottlingException'))).toHaveLength(2);
  });

  it('returns at once with wait-until none: the deployment created, nothing awaited', async () => {
    const fx = await blueGreenService(bed.moto);
    const since = Date.now();
    const plan = await planFrom({ image: image(), ...blueGreenTarget(fx), 'wait-until': 'none' });
    const result = await deployEcs(plan, clientsFor(bed.moto), { log: memoryLog(), timing });
    expect(result).toMatchObject({ status: 'Created', noticedAt: undefined });
    expect(await callsOf(bed.moto, 'CreateDeployment', since)).toHaveLength(1);
    expect(await callsOf(bed.moto, 'GetDeploymentTarget', since)).toHaveLength(0);
  });

  it('fails naming the lifecycle hook that failed, and the rollback CodeDeploy started', async () => {
    const fx = await blueGreenService(bed.moto, { autoRollback: true });
    const fault = await bed.moto.control<{ id: string }>('fault/codedeploy', {
      lifecycleEvent: 'AfterAllowTestTraffic',
      application: fx.application,
    });
    try {
      const plan = await planFrom({
        image: image(),
        ...blueGreenTarget(fx),
        hooks: 'AfterAllowTestTraffic=arn:aws:lambda:us-west-2:123456789012:function:smoke-test',
      });
      const error = await failure(deployEcs(plan, clientsFor(bed.moto), { log: memoryLog(), timing }));
      expect(error?.message).toMatch(
        /^CodeDeploy deployment d-\w+ failed at lifecycle event AfterAllowTestTraffic \(HOOK_EXECUTION_FAILURE\): The deployment failed because a validation Lambda function \(arn:aws:lambda:us-west-2:123456789012:function:smoke-test\) failed/,
      );
      expect(error?.unchanged).toMatch(/^CodeDeploy rolls back with deployment d-\w+: traffic returns to the original \(blue\) task set$/);
      expect(error?.next).toContain("read the logs of the AfterAllowTestTraffic hook's Lambda function");
      expect((await fx.describe()).taskDefinition).toBe(fx.blueTd);
    } finally {
      await bed.moto.control('fault/clear', { id: fault.id });
    }
  });

  it('on its deadline, stops the deployment with rollback; the deployment ends Stopped and blue serves again', async () => {
    // The group holds at Ready and nobody continues: only the deadline ends the wait.
    const fx = await blueGreenService(bed.moto, { waitForReroute: true });
    const since = Date.now();
    const log = memoryLog();
    const plan = await planFrom({ image: image(), ...blueGreenTarget(fx) });
    const error = await failure(deployEcs(plan, clientsFor(bed.moto), { log, timing, signal: withDeadline(undefined, 3000) }));
    expect(log.lines.some((l) => l.includes('holds deployments at Ready until someone reroutes traffic'))).toBe(true);
    expect(error?.message).toMatch(
      /^CodeDeploy deployment (d-\w+) did not reach Succeeded within 3\.0 s \(Ready, traffic: blue 100% · green 0% \(green 2\/2 running\)\); it was stopped with rollback: it is now Stopped, and rollback deployment d-\w+ Succeeded: the original \(blue\) task set serves all traffic$/,
    );
    expect(error?.unchanged).toBe('the original (blue) task set serves all traffic, as before the deployment');
    const stops = await callsOf(bed.moto, 'StopDeployment', since);
    expect(stops).toHaveLength(1);
    const id = /deployment (d-\w+)/.exec(error!.message)![1]!;
    const deployment = (await fx.codedeploy.send(new GetDeploymentCommand({ deploymentId: id }))).deploymentInfo!;
    expect(deployment).toMatchObject({ status: 'Stopped', errorInformation: { code: 'MANUAL_STOP' } });
    expect((await fx.describe()).taskDefinition).toBe(fx.blueTd);
  });

  it('a bad AppSpec file, or one naming a container the task definition lacks, registers and creates nothing', async () => {
    const fx = await blueGreenService(bed.moto);
    const ws = mkdtempSync(join(tmpdir(), 'ws-'));
    writeFileSync(
      join(ws, 'appspec.yaml'),
      [
        'version: 0.0',
        'Resources:',
        '  - TargetService:',
        '      Type: AWS::ECS::Service',
        '      Properties:',
        '        TaskDefinition: x',
        '        LoadBalancerInfo:',
        '          ContainerName: web',
        '          ContainerPort: eighty',
        'Hooks:',
        '  - AfterTraffic: fn',
      ].join('\n'),
    );
    const inputs = { image: image(), ...blueGreenTarget(fx), appspec: 'appspec.yaml' };
    let problems: unknown;
    try {
      await planFrom(inputs, ws);
    } catch (error) {
      problems = error;
    }
    expect((problems as Error).message).toBe(
      [
        'appspec.yaml has 2 problems:',
        "  - input 'appspec': appspec.yaml:9: Resources.0.TargetService.Properties.LoadBalancerInfo.ContainerPort: expected a port number",
        '  - input \'appspec\': appspec.yaml:11: Hooks.0: unknown key "AfterTraffic"',
      ].join('\n'),
    );
    // Valid as a file, but for a container the task definition does not have: refused after reading, before writing.
    writeFileSync(
      join(ws, 'appspec.yaml'),
      [
        'version: 0.0',
        'resources:',
        '  - targetService:',
        '      type: AWS::ECS::Service',
        '      properties:',
        '        taskDefinition: <TASK_DEFINITION>',
        '        loadBalancerInfo: { containerName: api, containerPort: 80 }',
      ].join('\n'),
    );
    const since = Date.now();
    const error = await failure(deployEcs(await planFrom(inputs, ws), clientsFor(bed.moto), { log: memoryLog(), timing }));
    expect(error?.message).toBe(
      `input 'appspec': appspec.yaml: LoadBalancerInfo.ContainerName "api" is not a container of the task definition (have: web)`,
    );
    expect(await callsOf(bed.moto, 'RegisterTaskDefinition', since)).toHaveLength(0);
    expect(await callsOf(bed.moto, 'CreateDeployment', since)).toHaveLength(0);
    const families = await fx.ecs.send(new ListTaskDefinitionsCommand({ familyPrefix: fx.family }));
    expect(families.taskDefinitionArns).toEqual([fx.blueTd]);
    const deployments = await fx.codedeploy.send(
      new ListDeploymentsCommand({ applicationName: fx.application, deploymentGroupName: fx.group }),
    );
    expect(deployments.deployments).toEqual([]);
  });

  it('uses a user AppSpec file (keys in any case), with TaskDefinition set to the registered ARN', async () => {
    const fx = await blueGreenService(bed.moto);
    const ws = mkdtempSync(join(tmpdir(), 'ws-'));
    writeFileSync(
      join(ws, 'appspec.json'),
      JSON.stringify({
        version: '0.0',
        resources: [
          {
            targetService: {
              type: 'AWS::ECS::Service',
              properties: { taskDefinition: '<TASK_DEFINITION>', loadBalancerInfo: { containerName: 'web', containerPort: 80 } },
            },
          },
        ],
      }),
    );
    const plan = await planFrom({ image: image(), ...blueGreenTarget(fx), appspec: 'appspec.json' }, ws);
    const result = await deployEcs(plan, clientsFor(bed.moto), { log: memoryLog(), timing });
    expect(result.status).toBe('Succeeded');
    const deployment = (await fx.codedeploy.send(new GetDeploymentCommand({ deploymentId: result.deploymentId }))).deploymentInfo!;
    expect(JSON.parse(deployment.revision!.appSpecContent!.content!)).toMatchObject({
      Resources: [{ targetService: { Type: 'AWS::ECS::Service', Properties: { TaskDefinition: result.taskDefinitionArn } } }],
    });
  });

  it('refuses wait-until ready on a group that reroutes at once, and a rolling strategy on a CODE_DEPLOY service, before any write', async () => {
    const fx = await blueGreenService(bed.moto, { waitForReroute: false });
    const since = Date.now();
    const base = { image: image(), ...blueGreenTarget(fx) };
    const ready = await failure(deployEcs(await planFrom({ ...base, 'wait-until': 'ready' }), clientsFor(bed.moto), { log: memoryLog() }));
    expect(ready).toMatchObject({ input: 'wait-until' });
    expect(ready?.message).toContain(
      `ready needs a deployment group that holds deployments until traffic is rerouted, and ${fx.group} reroutes at once`,
    );
    const rolling = await failure(deployEcs(await planFrom({ ...base, strategy: 'rolling' }), clientsFor(bed.moto), { log: memoryLog() }));
    expect(rolling?.message).toBe(
      `input 'strategy': strategy rolling does not fit service ${fx.service}, which uses the CODE_DEPLOY deployment controller (that means blue-green)`,
    );
    const group = await failure(
      deployEcs(await planFrom({ ...base, 'codedeploy-deployment-group': 'nope' }), clientsFor(bed.moto), { log: memoryLog() }),
    );
    expect(group?.message).toBe(
      `input 'codedeploy-deployment-group': CodeDeploy deployment group "nope" does not exist in application ${fx.application}`,
    );
    const config = await failure(
      deployEcs(await planFrom({ ...base, 'deployment-config': 'Custom.Nope' }), clientsFor(bed.moto), { log: memoryLog() }),
    );
    expect(config?.message).toBe(`input 'deployment-config': deployment config "Custom.Nope" does not exist`);
    expect(await callsOf(bed.moto, 'RegisterTaskDefinition', since)).toHaveLength(0);
    expect(await callsOf(bed.moto, 'CreateDeployment', since)).toHaveLength(0);
  });
});

describe('deploy-ecs blue/green (bundle)', () => {
  const account = '222222222222';

  it('stops at Ready through the committed bundle, with outputs and a summary that links the console', async () => {
    const fx = await blueGreenService(bed.moto, { account, waitForReroute: true });
    const since = Date.now();
    const run = await runBundle('deploy-ecs', { image: image(), ...blueGreenTarget(fx), 'wait-until': 'ready' }, bed.moto.env(account));
    expect(run.status, run.stdout + run.stderr).toBe(0);
    expect(run.outputs.status).toBe('Ready');
    expect(run.outputs['deployment-id']).toMatch(/^d-\w{9}$/);
    expect(run.outputs['previous-task-definition-arn']).toBe(fx.blueTd);
    expect(run.summary).toContain(`[${run.outputs['deployment-id']}](${run.outputs['console-url']})`);
    expect(run.summary).toContain('move traffic with bluegreen-switch');
    expect(run.stdout).toContain('AfterAllowTestTraffic: Succeeded');
    const target = await fx.codedeploy.send(
      new GetDeploymentTargetCommand({ deploymentId: run.outputs['deployment-id'], targetId: `${fx.cluster}:${fx.service}` }),
    );
    expect(target.deploymentTarget!.ecsTarget!.status).toBe('Ready');

    // Its wait keeps to 12 describe calls a minute, counted from the moment the deployment was
    // created (so a wait under a minute is held to its share), and the target id is known, not listed.
    await expectReadsWithinBudget(bed.moto, {
      account,
      since,
      until: run.exitedAt,
      start: 'CreateDeployment',
      reads: ['GetDeployment', 'GetDeploymentTarget', 'ListDeploymentTargets'],
    });
    expect(await callsOf(bed.moto, 'ListDeploymentTargets', since, account)).toHaveLength(0);
  });

  it('stops the deployment with rollback when the workflow is cancelled (SIGTERM) mid-wait', async () => {
    const fx = await blueGreenService(bed.moto, { account, waitForReroute: true });
    const since = Date.now();
    const run = await runBundle('deploy-ecs', { image: image(), ...blueGreenTarget(fx) }, bed.moto.env(account), {
      signalAfter: (line) => line.includes('waiting for that'),
    });
    expect(run.status).toBe(1);
    expect(run.stdout).toMatch(
      /::error::deploy-ecs: CodeDeploy deployment d-\w+ was interrupted \(the run was cancelled \(SIGTERM\)\) \(Ready, traffic: blue 100%25 · green 0%25/,
    );
    expect(run.stdout).toMatch(/it was stopped with rollback: it is now Stopped/);
    expect(await callsOf(bed.moto, 'StopDeployment', since, account)).toHaveLength(1);
    const id = /CodeDeploy deployment (d-\w+) was interrupted/.exec(run.stdout)![1]!;
    const stopped = await until(
      async () => (await fx.codedeploy.send(new GetDeploymentCommand({ deploymentId: id }))).deploymentInfo!,
      (d) => d.status !== 'InProgress',
    );
    expect(stopped.status).toBe('Stopped');
  });
});
