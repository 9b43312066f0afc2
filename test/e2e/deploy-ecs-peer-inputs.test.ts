// deploy-ecs's inputs shared with aws-actions/amazon-ecs-deploy-task-definition v2, on the bed's
// moto: the one-off task before the service update (its RunTask tasks run and exit as in AWS,
// test/bed/moto/bed_ecs_run.py, and can be made to exit non-zero), register-only, desired count,
// force-new-deployment, tags and managed EBS volumes on UpdateService, the CodeDeploy description,
// and bad values refused before any request. The core function directly, and the committed bundle.
import { describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DescribeTasksCommand, ListTaskDefinitionsCommand } from '@aws-sdk/client-ecs';
import { GetDeploymentCommand } from '@aws-sdk/client-codedeploy';
import { memoryLog } from '../../packages/shared/src/log.ts';
import { withDeadline } from '../../packages/shared/src/deadline.ts';
import { recordedPreviousTaskDefinition } from '../../packages/codedeploy/src/description.ts';
import { deployEcs } from '../../actions/deploy-ecs/src/deploy.ts';
import { useBed } from '../bed/vitest.ts';
import type { MotoPart } from '../bed/types.ts';
import {
  blueGreenService,
  blueGreenTarget,
  callsOf,
  clientsFor,
  digestImage,
  failure,
  planFrom,
  rollingService,
  runBundle,
  until,
} from './deploy-ecs-bed.ts';

const bed = useBed(['moto']);
const timing = { minIntervalMs: 100, maxIntervalMs: 400, factor: 1.5 };

function workspace(files: Record<string, string>): string {
  const ws = mkdtempSync(join(tmpdir(), 'peer-ws-'));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(ws, name), text);
  return ws;
}

/** The fixture's family with the app container logging to CloudWatch (and a volume configured at launch). */
function taskDefinitionFile(family: string): string {
  return JSON.stringify({
    family,
    volumes: [{ name: 'data', configuredAtLaunch: true }],
    containerDefinitions: [
      {
        name: 'app',
        image: '127.0.0.1:5000/shop/app:1',
        memory: 128,
        essential: true,
        portMappings: [{ containerPort: 8080 }],
        logConfiguration: {
          logDriver: 'awslogs',
          options: { 'awslogs-group': '/ecs/shop', 'awslogs-region': 'us-west-2', 'awslogs-stream-prefix': 'ecs' },
        },
      },
      { name: 'log-router', image: 'public.ecr.aws/aws-observability/aws-for-fluent-bit:stable', memory: 64, essential: false },
    ],
  });
}

/** Every AWS call the bed recorded since `since` with `account`'s key (any action). */
async function allCalls(moto: MotoPart, since: number, account: string): Promise<string[]> {
  const key = moto.clientConfig(account).credentials.accessKeyId;
  const answer = await moto.control<{ calls: { action: string; accessKeyId?: string }[] }>('calls', { since });
  return answer.calls.filter((c) => c.accessKeyId === key).map((c) => c.action);
}

