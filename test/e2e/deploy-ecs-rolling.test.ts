// deploy-ecs rolling deployments on the bed's moto (ECS rollouts that complete, fail by the
// circuit breaker and roll back): the core function directly, and the committed bundle.
import { describe, expect, it } from 'vitest';
import { DescribeTaskDefinitionCommand, ListTaskDefinitionsCommand, UpdateServiceCommand } from '@aws-sdk/client-ecs';
import { memoryLog } from '../../packages/shared/src/log.ts';
import { withDeadline } from '../../packages/shared/src/deadline.ts';
import { deployEcs } from '../../actions/deploy-ecs/src/deploy.ts';
import { useBed } from '../bed/vitest.ts';
import { callsOf, clientsFor, digestImage, planFrom, rollingService, runBundle, until } from './deploy-ecs-bed.ts';
import { expectReadsWithinBudget } from './call-rate.ts';

const bed = useBed(['moto']);
// Fast polling keeps the tests short; the bundle runs use the shipped timing.
const timing = { minIntervalMs: 100, maxIntervalMs: 400, factor: 1.5 };

describe('deploy-ecs rolling (core)', () => {
  it('registers the image by digest with the environment merged in, and follows its deployment to COMPLETED', async () => {
    const fx = await rollingService(bed.moto, { executionRole: true });
    const image = digestImage();
    const log = memoryLog();
    const plan = await planFrom({
      image,
      cluster: fx.cluster,
      service: fx.service,
      vars: 'LOG_LEVEL=debug\nKEEP=changed',
      secrets: `DB_PASSWORD=arn:aws:secretsmanager:us-west-2:${bed.moto.defaultAccount}:secret:db-AbCdEf`,
    });
    const result = await deployEcs(plan, clientsFor(bed.moto), { log, timing });

    expect(result).toMatchObject({ strategy: 'rolling', status: 'COMPLETED', previousTaskDefinitionArn: fx.firstTd, container: 'app' });
    expect(result.taskDefinitionArn).toMatch(new RegExp(`task-definition/${fx.family}:2$`));
    const registered = (await fx.ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: result.taskDefinitionArn }))).taskDefinition!;
    const app = registered.containerDefinitions!.find((c) => c.name === 'app')!;
    expect(app.image).toBe(image);
    expect(app.environment).toEqual(
      expect.arrayContaining([
        { name: 'KEEP', value: 'changed' },
        { name: 'LOG_LEVEL', value: 'debug' },
      ]),
    );
    expect(app.secrets).toEqual([
      { name: 'DB_PASSWORD', valueFrom: `arn:aws:secretsmanager:us-west-2:${bed.moto.defaultAccount}:secret:db-AbCdEf` },
    ]);
    // The sidecar is untouched.
    expect(registered.containerDefinitions!.find((c) => c.name === 'log-router')!.image).toContain('aws-for-fluent-bit');

    const service = await fx.describe();
    expect(service.taskDefinition).toBe(result.taskDefinitionArn);
    expect(service.deployments![0]).toMatchObject({ id: result.deploymentId, rolloutState: 'COMPLETED', runningCount: 2 });
    // The bed marked our deployment complete, and we noticed after it did.
    const marks = await bed.moto.control<{ ecs: Record<string, { completed?: number }> }>('marks', { kind: 'ecs' });
    expect(result.noticedAt).toBeGreaterThanOrEqual(marks.ecs[result.deploymentId]!.completed!);
    // Progress: one line per change, with the rollout state and task counts.
    expect(log.lines.some((l) => /rollout IN_PROGRESS · new: \d running, \d pending of 2/.test(l))).toBe(true);
    expect(log.lines.some((l) => l.includes('deployment completed.'))).toBe(true);
    expect(new Set(log.lines).size).toBe(log.lines.length);
  });

  it('fails with the circuit breaker’s reason, the stopped tasks’ reason and the task definition ECS rolled back to', async () => {
    const fx = await rollingService(bed.moto);
    const fault = await bed.moto.control<{ id: string }>('fault/ecs', {
      imageMarker: 'bed-crash',
      reason: 'Essential container in task exited',
    });
    try {
      const plan = await planFrom({
        image: digestImage('127.0.0.1:5000/shop/app-bed-crash'),
        cluster: fx.cluster,
        service: fx.service,
        container: 'app',
      });
      const error = await deployEcs(plan, clientsFor(bed.moto), { log: memoryLog(), timing }).then(
        () => undefined,
        (e: unknown) => e as Error & { unchanged?: string },
      );
      expect(error).toBeDefined();
      expect(error!.message).toMatch(/FAILED: ECS deployment circuit breaker/);
      expect(error!.message).toMatch(/\d+ × Essential container in task exited; container app exit code 1/);
      expect(error!.message).toContain(`ECS rolled the service back to ${fx.firstTd.split('/').pop()}`);
      expect(error!.unchanged).toContain(`the service returns to ${fx.firstTd}`);
      // ECS really did roll back: the service ends on the first task definition.
      const back = await until(fx.describe, (s) => s.deployments?.length === 1 && s.deployments[0]!.rolloutState === 'COMPLETED');
      expect(back.taskDefinition).toBe(fx.firstTd);
    } finally {
      await bed.moto.control('fault/clear', { id: fault.id });
    }
  });

  it('never reports success when the service goes back to the previous task definition, even once it is stable', async () => {
    const fx = await rollingService(bed.moto);
    // Slow task starts, so the test can roll back while our deployment is still in progress.
    await bed.moto.control('speed', { timing: { ecsTaskStart: 120 } });
    try {
      const plan = await planFrom({ image: digestImage(), cluster: fx.cluster, service: fx.service });
      const running = deployEcs(plan, clientsFor(bed.moto), { log: memoryLog(), timing }).then(
        () => undefined,
        (e: unknown) => e as Error,
      );
      const ours = await until(fx.describe, (s) => s.deployments?.[0]?.taskDefinition !== fx.firstTd);
      // What an operator (or ECS) does: put the previous task definition back.
      await fx.ecs.send(new UpdateServiceCommand({ cluster: fx.cluster, service: fx.service, taskDefinition: fx.firstTd }));
      const error = await running;
      expect(error?.message.split('\n')[0]).toBe(
        `ECS deployment ${ours.deployments![0]!.id} of ${ours.deployments![0]!.taskDefinition!.split('/').pop()} did not complete: the service was rolled back to the previous task definition ${fx.firstTd.split('/').pop()} (deployment ${(await fx.describe()).deployments![0]!.id})`,
      );
    } finally {
      await bed.moto.control('speed', { timing: { ecsTaskStart: 15 } });
    }
  });

  it('on its deadline, sends the service back to the task definition it ran before instead of leaving the rollout running', async () => {
    // Without the circuit breaker ECS retries crashing tasks for ever: only the deadline ends it.
    const fx = await rollingService(bed.moto, { breaker: { enable: false, rollback: false } });
    const fault = await bed.moto.control<{ id: string }>('fault/ecs', { service: fx.service });
    try {
      const log = memoryLog();
      const plan = await planFrom({ image: digestImage(), cluster: fx.cluster, service: fx.service });
      const error = await deployEcs(plan, clientsFor(bed.moto), { log, timing, signal: withDeadline(undefined, 4000) }).then(
        () => undefined,
        (e: unknown) => e as Error,
      );
      expect(log.lines.some((l) => l.includes('deployment circuit breaker off'))).toBe(true);
      expect(log.lines.some((l) => /failed to start/.test(l))).toBe(true);
      expect(error?.message).toMatch(
        /did not complete within 4\.0 s; deploy-ecs rolled the service back to .*:1 \(deployment ecs-svc\/\d+, in progress\)/,
      );
      const service = await fx.describe();
      expect(service.taskDefinition).toBe(fx.firstTd);
    } finally {
      await bed.moto.control('fault/clear', { id: fault.id });
    }
  });

  it('retries a throttled DescribeServices and still follows the deployment to the end', async () => {
    const fx = await rollingService(bed.moto);
    const since = Date.now();
    await bed.moto.control('throttle', { action: 'DescribeServices', count: 2 });
    const log = memoryLog();
    const result = await deployEcs(
      await planFrom({ image: digestImage(), cluster: fx.cluster, service: fx.service }),
      clientsFor(bed.moto),
      {
        log,
        timing,
      },
    );
    expect(result.status).toBe('COMPLETED');
    const calls = await bed.moto.control<{ calls: { throttled: boolean }[] }>('calls', { action: 'DescribeServices', since });
    expect(calls.calls.filter((c) => c.throttled)).toHaveLength(2);
    expect(log.lines.filter((l) => l.trim().startsWith('ecs:DescribeServices: ThrottlingException'))).toHaveLength(2);
  });
});

