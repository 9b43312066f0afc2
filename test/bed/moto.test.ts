// Self-test of the bed's AWS (moto + the bed's extensions), through the AWS SDK as the actions
// use it: ECS rollouts that complete, fail and roll back; CodeDeploy blue/green lifecycles; STS
// web-identity trust checks against the bed's OIDC issuer; per-account credentials; controls.
import { describe, expect, it } from 'vitest';
import { setTimeout as delay } from 'node:timers/promises';
import {
  CreateClusterCommand,
  CreateServiceCommand,
  DescribeServicesCommand,
  DescribeTasksCommand,
  ECSClient,
  ListTasksCommand,
  RegisterTaskDefinitionCommand,
  UpdateServiceCommand,
  type Deployment,
  type Service,
} from '@aws-sdk/client-ecs';
import {
  CodeDeployClient,
  ContinueDeploymentCommand,
  CreateApplicationCommand,
  CreateDeploymentCommand,
  CreateDeploymentGroupCommand,
  GetDeploymentCommand,
  GetDeploymentTargetCommand,
  ListDeploymentTargetsCommand,
  StopDeploymentCommand,
  type DeploymentInfo,
} from '@aws-sdk/client-codedeploy';
import { AssumeRoleWithWebIdentityCommand, GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { useBed } from './vitest.ts';
import { githubOidcRole } from './aws-roles.ts';

const bed = useBed(['oidc', 'moto']);

/** Polls `read` until `done` holds; the test's own timeout is the only bound. */
async function until<T>(read: () => Promise<T>, done: (value: T) => boolean): Promise<T> {
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    await delay(50);
  }
}

let counter = 0;
const unique = (prefix: string): string => `${prefix}-${++counter}`;