describe('deploy-ecs run-task: the one-off task before the service update (core)', () => {
  it('runs the new task definition with the command, waits until it exits 0, then deploys the service', async () => {
    const fx = await rollingService(bed.moto);
    const since = Date.now();
    const log = memoryLog();
    const plan = await planFrom({
      image: digestImage(),
      cluster: fx.cluster,
      service: fx.service,
      'run-task': 'true',
      'run-task-command': 'npm run "db migrate"',
      'run-task-launch-type': 'EC2',
      'run-task-started-by': 'migration',
      'run-task-tags': '[{"key": "purpose", "value": "migration"}]',
      'enable-ecs-managed-tags': 'true',
    });
    const result = await deployEcs(plan, clientsFor(bed.moto), { log, timing });
    const calls = await bed.moto.control<{ calls: { action: string; at: number }[] }>('calls', { since });

    expect(result).toMatchObject({ strategy: 'rolling', status: 'COMPLETED' });
    expect(result.runTask).toMatchObject({ status: 'STOPPED' });
    expect(result.runTask!.taskArns).toHaveLength(1);
    const task = (await fx.ecs.send(new DescribeTasksCommand({ cluster: fx.cluster, tasks: result.runTask!.taskArns, include: ['TAGS'] })))
      .tasks![0]!;
    // The NEW task definition, the command on the deployed container, as asked.
    expect(task).toMatchObject({ taskDefinitionArn: result.taskDefinitionArn, startedBy: 'migration', lastStatus: 'STOPPED' });
    expect(task.overrides?.containerOverrides).toEqual([{ name: 'app', command: ['npm', 'run', 'db migrate'] }]);
    expect(task.tags).toEqual(
      expect.arrayContaining([
        { key: 'purpose', value: 'migration' },
        { key: 'aws:ecs:clusterName', value: fx.cluster },
      ]),
    );
    // The service was updated only after the task had stopped.
    const order = calls.calls.map((c) => c.action).filter((a) => ['RegisterTaskDefinition', 'RunTask', 'UpdateService'].includes(a));
    expect(order).toEqual(['RegisterTaskDefinition', 'RunTask', 'UpdateService']);
    const at = (action: string) => calls.calls.filter((c) => c.action === action).map((c) => c.at);
    expect(at('DescribeTasks').length).toBeGreaterThan(0);
    expect(Math.max(...at('DescribeTasks'))).toBeLessThanOrEqual(at('UpdateService')[0]!);
    expect(Math.min(...at('DescribeTasks'))).toBeGreaterThanOrEqual(at('RunTask')[0]!);
    expect((await fx.describe()).taskDefinition).toBe(result.taskDefinitionArn);
    // One line per state change, not per poll.
    const states = log.lines.map((l) => l.trim()).filter((l) => /^task [0-9a-f]+: /.test(l));
    expect(states.some((l) => l.includes(': RUNNING'))).toBe(true);
    expect(states.some((l) => /: STOPPED \(app exited 0, log-router exited 0\)/.test(l))).toBe(true);
    expect(new Set(states).size).toBe(states.length);
  });

  it('a migration that exits 3 fails the run naming the container, the exit code, the reason and its logs; the service keeps the old task definition', async () => {
    const fx = await rollingService(bed.moto);
    const ws = workspace({ 'td.json': taskDefinitionFile(fx.family) });
    await bed.moto.control('fault/ecs-run', { family: fx.family, exitCode: 3 });
    const since = Date.now();
    const plan = await planFrom(
      {
        image: digestImage(),
        cluster: fx.cluster,
        service: fx.service,
        'task-definition': 'td.json',
        'run-task': 'true',
        'run-task-container-overrides':
          '[{"name": "app", "command": ["./migrate"], "environment": [{"name": "MODE", "value": "migrate"}]}]',
        'run-task-launch-type': 'EC2',
      },
      ws,
    );
    const error = await failure(deployEcs(plan, clientsFor(bed.moto), { log: memoryLog(), timing }));
    expect(error).toBeDefined();
    const id = /task ([0-9a-f]{32}): container app exited with code 3/.exec(error!.message)?.[1];
    expect(id, error!.message).toBeDefined();
    expect(error!.message).toContain('stopped reason: EssentialContainerExited: Essential container in task exited');
    expect(error!.message).toContain(
      `logs: https://us-west-2.console.aws.amazon.com/cloudwatch/home?region=us-west-2#logsV2:log-groups/log-group/$252Fecs$252Fshop/log-events/ecs$252Fapp$252F${id}`,
    );
    // The non-essential sidecar exited 0 and is not blamed.
    expect(error!.message).not.toContain('log-router');
    expect(error!.unchanged).toContain(`the service was not updated: it still runs ${fx.firstTd}`);
    expect((await fx.describe()).taskDefinition).toBe(fx.firstTd);
    expect(await callsOf(bed.moto, 'UpdateService', since)).toHaveLength(0);
  });

  it('on its deadline, stops the one-off task (StopTask), says so, and leaves the service alone', async () => {
    const fx = await rollingService(bed.moto);
    await bed.moto.control('speed', { timing: { ecsRunTaskRun: 600 } });
    try {
      const since = Date.now();
      const log = memoryLog();
      const plan = await planFrom({
        image: digestImage(),
        cluster: fx.cluster,
        service: fx.service,
        'run-task': 'true',
        'run-task-launch-type': 'EC2',
      });
      const error = await failure(deployEcs(plan, clientsFor(bed.moto), { log, timing, signal: withDeadline(undefined, 2500) }));
      expect(error?.message).toMatch(
        /the one-off task of \S+:2 did not stop within 2\.5 s; deploy-ecs stopped task [0-9a-f]{32} \(StopTask\)/,
      );
      expect(error?.unchanged).toContain('the service was not updated');
      expect(log.lines.some((l) => /^\s*stopped task [0-9a-f]{32} \(StopTask\): the run did not stop within 2\.5 s/.test(l))).toBe(true);
      expect(await callsOf(bed.moto, 'StopTask', since)).toHaveLength(1);
      expect(await callsOf(bed.moto, 'UpdateService', since)).toHaveLength(0);
      const arn = (await bed.moto.control<{ calls: unknown[] }>('calls', { action: 'RunTask', since })).calls.length;
      expect(arn).toBe(1);
      expect((await fx.describe()).taskDefinition).toBe(fx.firstTd);
    } finally {
      await bed.moto.control('speed', { timing: { ecsRunTaskRun: 30 } });
    }
  });
});

