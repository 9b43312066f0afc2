// Set-ups on the bed's moto for deploy-ecs and the ECS side of bluegreen-switch: services that
// roll (ECS controller) or go blue/green (CODE_DEPLOY with an application and a group), the
// plan from INPUT_* values as the runner passes them, and a committed bundle run as the runner
// runs it. Used by test/e2e/deploy-ecs*.test.ts, switch-ecs*.test.ts and bench/deploy-ecs.bench.ts.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import {
  CreateClusterCommand,
  CreateServiceCommand,
  DescribeServicesCommand,
  ECSClient,
  RegisterTaskDefinitionCommand,
  type Service,
} from '@aws-sdk/client-ecs';
import { CloudWatchClient, PutMetricAlarmCommand, SetAlarmStateCommand } from '@aws-sdk/client-cloudwatch';
import { CodeDeployClient, CreateApplicationCommand, CreateDeploymentGroupCommand } from '@aws-sdk/client-codedeploy';
import type { MotoPart } from '../bed/types.ts';
import { ActionInputs } from '../../packages/shared/src/inputs.ts';
import { readDeployEcsInputs } from '../../actions/deploy-ecs/src/inputs.ts';
import { planDeployEcs, type DeployEcsPlan } from '../../actions/deploy-ecs/src/plan.ts';
import type { EcsClients } from '../../actions/deploy-ecs/src/deploy.ts';
import { inputEnv, parseFileCommands, root, runBundle as run, type BundleRun } from './bundle-run.ts';

let counter = 0;
export const unique = (prefix: string): string => `${prefix}-${process.pid}-${++counter}`;

/** A digest reference for `repository`, different on every call. */
export function digestImage(repository = '127.0.0.1:5000/shop/app', seed = unique('img')): string {
  let hex = '';
  for (let i = 0; hex.length < 64; i++) hex += ((seed.charCodeAt(i % seed.length) * 131 + i * 7919) % 4096).toString(16).padStart(3, '0');
  return `${repository}@sha256:${hex.slice(0, 64)}`;
}

/** Clients as the actions create them (no SDK retries: retries are the action's own). */
export function clientsFor(moto: MotoPart, account?: string): EcsClients {
  const config = { ...moto.clientConfig(account), maxAttempts: 1 };
  return { ecs: new ECSClient(config), codedeploy: new CodeDeployClient(config), region: moto.region };
}

/** Reads until `done` holds; the test's own timeout is the only bound. */
export async function until<T>(read: () => Promise<T>, done: (value: T) => boolean, everyMs = 50): Promise<T> {
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    await delay(everyMs);
  }
}

export interface RollingFixture {
  ecs: ECSClient;
  cluster: string;
  service: string;
  family: string;
  firstTd: string;
  describe(): Promise<Service>;
  register(image: string): Promise<string>;
}

export async function rollingService(
  moto: MotoPart,
  options: {
    account?: string;
    desired?: number;
    breaker?: { enable: boolean; rollback: boolean };
    image?: string;
    executionRole?: boolean;
  } = {},
): Promise<RollingFixture> {
  const ecs = new ECSClient(moto.clientConfig(options.account));
  const cluster = unique('cluster');
  const service = unique('svc');
  const family = unique('family');
  await ecs.send(new CreateClusterCommand({ clusterName: cluster }));
  const account = options.account ?? moto.defaultAccount;
  const register = async (image: string): Promise<string> =>
    (
      await ecs.send(
        new RegisterTaskDefinitionCommand({
          family,
          ...(options.executionRole ? { executionRoleArn: `arn:aws:iam::${account}:role/ecs-execution` } : {}),
          containerDefinitions: [
            {
              name: 'app',
              image,
              memory: 128,
              essential: true,
              portMappings: [{ containerPort: 8080 }],
              environment: [{ name: 'KEEP', value: 'me' }],
            },
            { name: 'log-router', image: 'public.ecr.aws/aws-observability/aws-for-fluent-bit:stable', memory: 64, essential: false },
          ],
        }),
      )
    ).taskDefinition!.taskDefinitionArn!;
  const firstTd = await register(options.image ?? '127.0.0.1:5000/shop/app:1');
  await ecs.send(
    new CreateServiceCommand({
      cluster,
      serviceName: service,
      taskDefinition: firstTd,
      desiredCount: options.desired ?? 2,
      deploymentConfiguration: {
        deploymentCircuitBreaker: options.breaker ?? { enable: true, rollback: true },
        maximumPercent: 200,
        minimumHealthyPercent: 100,
      },
    }),
  );
  const describe = async (): Promise<Service> =>
    (await ecs.send(new DescribeServicesCommand({ cluster, services: [service] }))).services![0]!;
  await until(describe, (s) => s.deployments?.[0]?.rolloutState === 'COMPLETED');
  return { ecs, cluster, service, family, firstTd, describe, register };
}