describe('bed moto: ECS rolling deployments', () => {
  const ecs = (): ECSClient => new ECSClient(bed.moto.clientConfig());

  async function setUp(image: string, breaker: { enable: boolean; rollback: boolean }) {
    const client = ecs();
    const cluster = unique('cluster');
    const service = unique('service');
    const family = unique('family');
    await client.send(new CreateClusterCommand({ clusterName: cluster }));
    const register = async (img: string) =>
      (await client.send(new RegisterTaskDefinitionCommand({ family, containerDefinitions: [{ name: 'app', image: img, memory: 128 }] })))
        .taskDefinition!.taskDefinitionArn!;
    const first = await register(image);
    await client.send(
      new CreateServiceCommand({
        cluster,
        serviceName: service,
        taskDefinition: first,
        desiredCount: 2,
        deploymentConfiguration: { deploymentCircuitBreaker: breaker, maximumPercent: 200, minimumHealthyPercent: 100 },
      }),
    );
    const describe = async (): Promise<Service> =>
      (await client.send(new DescribeServicesCommand({ cluster, services: [service] }))).services![0]!;
    return { client, cluster, service, first, register, describe };
  }

  it('takes a new deployment from IN_PROGRESS to COMPLETED, draining the old one', async () => {
    const { client, cluster, service, register, describe } = await setUp('registry.local/app:1', { enable: true, rollback: true });
    await until(describe, (s) => s.deployments![0]!.rolloutState === 'COMPLETED');

    const second = await register('registry.local/app:2');
    const updated = await client.send(new UpdateServiceCommand({ cluster, service, taskDefinition: second }));
    const deployment = updated.service!.deployments![0]!;
    expect(deployment).toMatchObject({ status: 'PRIMARY', taskDefinition: second, rolloutState: 'IN_PROGRESS', desiredCount: 2 });
    expect(updated.service!.deployments).toHaveLength(2);

    const done = await until(describe, (s) => s.deployments!.find((d) => d.id === deployment.id)?.rolloutState === 'COMPLETED');
    expect(done.deployments).toHaveLength(1);
    expect(done.deployments![0]).toMatchObject({ id: deployment.id, runningCount: 2, pendingCount: 0, status: 'PRIMARY' });
    expect(done.runningCount).toBe(2);
    expect(done.taskDefinition).toBe(second);
    expect(done.events!.map((e) => e.message)).toEqual(
      expect.arrayContaining([
        `(service ${service}) has reached a steady state.`,
        `(service ${service}) (deployment ${deployment.id}) deployment completed.`,
      ]),
    );

    const marks = await bed.moto.control<{ ecs: Record<string, { completed?: number }> }>('marks', { kind: 'ecs' });
    expect(marks.ecs[deployment.id!]!.completed).toBeTypeOf('number');
  });

  it('a second update right after the first: the newest deployment gets its tasks and completes (the first is replaced)', async () => {
    const { client, cluster, service, register, describe } = await setUp('registry.local/app:1', { enable: true, rollback: true });
    await until(describe, (s) => s.deployments![0]!.rolloutState === 'COMPLETED');

    const [second, third] = [await register('registry.local/app:2'), await register('registry.local/app:3')];
    await client.send(new UpdateServiceCommand({ cluster, service, taskDefinition: second }));
    // The first update's tasks are still starting: ECS stops them and starts the newest deployment's.
    const updated = await client.send(new UpdateServiceCommand({ cluster, service, taskDefinition: third }));
    const newest = updated.service!.deployments![0]!;
    expect(newest).toMatchObject({ status: 'PRIMARY', taskDefinition: third, rolloutState: 'IN_PROGRESS' });
    expect(newest.pendingCount! + newest.runningCount!).toBe(2);

    const done = await until(describe, (s) => s.deployments!.find((d) => d.id === newest.id)?.rolloutState === 'COMPLETED');
    expect(done.deployments).toHaveLength(1);
    expect(done.deployments![0]).toMatchObject({ id: newest.id, taskDefinition: third, runningCount: 2, pendingCount: 0 });
    expect(done.runningCount).toBe(2);
  });

  it('with jitter, draws each duration around its nominal value, so rollouts started together end apart', async () => {
    const took = async (): Promise<number[]> => {
      // Six rollouts: the range of six draws within ±50 % is wide enough not to fall under the bound by chance.
      const services = await Promise.all([1, 2, 3, 4, 5, 6].map((i) => setUp(`registry.local/app:${i}`, { enable: true, rollback: true })));
      const done = await Promise.all(
        services.map(({ describe }) => until(describe, (s) => s.deployments![0]!.rolloutState === 'COMPLETED')),
      );
      const marks = await bed.moto.control<{ ecs: Record<string, { completed: number }> }>('marks', { kind: 'ecs' });
      return done.map((s) => marks.ecs[s.deployments![0]!.id!]!.completed - s.deployments![0]!.createdAt!.getTime());
    };
    const spread = (ms: number[]): number => (Math.max(...ms) - Math.min(...ms)) / Math.min(...ms);
    const { jitter } = await bed.moto.control<{ jitter: number }>('speed', {});
    expect(jitter).toBe(0);
    const exact = await took();
    await bed.moto.control('speed', { jitter: 0.5 });
    const drawn = await took().finally(() => bed.moto.control('speed', { jitter: 0 }));
    // Exact durations differ only by when each request arrived; drawn ones by a good part of a phase.
    expect(spread(drawn)).toBeGreaterThan(spread(exact));
    expect(spread(drawn)).toBeGreaterThan(0.05);
  });

  it('fails a faulted deployment by the circuit breaker and rolls back to the last completed one', async () => {
    const { client, cluster, service, first, register, describe } = await setUp('registry.local/app:1', { enable: true, rollback: true });
    await until(describe, (s) => s.deployments![0]!.rolloutState === 'COMPLETED');

    const fault = await bed.moto.control<{ id: string }>('fault/ecs', { imageMarker: 'crashloop' });
    try {
      const broken = await register('registry.local/app:crashloop');
      const updated = await client.send(new UpdateServiceCommand({ cluster, service, taskDefinition: broken }));
      const failedId = updated.service!.deployments![0]!.id!;

      const failed = await until(describe, (s) => s.deployments!.find((d) => d.id === failedId)?.rolloutState === 'FAILED');
      const failedDeployment = failed.deployments!.find((d) => d.id === failedId)!;
      expect(failedDeployment.rolloutStateReason).toMatch(/^ECS deployment circuit breaker/);
      expect(failedDeployment.failedTasks).toBeGreaterThanOrEqual(3);

      const primary = (s: Service): Deployment => s.deployments![0]!;
      const rolledBack = await until(describe, (s) => primary(s).id !== failedId && primary(s).rolloutState === 'COMPLETED');
      expect(primary(rolledBack)).toMatchObject({ taskDefinition: first, runningCount: 2, status: 'PRIMARY' });
      expect(rolledBack.taskDefinition).toBe(first);
      expect(rolledBack.events!.some((e) => e.message!.includes(`(deployment ${failedId}) deployment failed`))).toBe(true);

      const stopped = await client.send(new ListTasksCommand({ cluster, serviceName: service, desiredStatus: 'STOPPED' }));
      const tasks = (await client.send(new DescribeTasksCommand({ cluster, tasks: stopped.taskArns! }))).tasks!;
      const crashed = tasks.filter((t) => t.taskDefinitionArn === broken);
      expect(crashed.length).toBeGreaterThanOrEqual(3);
      expect(crashed[0]).toMatchObject({ lastStatus: 'STOPPED', stoppedReason: 'Essential container in task exited' });
      expect(crashed[0]!.containers![0]!.exitCode).toBe(1);
    } finally {
      await bed.moto.control('fault/clear', { id: fault.id });
    }
  });

  it('refuses a task definition change on a CODE_DEPLOY service, as AWS does', async () => {
    const client = ecs();
    const cluster = unique('cluster');
    await client.send(new CreateClusterCommand({ clusterName: cluster }));
    const td = (
      await client.send(
        new RegisterTaskDefinitionCommand({ family: unique('f'), containerDefinitions: [{ name: 'a', image: 'a:1', memory: 64 }] }),
      )
    ).taskDefinition!.taskDefinitionArn!;
    const td2 = (
      await client.send(
        new RegisterTaskDefinitionCommand({ family: unique('f'), containerDefinitions: [{ name: 'a', image: 'a:2', memory: 64 }] }),
      )
    ).taskDefinition!.taskDefinitionArn!;
    await client.send(
      new CreateServiceCommand({
        cluster,
        serviceName: 'bg',
        taskDefinition: td,
        desiredCount: 1,
        deploymentController: { type: 'CODE_DEPLOY' },
      }),
    );
    await expect(client.send(new UpdateServiceCommand({ cluster, service: 'bg', taskDefinition: td2 }))).rejects.toMatchObject({
      name: 'InvalidParameterException',
    });
  });
});