describe('deploy-ecs register-only and UpdateService settings (core)', () => {
  it('with no service, registers the task definition file only, says so, and touches no service', async () => {
    const fx = await rollingService(bed.moto);
    const ws = workspace({ 'td.json': taskDefinitionFile(fx.family) });
    const since = Date.now();
    const log = memoryLog();
    const plan = await planFrom({ image: digestImage(), 'task-definition': 'td.json' }, ws);
    const result = await deployEcs(plan, clientsFor(bed.moto), { log, timing });
    expect(result).toMatchObject({
      strategy: 'register-only',
      status: 'REGISTERED',
      deploymentId: '',
      previousTaskDefinitionArn: undefined,
    });
    expect(result.taskDefinitionArn).toMatch(new RegExp(`task-definition/${fx.family}:2$`));
    expect(result.consoleUrl).toBe(
      `https://us-west-2.console.aws.amazon.com/ecs/v2/task-definitions/${fx.family}/2/containers?region=us-west-2`,
    );
    expect(log.lines).toContain('registered only: no service given, so nothing was deployed');
    expect(await allCalls(bed.moto, since, bed.moto.defaultAccount)).toEqual(['RegisterTaskDefinition']);
    expect((await fx.describe()).taskDefinition).toBe(fx.firstTd);
  });

  it('desired-count, force-new-deployment, propagate-tags and managed tags reach the service and its tasks; the managed EBS volume its deployment', async () => {
    const fx = await rollingService(bed.moto, { desired: 1 });
    const ws = workspace({ 'td.json': taskDefinitionFile(fx.family) });
    const plan = await planFrom(
      {
        image: digestImage(),
        cluster: fx.cluster,
        service: fx.service,
        'task-definition': 'td.json',
        'desired-count': '3',
        'force-new-deployment': 'true',
        'propagate-tags': 'SERVICE',
        'enable-ecs-managed-tags': 'true',
        'service-managed-ebs-volume-name': 'data',
        'service-managed-ebs-volume': `{"roleArn": "arn:aws:iam::${bed.moto.defaultAccount}:role/ecsInfrastructureRole", "sizeInGiB": 20, "volumeType": "gp3", "throughput": 250}`,
      },
      ws,
    );
    const log = memoryLog();
    const result = await deployEcs(plan, clientsFor(bed.moto), { log, timing });
    expect(result).toMatchObject({ status: 'COMPLETED', runningCount: 3, desiredCount: 3 });
    expect(log.lines.map((l) => l.trim())).toContain(
      'UpdateService also sets desired count 3, force new deployment, ECS managed tags on, propagate tags SERVICE, managed EBS volume data (gp3, 20 GiB)',
    );
    const service = await fx.describe();
    expect(service).toMatchObject({ desiredCount: 3, propagateTags: 'SERVICE', enableECSManagedTags: true });
    expect(service.deployments![0]!.volumeConfigurations).toEqual([
      {
        name: 'data',
        managedEBSVolume: {
          roleArn: `arn:aws:iam::${bed.moto.defaultAccount}:role/ecsInfrastructureRole`,
          sizeInGiB: 20,
          volumeType: 'gp3',
          throughput: 250,
        },
      },
    ]);
    const { ListTasksCommand } = await import('@aws-sdk/client-ecs');
    const arns = (await fx.ecs.send(new ListTasksCommand({ cluster: fx.cluster, serviceName: fx.service }))).taskArns!;
    const tasks = (await fx.ecs.send(new DescribeTasksCommand({ cluster: fx.cluster, tasks: arns, include: ['TAGS'] }))).tasks!;
    expect(tasks).toHaveLength(3);
    for (const task of tasks) {
      expect(task.tags).toEqual(
        expect.arrayContaining([
          { key: 'aws:ecs:serviceName', value: fx.service },
          { key: 'aws:ecs:clusterName', value: fx.cluster },
        ]),
      );
    }
  });

  it('blue/green: desired count and tag settings before the CodeDeploy deployment, the description before the record bluegreen-switch reads', async () => {
    const fx = await blueGreenService(bed.moto);
    const since = Date.now();
    const plan = await planFrom({
      image: digestImage('127.0.0.1:5000/shop/web'),
      ...blueGreenTarget(fx),
      'desired-count': '3',
      'propagate-tags': 'TASK_DEFINITION',
      'codedeploy-deployment-description': 'release 2024.06 (ticket SHOP-42)',
      'wait-until': 'none',
    });
    const result = await deployEcs(plan, clientsFor(bed.moto), { log: memoryLog(), timing });
    expect(result.status).toBe('Created');
    expect(await fx.describe()).toMatchObject({ desiredCount: 3, propagateTags: 'TASK_DEFINITION' });
    const deployment = (await fx.codedeploy.send(new GetDeploymentCommand({ deploymentId: result.deploymentId }))).deploymentInfo!;
    expect(deployment.description).toMatch(/^release 2024\.06 \(ticket SHOP-42\); Expeditor deploy-ecs: /);
    expect(recordedPreviousTaskDefinition(deployment.description)).toBe(fx.blueTd);
    const update = (await bed.moto.control<{ calls: { at: number }[] }>('calls', { action: 'UpdateService', since })).calls;
    const create = (await bed.moto.control<{ calls: { at: number }[] }>('calls', { action: 'CreateDeployment', since })).calls;
    expect(update).toHaveLength(1);
    expect(update[0]!.at).toBeLessThanOrEqual(create[0]!.at);
  });

  it('blue/green: force-new-deployment and a managed EBS volume are refused before anything is registered (ECS refuses them for CODE_DEPLOY)', async () => {
    const fx = await blueGreenService(bed.moto);
    const since = Date.now();
    await expect(
      deployEcs(await planFrom({ image: digestImage(), ...blueGreenTarget(fx), 'force-new-deployment': 'true' }), clientsFor(bed.moto), {
        log: memoryLog(),
      }),
    ).rejects.toThrow(`input 'force-new-deployment': service ${fx.service} deploys blue/green through CodeDeploy (CODE_DEPLOY controller)`);
    await expect(
      deployEcs(
        await planFrom({
          image: digestImage(),
          ...blueGreenTarget(fx),
          'service-managed-ebs-volume-name': 'data',
          'service-managed-ebs-volume': `{"roleArn": "arn:aws:iam::${bed.moto.defaultAccount}:role/ecsInfrastructureRole", "sizeInGiB": 20}`,
        }),
        clientsFor(bed.moto),
        { log: memoryLog() },
      ),
    ).rejects.toThrow(/^input 'service-managed-ebs-volume-name': service \S+ deploys blue\/green through CodeDeploy/);
    expect(await callsOf(bed.moto, 'RegisterTaskDefinition', since)).toHaveLength(0);
    const families = await fx.ecs.send(new ListTaskDefinitionsCommand({ familyPrefix: fx.family }));
    expect(families.taskDefinitionArns).toEqual([fx.blueTd]);
  });

  it('a volume the task definition does not configure at launch, or a Fargate one-off task of a bridge task definition, is refused before any write', async () => {
    const fx = await rollingService(bed.moto);
    const since = Date.now();
    await expect(
      deployEcs(
        await planFrom({
          image: digestImage(),
          cluster: fx.cluster,
          service: fx.service,
          'service-managed-ebs-volume-name': 'data',
          'service-managed-ebs-volume': `{"roleArn": "arn:aws:iam::${bed.moto.defaultAccount}:role/ecsInfrastructureRole", "sizeInGiB": 20}`,
        }),
        clientsFor(bed.moto),
        { log: memoryLog() },
      ),
    ).rejects.toThrow(`input 'service-managed-ebs-volume-name': the task definition has no volume "data" and no volume configuredAtLaunch`);
    await expect(
      deployEcs(
        await planFrom({
          image: digestImage(),
          cluster: fx.cluster,
          service: fx.service,
          'run-task': 'true',
          'run-task-launch-type': 'FARGATE',
        }),
        clientsFor(bed.moto),
        { log: memoryLog() },
      ),
    ).rejects.toThrow(
      "input 'run-task-launch-type': the one-off task would run on launch type FARGATE, and Fargate takes only task definitions with the awsvpc network mode",
    );
    expect(await callsOf(bed.moto, 'RegisterTaskDefinition', since)).toHaveLength(0);
    expect(await callsOf(bed.moto, 'RunTask', since)).toHaveLength(0);
  });
});