export interface BlueGreenFixture {
  ecs: ECSClient;
  codedeploy: CodeDeployClient;
  cluster: string;
  service: string;
  family: string;
  application: string;
  group: string;
  blueTd: string;
  describe(): Promise<Service>;
}

export async function blueGreenService(
  moto: MotoPart,
  options: {
    account?: string;
    waitForReroute?: boolean;
    autoRollback?: boolean;
    terminationMinutes?: number;
    readyWaitMinutes?: number;
    consoleNames?: boolean;
  } = {},
): Promise<BlueGreenFixture> {
  const config = moto.clientConfig(options.account);
  const account = options.account ?? moto.defaultAccount;
  const ecs = new ECSClient(config);
  const codedeploy = new CodeDeployClient(config);
  const cluster = unique('bg-cluster');
  const service = unique('web');
  const family = unique('web-family');
  await ecs.send(new CreateClusterCommand({ clusterName: cluster }));
  const blueTd = (
    await ecs.send(
      new RegisterTaskDefinitionCommand({
        family,
        containerDefinitions: [{ name: 'web', image: '127.0.0.1:5000/shop/web:1', memory: 128, portMappings: [{ containerPort: 80 }] }],
      }),
    )
  ).taskDefinition!.taskDefinitionArn!;
  const targetGroup = (name: string) => `arn:aws:elasticloadbalancing:${moto.region}:${account}:targetgroup/${name}/0123456789abcdef`;
  await ecs.send(
    new CreateServiceCommand({
      cluster,
      serviceName: service,
      taskDefinition: blueTd,
      desiredCount: 2,
      deploymentController: { type: 'CODE_DEPLOY' },
      loadBalancers: [{ targetGroupArn: targetGroup(`${service}-blue`.slice(0, 32)), containerName: 'web', containerPort: 80 }],
    }),
  );
  const application = options.consoleNames ? `AppECS-${cluster}-${service}` : unique('app');
  const group = options.consoleNames ? `DgpECS-${cluster}-${service}` : unique('dg');
  await codedeploy.send(new CreateApplicationCommand({ applicationName: application, computePlatform: 'ECS' }));
  await codedeploy.send(
    new CreateDeploymentGroupCommand({
      applicationName: application,
      deploymentGroupName: group,
      serviceRoleArn: `arn:aws:iam::${account}:role/codedeploy`,
      deploymentConfigName: 'CodeDeployDefault.ECSAllAtOnce',
      deploymentStyle: { deploymentType: 'BLUE_GREEN', deploymentOption: 'WITH_TRAFFIC_CONTROL' },
      blueGreenDeploymentConfiguration: {
        deploymentReadyOption: options.waitForReroute
          ? { actionOnTimeout: 'STOP_DEPLOYMENT', waitTimeInMinutes: options.readyWaitMinutes ?? 60 }
          : { actionOnTimeout: 'CONTINUE_DEPLOYMENT' },
        terminateBlueInstancesOnDeploymentSuccess: { action: 'TERMINATE', terminationWaitTimeInMinutes: options.terminationMinutes ?? 0 },
      },
      loadBalancerInfo: {
        targetGroupPairInfoList: [
          {
            targetGroups: [{ name: `${service}-blue`.slice(0, 32) }, { name: `${service}-green`.slice(0, 32) }],
            prodTrafficRoute: { listenerArns: [`arn:aws:elasticloadbalancing:${moto.region}:${account}:listener/app/${service}/1/80`] },
            testTrafficRoute: { listenerArns: [`arn:aws:elasticloadbalancing:${moto.region}:${account}:listener/app/${service}/1/8080`] },
          },
        ],
      },
      ecsServices: [{ clusterName: cluster, serviceName: service }],
      autoRollbackConfiguration: { enabled: options.autoRollback ?? true, events: ['DEPLOYMENT_FAILURE', 'DEPLOYMENT_STOP_ON_REQUEST'] },
    }),
  );
  const describe = async (): Promise<Service> =>
    (await ecs.send(new DescribeServicesCommand({ cluster, services: [service] }))).services![0]!;
  return { ecs, codedeploy, cluster, service, family, application, group, blueTd, describe };
}