describe('bed moto: CodeDeploy ECS blue/green', () => {
  const TERMINAL = ['Succeeded', 'Failed', 'Stopped'];

  async function setUp(options: { waitForReroute: boolean; autoRollback?: boolean }) {
    const config = bed.moto.clientConfig();
    const ecs = new ECSClient(config);
    const codedeploy = new CodeDeployClient(config);
    const cluster = unique('bg-cluster');
    const app = unique('app');
    await ecs.send(new CreateClusterCommand({ clusterName: cluster }));
    const register = async (image: string) =>
      (
        await ecs.send(
          new RegisterTaskDefinitionCommand({
            family: app,
            containerDefinitions: [{ name: 'web', image, memory: 128, portMappings: [{ containerPort: 80 }] }],
          }),
        )
      ).taskDefinition!.taskDefinitionArn!;
    const blue = await register('registry.local/web:1');
    await ecs.send(
      new CreateServiceCommand({
        cluster,
        serviceName: 'web',
        taskDefinition: blue,
        desiredCount: 2,
        deploymentController: { type: 'CODE_DEPLOY' },
      }),
    );
    await codedeploy.send(new CreateApplicationCommand({ applicationName: app, computePlatform: 'ECS' }));
    await codedeploy.send(
      new CreateDeploymentGroupCommand({
        applicationName: app,
        deploymentGroupName: 'web-dg',
        serviceRoleArn: 'arn:aws:iam::123456789012:role/codedeploy',
        deploymentConfigName: 'CodeDeployDefault.ECSAllAtOnce',
        deploymentStyle: { deploymentType: 'BLUE_GREEN', deploymentOption: 'WITH_TRAFFIC_CONTROL' },
        blueGreenDeploymentConfiguration: {
          deploymentReadyOption: options.waitForReroute
            ? { actionOnTimeout: 'STOP_DEPLOYMENT', waitTimeInMinutes: 60 }
            : { actionOnTimeout: 'CONTINUE_DEPLOYMENT' },
          terminateBlueInstancesOnDeploymentSuccess: { action: 'TERMINATE', terminationWaitTimeInMinutes: 0 },
        },
        loadBalancerInfo: {
          targetGroupPairInfoList: [
            {
              targetGroups: [{ name: 'web-blue' }, { name: 'web-green' }],
              prodTrafficRoute: { listenerArns: ['arn:aws:elasticloadbalancing:us-west-2:123456789012:listener/app/web/1/1'] },
            },
          ],
        },
        ecsServices: [{ clusterName: cluster, serviceName: 'web' }],
        autoRollbackConfiguration: { enabled: options.autoRollback ?? false, events: ['DEPLOYMENT_FAILURE', 'DEPLOYMENT_STOP_ON_REQUEST'] },
      }),
    );
    const green = await register('registry.local/web:2');
    const appspec = [
      'version: 0.0',
      'Resources:',
      '  - TargetService:',
      '      Type: AWS::ECS::Service',
      '      Properties:',
      `        TaskDefinition: "${green}"`,
      '        LoadBalancerInfo: { ContainerName: web, ContainerPort: 80 }',
      'Hooks:',
      '  - AfterAllowTestTraffic: "arn:aws:lambda:us-west-2:123456789012:function:smoke-test"',
    ].join('\n');
    const deploy = async (): Promise<string> =>
      (
        await codedeploy.send(
          new CreateDeploymentCommand({
            applicationName: app,
            deploymentGroupName: 'web-dg',
            revision: { revisionType: 'AppSpecContent', appSpecContent: { content: appspec } },
          }),
        )
      ).deploymentId!;
    const get = async (id: string): Promise<DeploymentInfo> =>
      (await codedeploy.send(new GetDeploymentCommand({ deploymentId: id }))).deploymentInfo!;
    const events = async (id: string) =>
      (await codedeploy.send(new GetDeploymentTargetCommand({ deploymentId: id, targetId: `${cluster}:web` }))).deploymentTarget!
        .ecsTarget!;
    return { ecs, codedeploy, cluster, app, blue, green, deploy, get, events };
  }

  it('walks the lifecycle to Ready, then ContinueDeployment takes it to Succeeded', async () => {
    const { ecs, codedeploy, cluster, green, deploy, get, events } = await setUp({ waitForReroute: true });
    const id = await deploy();
    expect(id).toMatch(/^d-[A-Z0-9]{9}$/);
    expect((await get(id)).status).toBe('Created');

    const ready = await until(
      () => get(id),
      (d) => d.status === 'Ready' || TERMINAL.includes(d.status!),
    );
    expect(ready.status).toBe('Ready');
    expect(ready.deploymentOverview).toMatchObject({ Ready: 1 });
    const targets = await codedeploy.send(new ListDeploymentTargetsCommand({ deploymentId: id }));
    expect(targets.targetIds).toEqual([`${cluster}:web`]);
    const atReady = await events(id);
    expect(atReady.lifecycleEvents!.map((e) => [e.lifecycleEventName, e.status])).toEqual([
      ['BeforeInstall', 'Succeeded'],
      ['Install', 'Succeeded'],
      ['AfterInstall', 'Succeeded'],
      ['AllowTestTraffic', 'Succeeded'],
      ['AfterAllowTestTraffic', 'Succeeded'],
      ['BeforeAllowTraffic', 'Pending'],
      ['AllowTraffic', 'Pending'],
      ['AfterAllowTraffic', 'Pending'],
    ]);
    expect(atReady.taskSetsInfo!.find((s) => s.taskSetLabel === 'Green')).toMatchObject({ trafficWeight: 0, runningCount: 2 });

    await codedeploy.send(new ContinueDeploymentCommand({ deploymentId: id, deploymentWaitType: 'READY_WAIT' }));
    const done = await until(
      () => get(id),
      (d) => TERMINAL.includes(d.status!),
    );
    expect(done.status).toBe('Succeeded');
    expect(done.completeTime).toBeInstanceOf(Date);
    const atEnd = await events(id);
    expect(atEnd.lifecycleEvents!.every((e) => e.status === 'Succeeded')).toBe(true);
    expect(atEnd.taskSetsInfo!.find((s) => s.taskSetLabel === 'Green')).toMatchObject({ trafficWeight: 100 });
    const service = (await ecs.send(new DescribeServicesCommand({ cluster, services: ['web'] }))).services![0]!;
    expect(service.taskDefinition).toBe(green);

    const marks = await bed.moto.control<{ codedeploy: Record<string, { ready?: number; succeeded?: number }> }>('marks', {
      kind: 'codedeploy',
    });
    expect(marks.codedeploy[id]!.ready).toBeLessThan(marks.codedeploy[id]!.succeeded!);
  });

  it('fails a deployment at the lifecycle hook a fault names', async () => {
    const { deploy, get, events } = await setUp({ waitForReroute: false, autoRollback: true });
    const fault = await bed.moto.control<{ id: string }>('fault/codedeploy', { lifecycleEvent: 'AfterAllowTestTraffic' });
    try {
      const id = await deploy();
      const failed = await until(
        () => get(id),
        (d) => TERMINAL.includes(d.status!),
      );
      expect(failed.status).toBe('Failed');
      expect(failed.errorInformation!.code).toBe('HOOK_EXECUTION_FAILURE');
      expect(failed.errorInformation!.message).toContain('AfterAllowTestTraffic');
      expect(failed.rollbackInfo!.rollbackDeploymentId).toMatch(/^d-/);
      const hook = (await events(id)).lifecycleEvents!.find((e) => e.lifecycleEventName === 'AfterAllowTestTraffic')!;
      expect(hook.status).toBe('Failed');
      const rollback = await until(
        () => get(failed.rollbackInfo!.rollbackDeploymentId!),
        (d) => TERMINAL.includes(d.status!),
      );
      expect(rollback).toMatchObject({ status: 'Succeeded', creator: 'codeDeployRollback' });
    } finally {
      await bed.moto.control('fault/clear', { id: fault.id });
    }
  });

  it('stops a deployment on StopDeployment, with rollback', async () => {
    const { codedeploy, deploy, get } = await setUp({ waitForReroute: true });
    const id = await deploy();
    await until(
      () => get(id),
      (d) => d.status === 'InProgress',
    );
    const stop = await codedeploy.send(new StopDeploymentCommand({ deploymentId: id, autoRollbackEnabled: true }));
    expect(stop.status).toBe('Pending');
    const stopped = await until(
      () => get(id),
      (d) => TERMINAL.includes(d.status!),
    );
    expect(stopped.status).toBe('Stopped');
    expect(stopped.errorInformation!.code).toBe('MANUAL_STOP');
    expect(stopped.rollbackInfo!.rollbackDeploymentId).toMatch(/^d-/);
    await expect(codedeploy.send(new ContinueDeploymentCommand({ deploymentId: id }))).rejects.toMatchObject({
      name: 'DeploymentAlreadyCompletedException',
    });
  });
});

