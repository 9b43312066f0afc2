// deploy-ecs with CloudWatch alarms on the bed's moto: ECS deployment alarms on a rolling service
// (the bed fails a deployment whose alarm goes into ALARM and rolls back, test/bed/moto/
// bed_ecs_alarms.py) and the CodeDeploy group's alarms on a blue/green one (the bed stops the
// deployment with ALARM_ACTIVE and rolls back, bed_codedeploy.py). Alarms are real moto CloudWatch
// alarms, moved with SetAlarmState while the deployment runs.
import { describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SetAlarmStateCommand } from '@aws-sdk/client-cloudwatch';
import { DescribeTasksCommand, ListTaskDefinitionsCommand, ListTasksCommand, UpdateServiceCommand } from '@aws-sdk/client-ecs';
import { GetDeploymentCommand, GetDeploymentGroupCommand, ListDeploymentsCommand } from '@aws-sdk/client-codedeploy';
import { memoryLog } from '../../packages/shared/src/log.ts';
import { deployEcs, type EcsClients } from '../../actions/deploy-ecs/src/deploy.ts';
import { useBed } from '../bed/vitest.ts';
import type { MotoPart } from '../bed/types.ts';
import {
  alarm,
  blueGreenService,
  blueGreenTarget,
  type BlueGreenFixture,
  callsOf,
  clientsFor,
  cloudwatchOf,
  digestImage,
  failure,
  planFrom,
  rollingService,
  runBundle,
  until,
} from './deploy-ecs-bed.ts';

const bed = useBed(['moto']);
const timing = { minIntervalMs: 100, maxIntervalMs: 400, factor: 1.5 };

/** Clients as deploy-ecs makes them when alarms are asked: ECS, CodeDeploy and CloudWatch. */
function clientsWithAlarms(moto: MotoPart): EcsClients {
  return { ...clientsFor(moto), cloudwatch: cloudwatchOf(moto) };
}

async function fire(moto: MotoPart, name: string, account?: string): Promise<void> {
  await cloudwatchOf(moto, account).send(
    new SetAlarmStateCommand({
      AlarmName: name,
      StateValue: 'ALARM',
      StateReason: 'Threshold Crossed: 1 datapoint [42.0] was greater than 5.0',
    }),
  );
}