describe('deploy-ecs rolling: bad input changes nothing', () => {
  it('a task definition file that is not JSON, or lacks the container, registers nothing', async () => {
    const fx = await rollingService(bed.moto);
    const { mkdtempSync, writeFileSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { tmpdir } = await import('node:os');
    const ws = mkdtempSync(join(tmpdir(), 'ws-'));
    writeFileSync(join(ws, 'broken.json'), '{ "family": "x", ');
    await expect(
      planFrom({ image: digestImage(), cluster: fx.cluster, service: fx.service, 'task-definition': 'broken.json' }, ws),
    ).rejects.toThrow(/^input 'task-definition': broken.json:1: not valid JSON/);
    writeFileSync(
      join(ws, 'td.json'),
      JSON.stringify({ family: fx.family, containerDefinitions: [{ name: 'web', image: 'x', memory: 64 }] }),
    );
    const since = Date.now();
    const plan = await planFrom(
      { image: digestImage(), cluster: fx.cluster, service: fx.service, 'task-definition': 'td.json', container: 'app' },
      ws,
    );
    await expect(deployEcs(plan, clientsFor(bed.moto), { log: memoryLog(), timing })).rejects.toThrow(
      `input 'container': the task definition has no container "app" (have: web)`,
    );
    const families = await fx.ecs.send(new ListTaskDefinitionsCommand({ familyPrefix: fx.family }));
    expect(families.taskDefinitionArns).toEqual([fx.firstTd]);
    expect(await callsOf(bed.moto, 'RegisterTaskDefinition', since)).toHaveLength(0);
    expect(await callsOf(bed.moto, 'UpdateService', since)).toHaveLength(0);
  });

  it('an unknown cluster or service is named before any write', async () => {
    const fx = await rollingService(bed.moto);
    const since = Date.now();
    await expect(
      deployEcs(await planFrom({ image: digestImage(), cluster: 'nope', service: fx.service }), clientsFor(bed.moto), { log: memoryLog() }),
    ).rejects.toThrow(`input 'cluster': ECS cluster "nope" does not exist in this account and region`);
    await expect(
      deployEcs(await planFrom({ image: digestImage(), cluster: fx.cluster, service: 'nope' }), clientsFor(bed.moto), { log: memoryLog() }),
    ).rejects.toThrow(`input 'service': ECS service "nope" is not in cluster ${fx.cluster} (MISSING)`);
    await expect(
      deployEcs(
        await planFrom({ image: digestImage(), cluster: fx.cluster, service: fx.service, strategy: 'blue-green' }),
        clientsFor(bed.moto),
        { log: memoryLog() },
      ),
    ).rejects.toThrow(
      `input 'strategy': strategy blue-green does not fit service ${fx.service}, which uses the ECS deployment controller (that means rolling)`,
    );
    expect(await callsOf(bed.moto, 'RegisterTaskDefinition', since)).toHaveLength(0);
  });
});

describe('deploy-ecs rolling (bundle)', () => {
  it('deploys through the committed bundle: outputs, progress lines and a summary', async () => {
    const fx = await rollingService(bed.moto, { account: '111111111111' });
    const image = digestImage();
    const since = Date.now();
    // A rollout of ~14 s rather than the bed's usual ~1 s: long enough for the wait, which keeps
    // to its call budget (the first read comes ~10 s in), to see it in progress.
    const { factor } = await bed.moto.control<{ factor: number }>('speed', {});
    await bed.moto.control('speed', { factor: 2.5 });
    const run = await runBundle(
      'deploy-ecs',
      { image, cluster: fx.cluster, service: fx.service, 'wait-until': 'succeeded' },
      bed.moto.env('111111111111'),
    ).finally(() => bed.moto.control('speed', { factor }));
    expect(run.status, run.stdout + run.stderr).toBe(0);
    expect(run.outputs['task-definition-arn']).toMatch(new RegExp(`:111111111111:task-definition/${fx.family}:2$`));
    expect(run.outputs['previous-task-definition-arn']).toBe(fx.firstTd);
    expect(run.outputs.status).toBe('COMPLETED');
    expect(run.outputs['deployment-id']).toMatch(/^ecs-svc\/\d+$/);
    expect(run.outputs['console-url']).toBe(
      `https://us-west-2.console.aws.amazon.com/ecs/v2/clusters/${fx.cluster}/services/${fx.service}/deployments?region=us-west-2`,
    );
    expect(run.stdout).toMatch(/::group::Rolling deployment of/);
    expect(run.stdout).toContain('rollout IN_PROGRESS');
    expect(run.summary).toContain(`## deploy-ecs COMPLETED — ${fx.cluster}/${fx.service}`);
    expect(run.summary).toContain(image);
    expect((await fx.describe()).taskDefinition).toBe(run.outputs['task-definition-arn']);
    // Waiting kept to 12 DescribeServices a minute from the UpdateService on.
    await expectReadsWithinBudget(bed.moto, {
      account: '111111111111',
      since,
      until: run.exitedAt,
      start: 'UpdateService',
      reads: ['DescribeServices', 'DescribeTasks', 'ListTasks'],
    });
  });

  it('fails through the bundle when ECS rolls back, with exit code 1 and the reason', async () => {
    const fx = await rollingService(bed.moto, { account: '111111111111' });
    const fault = await bed.moto.control<{ id: string }>('fault/ecs', { service: fx.service, account: '111111111111' });
    try {
      const run = await runBundle(
        'deploy-ecs',
        { image: digestImage(), cluster: fx.cluster, service: fx.service },
        bed.moto.env('111111111111'),
      );
      expect(run.status).toBe(1);
      // However often it polled, the failure and ECS's rollback are named (the failed deployment
      // may already be gone from the service when it looks).
      expect(run.stdout).toMatch(
        /::error::deploy-ecs: ECS deployment ecs-svc\/\d+ of \S+:2 (FAILED: ECS deployment circuit breaker|did not complete: the service was rolled back to the previous task definition \S+:1)/,
      );
      expect(run.stdout).toMatch(/deployment failed: tasks failed to start|FAILED: ECS deployment circuit breaker/);
      expect(run.stdout).toContain('Essential container in task exited');
      expect(run.outputs.status).toBeUndefined();
      expect(run.summary).toContain('deploy-ecs failed');
    } finally {
      await bed.moto.control('fault/clear', { id: fault.id });
    }
  });
});