describe('bed moto: STS web identity and accounts', () => {
  const ACCOUNT = '111111111111';

  /** A role trusting the bed's tokens for the prod environment of acme/shop. */
  const trustingRole = (): Promise<string> =>
    githubOidcRole(bed, { account: ACCOUNT, subject: { subLike: 'repo:acme/shop:environment:prod' } });

  const sts = (): STSClient => new STSClient({ ...bed.moto.clientConfig(), maxAttempts: 1 });

  it("denies a token whose sub the trust policy does not allow, with AWS's AccessDenied", async () => {
    const roleArn = await trustingRole();
    const token = await bed.oidc.mint({ aud: 'sts.amazonaws.com', environment: 'staging' });
    const error = await sts()
      .send(new AssumeRoleWithWebIdentityCommand({ RoleArn: roleArn, RoleSessionName: 'deploy', WebIdentityToken: token }))
      .then(
        () => undefined,
        (e: { name: string; message: string; $metadata: { httpStatusCode?: number } }) => e,
      );
    expect(error).toMatchObject({ name: 'AccessDenied', message: 'Not authorized to perform sts:AssumeRoleWithWebIdentity' });
    expect(error!.$metadata.httpStatusCode).toBe(403);
  });

  it('accepts a matching token; the credentials act as the role in its account', async () => {
    const roleArn = await trustingRole();
    const token = await bed.oidc.mint({ aud: 'sts.amazonaws.com', environment: 'prod' });
    const assumed = await sts().send(
      new AssumeRoleWithWebIdentityCommand({ RoleArn: roleArn, RoleSessionName: 'gha-run', WebIdentityToken: token }),
    );
    expect(assumed.SubjectFromWebIdentityToken).toBe('repo:acme/shop:environment:prod');
    const credentials = assumed.Credentials!;
    const asRole = new STSClient({
      endpoint: bed.moto.endpoint,
      region: bed.moto.region,
      credentials: {
        accessKeyId: credentials.AccessKeyId!,
        secretAccessKey: credentials.SecretAccessKey!,
        sessionToken: credentials.SessionToken!,
      },
    });
    const identity = await asRole.send(new GetCallerIdentityCommand({}));
    expect(identity.Account).toBe(ACCOUNT);
    expect(identity.Arn).toBe(`arn:aws:sts::${ACCOUNT}:assumed-role/${roleArn.split('/').pop()}/gha-run`);
  });

  it('rejects an expired token and one signed by another key as InvalidIdentityToken', async () => {
    const roleArn = await trustingRole();
    const now = Math.floor(Date.now() / 1000);
    const expired = await bed.oidc.mint({
      aud: 'sts.amazonaws.com',
      environment: 'prod',
      iat: now - 7200,
      nbf: now - 7200,
      exp: now - 3600,
    });
    await expect(
      sts().send(new AssumeRoleWithWebIdentityCommand({ RoleArn: roleArn, RoleSessionName: 'gha-run', WebIdentityToken: expired })),
    ).rejects.toMatchObject({
      name: 'InvalidIdentityTokenException',
    });

    const { privateKey, publicKey } = await generateKeyPair('RS256');
    const kid = (await exportJWK(publicKey)).n!.slice(0, 8);
    const forged = await new SignJWT({ sub: 'repo:acme/shop:environment:prod', aud: 'sts.amazonaws.com', iss: bed.oidc.issuer })
      .setProtectedHeader({ alg: 'RS256', kid })
      .setIssuedAt()
      .setExpirationTime('5m')
      .sign(privateKey);
    await expect(
      sts().send(new AssumeRoleWithWebIdentityCommand({ RoleArn: roleArn, RoleSessionName: 'gha-run', WebIdentityToken: forged })),
    ).rejects.toMatchObject({
      name: 'InvalidIdentityTokenException',
    });
  });

  it('acts as the account env(account) names', async () => {
    const env = bed.moto.env('222222222222');
    expect(env).toMatchObject({ AWS_ENDPOINT_URL: bed.moto.endpoint, AWS_REGION: 'us-west-2' });
    const identity = await new STSClient(bed.moto.clientConfig('222222222222')).send(new GetCallerIdentityCommand({}));
    expect(identity.Account).toBe('222222222222');
    const other = await new STSClient(bed.moto.clientConfig('333333333333')).send(new GetCallerIdentityCommand({}));
    expect(other.Account).toBe('333333333333');
  });
});