describe('deploy-ecs peer inputs (bundle)', () => {
  const account = '222222222222';

  it('bad values are refused together, each naming its input, before any request', async () => {
    const since = Date.now();
    const run = await runBundle(
      'deploy-ecs',
      {
        image: digestImage(),
        cluster: 'shop',
        service: 'web',
        'desired-count': '-1',
        'propagate-tags': 'ALL',
        'service-managed-ebs-volume-name': 'data',
        'service-managed-ebs-volume': '{"sizeInGiB": 20, "volumeType": "st1", "throughput": 300, "colour": "red"}',
        'codedeploy-deployment-description': 'rollback to previous task definition: arn:aws:ecs:us-west-2:1:task-definition/x:1',
        'run-task': 'true',
        'run-task-container-overrides': '[{"name": "app", "command": "migrate"}]',
        'run-task-count': '11',
        'run-task-launch-type': 'EC2',
        'run-task-capacity-provider-strategy': '[{"capacityProvider": "FARGATE_SPOT", "weight": 1}]',
        'run-task-assign-public-ip': 'ENABLED',
        'run-task-command': 'npm run "migrate',
      },
      bed.moto.env(account),
    );
    expect(run.status).toBe(1);
    for (const expected of [
      "input 'desired-count': must be at least 0, got -1",
      'input \'propagate-tags\': expected one of SERVICE, TASK_DEFINITION, NONE, got "ALL"',
      'input \'service-managed-ebs-volume\': unknown key "colour"',
      "input 'service-managed-ebs-volume': roleArn: is required",
      "input 'codedeploy-deployment-description': must not contain 'previous task definition:'",
      'input \'run-task-container-overrides\': [0].command: expected a list, got the string "migrate"',
      "input 'run-task-count': must be at most 10, got 11",
      "input 'run-task-launch-type': cannot be given with run-task-capacity-provider-strategy",
      "input 'run-task-assign-public-ip': applies only with run-task-subnets",
      "input 'run-task-command': unbalanced \" quote",
    ]) {
      expect(run.stdout).toContain(expected);
    }
    expect(await allCalls(bed.moto, since, account)).toEqual([]);
  });

  it('a failing migration through the bundle: exit code 1, the container and exit code named, run-task-arn output, the service untouched', async () => {
    const fx = await rollingService(bed.moto, { account });
    await bed.moto.control('fault/ecs-run', { family: fx.family, exitCode: 3, account });
    const since = Date.now();
    const run = await runBundle(
      'deploy-ecs',
      {
        image: digestImage(),
        cluster: fx.cluster,
        service: fx.service,
        'run-task': 'true',
        'run-task-command': '["./migrate", "--all"]',
        'run-task-launch-type': 'EC2',
      },
      bed.moto.env(account),
    );
    expect(run.status, run.stdout + run.stderr).toBe(1);
    expect(run.stdout).toMatch(/::group::One-off task of \S+:2/);
    expect(run.stdout).toMatch(/task [0-9a-f]{32}: container app exited with code 3; stopped reason: EssentialContainerExited/);
    expect(run.stdout).toMatch(/the service was not updated: it still runs \S+:1/);
    expect(run.summary).toContain('deploy-ecs failed');
    expect(await callsOf(bed.moto, 'UpdateService', since, account)).toHaveLength(0);
    expect((await fx.describe()).taskDefinition).toBe(fx.firstTd);
  });

  it('registers only through the bundle, after a one-off task: outputs, "registered only" in the log and the summary', async () => {
    const fx = await rollingService(bed.moto, { account });
    const ws = workspace({ 'td.json': taskDefinitionFile(fx.family) });
    const since = Date.now();
    const run = await runBundle(
      'deploy-ecs',
      { image: digestImage(), cluster: fx.cluster, 'task-definition': 'td.json', 'run-task': 'true', 'run-task-launch-type': 'EC2' },
      bed.moto.env(account),
      { workspace: ws },
    );
    expect(run.status, run.stdout + run.stderr).toBe(0);
    expect(run.outputs.status).toBe('REGISTERED');
    expect(run.outputs['task-definition-arn']).toMatch(new RegExp(`:${account}:task-definition/${fx.family}:2$`));
    expect(run.outputs['run-task-arn']).toMatch(new RegExp(`^arn:aws:ecs:us-west-2:${account}:task/${fx.cluster}/[0-9a-f]{32}$`));
    expect(run.outputs['deployment-id']).toBe('');
    expect(run.stdout).toContain('registered only: no service given, so nothing was deployed (one-off task');
    expect(run.summary).toContain('## deploy-ecs registered only');
    expect(run.summary).toContain('registered only: no service was given, nothing was deployed');
    const actions = await allCalls(bed.moto, since, account);
    expect(actions).not.toContain('DescribeServices');
    expect(actions).not.toContain('UpdateService');
    expect((await fx.describe()).taskDefinition).toBe(fx.firstTd);
  });
});