describe('deploy-ecs alarms, rolling (ECS deployment alarms)', () => {
  it('an alarm that fires during the rollout fails the run naming it, after ECS has put the previous task definition back', async () => {
    const fx = await rollingService(bed.moto);
    const name = await alarm(bed.moto);
    const log = memoryLog();
    const plan = await planFrom({ image: digestImage(), cluster: fx.cluster, service: fx.service, alarms: name });
    const run = failure(deployEcs(plan, clientsWithAlarms(bed.moto), { log, timing }));
    // The new tasks run: now the metric goes bad.
    await until(fx.describe, (s) => {
      const primary = s.deployments?.[0];
      return primary !== undefined && primary.taskDefinition !== fx.firstTd && (primary.runningCount ?? 0) > 0;
    });
    await fire(bed.moto, name);
    const error = await run;

    expect(error).toBeDefined();
    expect(error!.message).toContain(`CloudWatch alarm "${name}" went into ALARM during the deployment`);
    expect(error!.message).toContain(`its tasks are back on the previous task definition ${fx.firstTd.split('/').pop()}`);
    expect(error!.unchanged).toContain(`the service runs ${fx.firstTd} as before`);
    // Nothing half-done: one deployment, of the previous task definition, COMPLETED; only its tasks run.
    const service = await fx.describe();
    expect(service.taskDefinition).toBe(fx.firstTd);
    expect(service.deployments).toHaveLength(1);
    expect(service.deployments![0]).toMatchObject({ taskDefinition: fx.firstTd, rolloutState: 'COMPLETED', runningCount: 2 });
    const running = await fx.ecs.send(new ListTasksCommand({ cluster: fx.cluster, serviceName: fx.service }));
    const tasks = (await fx.ecs.send(new DescribeTasksCommand({ cluster: fx.cluster, tasks: running.taskArns! }))).tasks!;
    expect(tasks.map((t) => t.taskDefinitionArn)).toEqual([fx.firstTd, fx.firstTd]);
    // ECS's own words were seen on the way.
    expect(log.lines.some((l) => l.includes('deployment failed: alarm detected.'))).toBe(true);
    // The alarm stays on the service for the next deployment.
    expect(service.deploymentConfiguration?.alarms).toEqual({ alarmNames: [name], enable: true, rollback: true });
  });

  it('a clean rollout with alarms attached completes, and the service carries the alarm configuration beside its circuit breaker', async () => {
    const fx = await rollingService(bed.moto);
    const [first, second] = [await alarm(bed.moto), await alarm(bed.moto, 'shop-latency')];
    const log = memoryLog();
    const plan = await planFrom({
      image: digestImage(),
      cluster: fx.cluster,
      service: fx.service,
      alarms: `${first}\n${second}`,
      'alarm-rollback': 'false',
    });
    const result = await deployEcs(plan, clientsWithAlarms(bed.moto), { log, timing });

    expect(result).toMatchObject({ strategy: 'rolling', status: 'COMPLETED' });
    const service = await fx.describe();
    expect(service.deploymentConfiguration).toMatchObject({
      alarms: { alarmNames: [first, second], enable: true, rollback: false },
      deploymentCircuitBreaker: { enable: true, rollback: true },
      maximumPercent: 200,
      minimumHealthyPercent: 100,
    });
    expect(log.lines.some((l) => l.includes(`UpdateService also sets deployment alarms ${first}, ${second} (rollback off)`))).toBe(true);
  });

  it('with alarm-rollback false, ECS fails the deployment without rolling back, and the run says the failed tasks were left running', async () => {
    const fx = await rollingService(bed.moto);
    const name = await alarm(bed.moto);
    const plan = await planFrom({
      image: digestImage(),
      cluster: fx.cluster,
      service: fx.service,
      alarms: name,
      'alarm-rollback': 'false',
    });
    const run = failure(deployEcs(plan, clientsWithAlarms(bed.moto), { log: memoryLog(), timing }));
    await until(fx.describe, (s) => (s.deployments?.[0]?.runningCount ?? 0) > 0 && s.deployments?.[0]?.taskDefinition !== fx.firstTd);
    await fire(bed.moto, name);
    const error = await run;

    expect(error?.message).toContain(`FAILED: CloudWatch alarm "${name}" went into ALARM during the deployment`);
    expect(error?.message).toContain('alarm-rollback is false, so ECS did not roll back');
    const service = await fx.describe();
    expect(service.deployments?.[0]).toMatchObject({ status: 'PRIMARY', rolloutState: 'FAILED' });
    expect(service.taskDefinition).not.toBe(fx.firstTd);
  });

  it('alarms the service already has (set outside deploy-ecs) are named too when one fails the deployment', async () => {
    const fx = await rollingService(bed.moto);
    const name = await alarm(bed.moto);
    await fx.ecs.send(
      new UpdateServiceCommand({
        cluster: fx.cluster,
        service: fx.service,
        deploymentConfiguration: {
          deploymentCircuitBreaker: { enable: true, rollback: true },
          alarms: { alarmNames: [name], enable: true, rollback: true },
        },
      }),
    );
    // No alarms input: deploy-ecs makes no CloudWatch client and leaves the service's alarms as they are.
    const run = failure(
      deployEcs(await planFrom({ image: digestImage(), cluster: fx.cluster, service: fx.service }), clientsFor(bed.moto), {
        log: memoryLog(),
        timing,
      }),
    );
    await until(fx.describe, (s) => (s.deployments?.[0]?.runningCount ?? 0) > 0 && s.deployments?.[0]?.taskDefinition !== fx.firstTd);
    await fire(bed.moto, name);
    const error = await run;

    expect(error?.message).toContain(`FAILED: CloudWatch alarm "${name}" went into ALARM during the deployment`);
    expect(error?.message).toContain(`its tasks are back on the previous task definition ${fx.firstTd.split('/').pop()}`);
  });

  it('an alarm already in ALARM when the deployment starts is only a warning: ECS does not fail the deployment for it', async () => {
    const fx = await rollingService(bed.moto);
    const name = await alarm(bed.moto);
    await fire(bed.moto, name);
    const log = memoryLog();
    const result = await deployEcs(
      await planFrom({ image: digestImage(), cluster: fx.cluster, service: fx.service, alarms: name }),
      clientsWithAlarms(bed.moto),
      {
        log,
        timing,
      },
    );
    expect(result.status).toBe('COMPLETED');
    expect(log.lines.some((l) => l.includes(`alarm "${name}" is in ALARM already`))).toBe(true);
  });

  it('an alarm that does not exist is refused naming the input, before anything is registered or updated', async () => {
    const fx = await rollingService(bed.moto);
    const known = await alarm(bed.moto);
    const since = Date.now();
    const plan = await planFrom({ image: digestImage(), cluster: fx.cluster, service: fx.service, alarms: `${known}, shop-typo-alarm` });
    const error = await failure(deployEcs(plan, clientsWithAlarms(bed.moto), { log: memoryLog(), timing }));

    expect(error?.message).toBe('input \'alarms\': CloudWatch alarm "shop-typo-alarm" does not exist in this account and region');
    expect(error?.input).toBe('alarms');
    expect(error?.unchanged).toBe('nothing was registered or deployed');
    const families = await fx.ecs.send(new ListTaskDefinitionsCommand({ familyPrefix: fx.family }));
    expect(families.taskDefinitionArns).toEqual([fx.firstTd]);
    expect(await callsOf(bed.moto, 'RegisterTaskDefinition', since)).toHaveLength(0);
    expect(await callsOf(bed.moto, 'UpdateService', since)).toHaveLength(0);
    expect((await fx.describe()).deploymentConfiguration?.alarms).toBeUndefined();
  });

  it('an alarm of the environment file that does not exist is refused naming the key', async () => {
    const fx = await rollingService(bed.moto);
    const workspace = mkdtempSync(join(tmpdir(), 'alarms-ws-'));
    mkdirSync(join(workspace, '.github'));
    writeFileSync(
      join(workspace, '.github/expeditor.yml'),
      [
        'app: shop',
        'image: { repository: 127.0.0.1:5000/shop/app }',
        'environments:',
        '  dev:',
        `    aws: { account: "${bed.moto.defaultAccount}", region: ${bed.moto.region}, role: "arn:aws:iam::${bed.moto.defaultAccount}:role/deploy" }`,
        `    ecs: { cluster: ${fx.cluster}, service: ${fx.service}, alarms: [shop-missing-alarm] }`,
        '',
      ].join('\n'),
    );
    const plan = await planFrom({ image: digestImage(), environment: 'dev' }, workspace);
    const error = await failure(deployEcs(plan, clientsWithAlarms(bed.moto), { log: memoryLog(), timing }));

    expect(error?.message).toBe(
      `environments.dev.ecs.alarms: CloudWatch alarm "shop-missing-alarm" does not exist in this account and region`,
    );
    expect((error as { key?: string } | undefined)?.key).toBe('environments.dev.ecs.alarms');
    expect((await fx.describe()).taskDefinition).toBe(fx.firstTd);
  });
});