describe('bed moto: controls', () => {
  it('counts calls per action and throttles the next N calls of one', async () => {
    const client = new ECSClient({ ...bed.moto.clientConfig(), maxAttempts: 1 });
    const since = Date.now();
    await bed.moto.control('throttle', { action: 'ListClusters', count: 1 });
    await expect(client.send(new (await import('@aws-sdk/client-ecs')).ListClustersCommand({}))).rejects.toMatchObject({
      name: 'ThrottlingException',
    });
    await client.send(new (await import('@aws-sdk/client-ecs')).ListClustersCommand({}));
    const calls = await bed.moto.control<{ counts: Record<string, number>; calls: { action: string; at: number; throttled: boolean }[] }>(
      'calls',
      {
        action: 'ListClusters',
        since,
      },
    );
    expect(calls.counts.ListClusters).toBe(2);
    expect(calls.calls.map((c) => c.throttled)).toEqual([true, false]);
  });

  it('answers a bad control request with an error naming the problem', async () => {
    await expect(bed.moto.control('fault/codedeploy', { lifecycleEvent: 'Nope' })).rejects.toThrow(/lifecycleEvent must be one of/);
    await expect(bed.moto.control('speed', { jitter: 1.5 })).rejects.toThrow(/jitter must be in \[0, 1\)/);
  });
});