describe('deploy-ecs peer inputs: waiting, the task definition file, the AppSpec, retries (core)', () => {
  const planProblems = async (inputs: Record<string, string>, ws?: string): Promise<string[]> => {
    try {
      await planFrom(inputs, ws);
      return [];
    } catch (error) {
      const problems = (error as { problems?: { message: string }[] }).problems;
      return problems ? problems.map((p) => p.message) : [(error as Error).message];
    }
  };

  it('wait-for-service-stability false returns once the deployment started (wait-until none); true follows it to COMPLETED within wait-for-minutes', async () => {
    const fx = await rollingService(bed.moto);
    const started = await deployEcs(
      await planFrom({ image: digestImage(), cluster: fx.cluster, service: fx.service, 'wait-for-service-stability': 'false' }),
      clientsFor(bed.moto),
      { log: memoryLog(), timing },
    );
    expect(started).toMatchObject({ status: 'IN_PROGRESS' });
    expect((await fx.describe()).taskDefinition).toBe(started.taskDefinitionArn);
    // ECS finishes it without us; the next deployment starts from a settled service.
    await until(fx.describe, (s) => s.deployments?.length === 1 && s.deployments[0]?.rolloutState === 'COMPLETED');

    const plan = await planFrom({
      image: digestImage(),
      cluster: fx.cluster,
      service: fx.service,
      'wait-for-service-stability': 'true',
      'wait-for-minutes': '45',
      timeout: '30m', // the runner passes timeout's default whether or not the workflow set it
    });
    expect(plan).toMatchObject({ waitUntil: 'succeeded', timeoutMs: 45 * 60_000 });
    const completed = await deployEcs(plan, clientsFor(bed.moto), { log: memoryLog(), timing });
    expect(completed).toMatchObject({ status: 'COMPLETED' });
    expect((await fx.describe()).deployments).toEqual([expect.objectContaining({ id: completed.deploymentId, rolloutState: 'COMPLETED' })]);
  });

  it('refuses what contradicts deploy-ecs’s own inputs, and the inputs its design covers otherwise, saying what to use', async () => {
    const base = { image: digestImage(), cluster: 'shop', service: 'web' };
    expect(await planProblems({ ...base, 'wait-for-service-stability': 'false', 'wait-until': 'succeeded' })).toContain(
      "input 'wait-for-service-stability': is false, which means wait-until: none, but wait-until is succeeded",
    );
    expect(await planProblems({ ...base, 'wait-for-minutes': '20', timeout: '10m' })).toContain(
      "input 'wait-for-minutes': cannot be given with timeout (10m): both set the deadline",
    );
    expect(await planProblems({ ...base, 'wait-for-minutes': '361' })).toContain("input 'wait-for-minutes': must be at most 360, got 361");
    const refused = await planProblems({ ...base, 'max-retries': '5', 'wait-max-delay-seconds': '15' });
    expect(refused[0]).toMatch(
      /^input 'max-retries': is amazon-ecs-deploy-task-definition's count of AWS SDK attempts; deploy-ecs retries each call itself/,
    );
    expect(refused[1]).toMatch(/^input 'wait-max-delay-seconds': sets the peer’s polling delay; deploy-ecs paces its own polls/);
    expect(await planProblems({ ...base, appspec: 'a.yaml', 'codedeploy-appspec': 'b.yaml' })).toContain(
      `input 'codedeploy-appspec': names "b.yaml" and 'appspec' names "a.yaml": give one of them (codedeploy-appspec is amazon-ecs-deploy-task-definition's name for appspec)`,
    );
    expect(
      (await planFrom({ ...base, 'codedeploy-deployment-config': 'CodeDeployDefault.ECSLinear10PercentEvery1Minutes' })).codedeploy
        .deploymentConfig,
    ).toBe('CodeDeployDefault.ECSLinear10PercentEvery1Minutes');
    // With no service (register only), the peer's names are refused under their own names.
    expect((await planProblems({ image: digestImage(), 'task-definition': 'td.json', 'wait-for-service-stability': 'true' }))[0]).toMatch(
      /^input 'wait-for-service-stability': no service is given, so deploy-ecs only registers the task definition/,
    );
    expect((await planProblems({ image: digestImage(), 'task-definition': 'td.json', 'codedeploy-appspec': 'appspec.yaml' }))[0]).toMatch(
      /^input 'codedeploy-appspec': no service is given/,
    );
    expect(await planProblems({ ...base, 'keep-null-value-keys': 'pidMode' })).toEqual([
      "input 'keep-null-value-keys': applies to a task definition file, and none is given (the service's current task definition has no empty values to keep)",
    ]);
  });

  it('keep-null-value-keys keeps the empty values named and registers them; one ECS rejects is refused at its key and line, nothing registered', async () => {
    const fx = await rollingService(bed.moto);
    const file = (extra: Record<string, unknown>) => {
      const td = JSON.parse(taskDefinitionFile(fx.family)) as { containerDefinitions: Record<string, unknown>[] };
      td.containerDefinitions[0]!.command = [];
      return JSON.stringify({ ...td, ipcMode: '', ...extra }, null, 2);
    };
    const ws = workspace({ 'kept.json': file({}), 'bad.json': file({ pidMode: '' }) });
    const plan = await planFrom(
      { image: digestImage(), cluster: fx.cluster, service: fx.service, 'task-definition': 'kept.json', 'keep-null-value-keys': 'command' },
      ws,
    );
    expect(plan.template?.input.containerDefinitions?.[0]?.command).toEqual([]);
    expect(plan.template?.dropped).toEqual(['ipcMode']);
    const log = memoryLog();
    const kept = await deployEcs(plan, clientsFor(bed.moto), { log, timing });
    expect(kept.status).toBe('COMPLETED');
    expect(log.lines.some((l) => l.includes('left out empty values ECS would reject: ipcMode'))).toBe(true);

    const since = Date.now();
    await expect(
      planFrom(
        {
          image: digestImage(),
          cluster: fx.cluster,
          service: fx.service,
          'task-definition': 'bad.json',
          'keep-null-value-keys': 'pidMode',
        },
        ws,
      ),
    ).rejects.toThrow(/^input 'task-definition': bad\.json:\d+: pidMode: expected "host", "task", got the string ""/);
    expect(await callsOf(bed.moto, 'RegisterTaskDefinition', since)).toHaveLength(0);
  });
});