/**
 * A canary deployment of a blue/green fixture watched by `name`; the alarm fires once green takes
 * its 10 %. Returns the run's error, the log and the CodeDeploy deployment's id.
 */
async function canaryStoppedByAlarm(fx: BlueGreenFixture, name: string, inputs: Record<string, string> = {}) {
  const log = memoryLog();
  const plan = await planFrom({
    image: digestImage('127.0.0.1:5000/shop/web'),
    ...blueGreenTarget(fx),
    'deployment-config': 'CodeDeployDefault.ECSCanary10Percent5Minutes',
    alarms: name,
    ...inputs,
  });
  const run = failure(deployEcs(plan, clientsWithAlarms(bed.moto), { log, timing }));
  const id = await until(
    async () =>
      (await fx.codedeploy.send(new ListDeploymentsCommand({ applicationName: fx.application, deploymentGroupName: fx.group })))
        .deployments?.[0],
    (d) => d !== undefined,
  );
  await until(
    async () => log.lines,
    (lines) => lines.some((l) => /traffic: blue 90% · green 10%/.test(l)),
  );
  await fire(bed.moto, name);
  return { error: await run, log, id };
}

describe('deploy-ecs alarms, blue/green (the CodeDeploy group’s alarms)', () => {
  it('an alarm that fires during the canary stops the deployment (ALARM_ACTIVE), and the run fails naming it once traffic is back on blue', async () => {
    const fx = await blueGreenService(bed.moto);
    const name = await alarm(bed.moto);
    const { error, id } = await canaryStoppedByAlarm(fx, name);

    expect(error).toBeDefined();
    expect(error!.message).toContain(`CodeDeploy deployment ${id} was stopped: CloudWatch alarm "${name}" went into ALARM (ALARM_ACTIVE)`);
    expect(error!.message).toMatch(/Rollback deployment d-\w+ Succeeded: production traffic is back on the original \(blue\) task set/);
    expect(error!.message).toContain(fx.blueTd);
    const stopped = (await fx.codedeploy.send(new GetDeploymentCommand({ deploymentId: id! }))).deploymentInfo!;
    expect(stopped.status).toBe('Stopped');
    expect(stopped.errorInformation?.code).toBe('ALARM_ACTIVE');
    expect(stopped.errorInformation?.message).toContain(`Activated alarms: ${name}`);
    const rollback = (await fx.codedeploy.send(new GetDeploymentCommand({ deploymentId: stopped.rollbackInfo!.rollbackDeploymentId! })))
      .deploymentInfo!;
    expect(rollback.status).toBe('Succeeded');
    expect((await fx.describe()).taskDefinition).toBe(fx.blueTd);
    // The group keeps the alarm and rolls back on it, beside its other rollback events.
    const group = (
      await fx.codedeploy.send(new GetDeploymentGroupCommand({ applicationName: fx.application, deploymentGroupName: fx.group }))
    ).deploymentGroupInfo!;
    expect(group.alarmConfiguration).toEqual({ enabled: true, ignorePollAlarmFailure: false, alarms: [{ name }] });
    expect(group.autoRollbackConfiguration).toEqual({
      enabled: true,
      events: ['DEPLOYMENT_FAILURE', 'DEPLOYMENT_STOP_ON_REQUEST', 'DEPLOYMENT_STOP_ON_ALARM'],
    });
  });

  it('with alarm-rollback false the group does not roll back on the alarm: the run fails naming it and says no rollback ran', async () => {
    const fx = await blueGreenService(bed.moto);
    const name = await alarm(bed.moto);
    const { error } = await canaryStoppedByAlarm(fx, name, { 'alarm-rollback': 'false' });

    expect(error?.message).toContain(`was stopped: CloudWatch alarm "${name}" went into ALARM (ALARM_ACTIVE).`);
    expect(error?.message).toMatch(
      /The group does not roll back on alarms \(alarm-rollback is false\); no rollback ran: traffic: blue 90% · green 10%/,
    );
    expect(error?.next).toContain('bluegreen-switch (action rollback)');
    const group = (
      await fx.codedeploy.send(new GetDeploymentGroupCommand({ applicationName: fx.application, deploymentGroupName: fx.group }))
    ).deploymentGroupInfo!;
    expect(group.autoRollbackConfiguration?.events).toEqual(['DEPLOYMENT_FAILURE', 'DEPLOYMENT_STOP_ON_REQUEST']);
  });

  it('an alarm that does not exist is refused before anything is registered, and the group is left as it was', async () => {
    const fx = await blueGreenService(bed.moto);
    const since = Date.now();
    const plan = await planFrom({ image: digestImage('127.0.0.1:5000/shop/web'), ...blueGreenTarget(fx), alarms: 'shop-no-such-alarm' });
    const error = await failure(deployEcs(plan, clientsWithAlarms(bed.moto), { log: memoryLog(), timing }));

    expect(error?.message).toContain(`input 'alarms': CloudWatch alarm "shop-no-such-alarm" does not exist`);
    expect(await callsOf(bed.moto, 'RegisterTaskDefinition', since)).toHaveLength(0);
    expect(await callsOf(bed.moto, 'UpdateDeploymentGroup', since)).toHaveLength(0);
    expect(await callsOf(bed.moto, 'CreateDeployment', since)).toHaveLength(0);
  });
});