/** The inputs that name a blue/green fixture's service and its CodeDeploy application and group. */
export function blueGreenTarget(fx: BlueGreenFixture): Record<string, string> {
  return { cluster: fx.cluster, service: fx.service, 'codedeploy-application': fx.application, 'codedeploy-deployment-group': fx.group };
}

/** The error a promise rejects with (undefined when it resolves), with the fields ExpeditorError carries. */
export const failure = (p: Promise<unknown>) =>
  p.then(
    () => undefined,
    (e: unknown) => e as Error & { unchanged?: string; next?: string; input?: string },
  );

/** deploy-ecs's plan from inputs as the runner passes them (validation included). */
export async function planFrom(
  inputs: Record<string, string>,
  workspace = mkdtempSync(join(tmpdir(), 'deploy-ecs-ws-')),
): Promise<DeployEcsPlan> {
  const read = readDeployEcsInputs(new ActionInputs(inputEnv(inputs)));
  return planDeployEcs(read, { workspace, sha: 'a'.repeat(40), runUrl: 'https://github.com/acme/shop/actions/runs/1' });
}

export type { BundleRun } from './bundle-run.ts';
export { inputEnv, root };

/**
 * Runs a committed bundle as the runner does: node24, INPUT_* variables, GITHUB_OUTPUT and summary
 * files. `action` is an action's name, or the path of another bundle's index.js (a peer's).
 */
export function runBundle(
  action: string,
  inputs: Record<string, string>,
  env: Record<string, string>,
  options: { workspace?: string; signalAfter?: (line: string) => boolean } = {},
): Promise<BundleRun> {
  return run(action, inputs, { GITHUB_SHA: 'b'.repeat(40), ...env }, { ...options, home: process.env.HOME });
}

/** GITHUB_OUTPUT as @actions/core writes it: `name<<DELIMITER\nvalue\nDELIMITER`. */
export const parseOutputs = parseFileCommands;

/** Calls the bed recorded for one action since `since` made with `account`'s key. */
export async function callsOf(moto: MotoPart, action: string, since: number, account?: string): Promise<{ at: number }[]> {
  const key = moto.clientConfig(account).credentials.accessKeyId;
  const answer = await moto.control<{ calls: { at: number; accessKeyId?: string; throttled: boolean }[] }>('calls', { action, since });
  return answer.calls.filter((c) => c.accessKeyId === key);
}

export function cloudwatchOf(moto: MotoPart, account?: string): CloudWatchClient {
  return new CloudWatchClient({ ...moto.clientConfig(account), maxAttempts: 1 });
}

/** A metric alarm in OK, as a team would have on its target group's 5xx count. */
export async function alarm(moto: MotoPart, prefix = 'shop-5xx', account?: string): Promise<string> {
  const name = unique(prefix);
  const cloudwatch = cloudwatchOf(moto, account);
  await cloudwatch.send(
    new PutMetricAlarmCommand({
      AlarmName: name,
      Namespace: 'AWS/ApplicationELB',
      MetricName: 'HTTPCode_Target_5XX_Count',
      Statistic: 'Sum',
      Period: 60,
      EvaluationPeriods: 1,
      Threshold: 5,
      ComparisonOperator: 'GreaterThanThreshold',
    }),
  );
  await cloudwatch.send(new SetAlarmStateCommand({ AlarmName: name, StateValue: 'OK', StateReason: 'quiet' }));
  return name;
}