describe('deploy-ecs peer inputs: codedeploy-appspec and the one-off task’s managed EBS volume (core)', () => {
  it('codedeploy-appspec is the AppSpec file, as appspec is: its hooks go to CodeDeploy with the registered task definition', async () => {
    const fx = await blueGreenService(bed.moto);
    const ws = workspace({
      'appspec.yaml': [
        'version: 0.0',
        'Resources:',
        '  - TargetService:',
        '      Type: AWS::ECS::Service',
        '      Properties:',
        '        TaskDefinition: <TASK_DEFINITION>',
        '        LoadBalancerInfo:',
        '          ContainerName: web',
        '          ContainerPort: 80',
        'Hooks:',
        '  - BeforeAllowTraffic: shop-smoke-test',
        '',
      ].join('\n'),
    });
    const plan = await planFrom(
      { image: digestImage('127.0.0.1:5000/shop/web'), ...blueGreenTarget(fx), 'codedeploy-appspec': 'appspec.yaml' },
      ws,
    );
    const result = await deployEcs(plan, clientsFor(bed.moto), { log: memoryLog(), timing });
    expect(result.status).toBe('Succeeded');
    const info = (await fx.codedeploy.send(new GetDeploymentCommand({ deploymentId: result.deploymentId }))).deploymentInfo!;
    const content = info.revision?.appSpecContent?.content ?? '';
    expect(content).toContain('shop-smoke-test');
    expect(content).toContain(result.taskDefinitionArn);
  });

  it('run-task-managed-ebs-volume attaches the volume to the one-off task; a volume the task definition does not configure at launch is refused before any write', async () => {
    const fx = await rollingService(bed.moto);
    const ws = workspace({ 'td.json': taskDefinitionFile(fx.family) });
    const volume = `{"roleArn": "arn:aws:iam::${bed.moto.defaultAccount}:role/ecsInfrastructureRole", "sizeInGiB": 30, "terminationPolicy": {"deleteOnTermination": false}}`;
    const inputs = {
      image: digestImage(),
      cluster: fx.cluster,
      service: fx.service,
      'task-definition': 'td.json',
      'run-task': 'true',
      'run-task-launch-type': 'EC2',
      'run-task-managed-ebs-volume-name': 'data',
      'run-task-managed-ebs-volume': volume,
    };
    const result = await deployEcs(await planFrom(inputs, ws), clientsFor(bed.moto), { log: memoryLog(), timing });
    expect(result.runTask).toMatchObject({ status: 'STOPPED' });
    const task = (await fx.ecs.send(new DescribeTasksCommand({ cluster: fx.cluster, tasks: result.runTask!.taskArns }))).tasks![0]!;
    expect(task.attachments).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          type: 'AmazonElasticBlockStorage',
          details: expect.arrayContaining([
            { name: 'volumeName', value: 'data' },
            { name: 'sizeInGiB', value: '30' },
            { name: 'deleteOnTermination', value: 'false' },
          ]),
        }),
      ]),
    );

    const since = Date.now();
    const error = await failure(
      deployEcs(await planFrom({ ...inputs, 'run-task-managed-ebs-volume-name': 'scratch' }, ws), clientsFor(bed.moto), {
        log: memoryLog(),
        timing,
      }),
    );
    expect(error?.message).toBe(
      `input 'run-task-managed-ebs-volume-name': the task definition has no volume "scratch" (configuredAtLaunch: data)`,
    );
    expect(await callsOf(bed.moto, 'RegisterTaskDefinition', since)).toHaveLength(0);
    await expect(planFrom({ ...inputs, 'run-task-managed-ebs-volume': '' }, ws)).rejects.toThrow(
      /input 'run-task-managed-ebs-volume': is required with run-task-managed-ebs-volume-name/,
    );
  });
});