describe('deploy-ecs alarms (bundle)', () => {
  const account = '333333333333';

  it('an alarm that fires during the bake time fails the step naming it, the tasks back on the previous task definition', async () => {
    const fx = await rollingService(bed.moto, { account });
    const name = await alarm(bed.moto, 'shop-5xx', account);
    // A bake time of ~20 s instead of ~2 s: the alarm fires in it, as it would minutes into a real one.
    const { timing: before } = await bed.moto.control<{ timing: Record<string, number> }>('speed', {});
    await bed.moto.control('speed', { timing: { ecsBakeTime: 600 } });
    try {
      const run = runBundle(
        'deploy-ecs',
        { image: digestImage(), cluster: fx.cluster, service: fx.service, alarms: name },
        bed.moto.env(account),
      );
      await until(
        fx.describe,
        (s) =>
          s.deployments?.length === 1 && s.deployments[0]?.taskDefinition !== fx.firstTd && (s.deployments[0]?.runningCount ?? 0) === 2,
      );
      await fire(bed.moto, name, account);
      const done = await run;
      expect(done.status).toBe(1);
      expect(done.stdout).toMatch(
        new RegExp(
          `::error::deploy-ecs: ECS deployment ecs-svc/\\d+ of \\S+:2 FAILED: CloudWatch alarm "${name}" went into ALARM during the deployment`,
        ),
      );
      expect(done.stdout).toContain(`its tasks are back on the previous task definition ${fx.firstTd.split('/').pop()}`);
      expect(done.summary).toContain('deploy-ecs failed');
      expect(done.summary).toContain(name);
      expect((await fx.describe()).deployments).toEqual([
        expect.objectContaining({ taskDefinition: fx.firstTd, rolloutState: 'COMPLETED' }),
      ]);
    } finally {
      await bed.moto.control('speed', { timing: { ecsBakeTime: before.ecsBakeTime } });
    }
  });

  it('an unknown alarm is refused through the bundle before any write, naming the input', async () => {
    const fx = await rollingService(bed.moto, { account });
    const since = Date.now();
    const run = await runBundle(
      'deploy-ecs',
      { image: digestImage(), cluster: fx.cluster, service: fx.service, alarms: 'shop-nonexistent' },
      bed.moto.env(account),
    );
    expect(run.status).toBe(1);
    expect(run.stdout).toContain(`input 'alarms': CloudWatch alarm "shop-nonexistent" does not exist in this account and region`);
    expect(await callsOf(bed.moto, 'RegisterTaskDefinition', since, account)).toHaveLength(0);
    expect(await callsOf(bed.moto, 'DescribeAlarms', since, account)).toHaveLength(1);
  });
});
