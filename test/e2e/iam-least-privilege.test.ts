// The permission policies of docs/aws-setup.md §3 are enough, and what they grant is needed: on the
// bed's moto with IAM enforced for assumed-role credentials (test/bed/moto/bed_iam.py: each call
// authorized against the resource the Service Authorization Reference gives it, iam:PassRole
// checked, trust policies for role chaining), a role whose only permission policy is the JSON block
// under an action's heading — parsed from the doc, with its example names replaced by the bed's —
// runs the committed bundle (build-image: its core, whose push goes to the bed registry) to the end.
// The same run with one statement or action taken out fails with an AccessDenied naming it.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  CreateClusterCommand,
  CreateServiceCommand,
  DescribeServicesCommand,
  ECSClient,
  RegisterTaskDefinitionCommand,
} from '@aws-sdk/client-ecs';
import { CodeDeployClient, GetDeploymentCommand } from '@aws-sdk/client-codedeploy';
import { ECRClient } from '@aws-sdk/client-ecr';
import { CreateRoleCommand, IAMClient, PutRolePolicyCommand } from '@aws-sdk/client-iam';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { buildImage } from '../../actions/build-image/src/action.ts';
import { ecrApi } from '../../actions/build-image/src/ecr-client.ts';
import { deployEcs } from '../../actions/deploy-ecs/src/deploy.ts';
import { memoryLog } from '../../packages/shared/src/log.ts';
import { githubOidcRole, type TrustPolicy } from '../bed/aws-roles.ts';
import { useBed } from '../bed/vitest.ts';
import { jobWorkspace, noAmbientAws, root, runBundle, type BundleRun } from './bundle-run.ts';
import { buildOptions, noEngineEnv, rejection } from './build-image-bed.ts';
import {
  alarm,
  blueGreenService,
  blueGreenTarget,
  clientsFor,
  digestImage,
  planFrom,
  unique,
  until,
  type BlueGreenFixture,
} from './deploy-ecs-bed.ts';
import { deploymentManifest, image as eksImage, kubeconfigConnection, newNamespace, workspace, writeManifest } from './deploy-eks-bed.ts';

const bed = useBed(['oidc', 'moto', 'registry', 'k8s']);

/** The accounts of the doc's examples: the build account, an environment account, a tooling account. */
const BUILD = '123456789012';
const PROD = '333333333333';
const TOOLING = '999999999999';

// --- the doc ------------------------------------------------------------------------------------------
type Statement = { Sid?: string; Effect: string; Action: string | string[]; Resource?: string | string[]; [k: string]: unknown };
type Policy = { Version: string; Statement: Statement[] };

const doc = readFileSync(join(root, 'docs/aws-setup.md'), 'utf8');

/** The ```json blocks of the doc between the line starting with `from` and the next `### ` heading. */
function jsonBlocks(from: string): string[] {
  const start = doc.split('\n').findIndex((l) => l.startsWith(from));
  if (start < 0) throw new Error(`docs/aws-setup.md has no line starting with ${JSON.stringify(from)}`);
  const rest = doc.split('\n').slice(start + 1);
  const end = rest.findIndex((l) => l.startsWith('### ') || l.startsWith('## '));
  const section = rest.slice(0, end < 0 ? undefined : end).join('\n');
  return [...section.matchAll(/```json\n([\s\S]*?)\n```/g)].map((m) => m[1]!);
}

/** `text` with each example name replaced by the bed's (longest first, so no name eats another's part). */
function substitute(text: string, names: Record<string, string>): string {
  let out = text;
  for (const [from, to] of Object.entries(names).sort(([a], [b]) => b.length - a.length)) out = out.split(from).join(to);
  return out;
}

/** The permission policy under an action's heading in §3 (its first JSON block), with the bed's names. */
function documentedPolicy(heading: string, names: Record<string, string> = {}): Policy {
  const blocks = jsonBlocks(`### ${heading}`);
  if (!blocks.length) throw new Error(`no JSON block under ### ${heading}`);
  return JSON.parse(substitute(blocks[0]!, names)) as Policy;
}

/** The statements an action's heading adds for an option (its JSON block at `index`, a list), with the bed's names. */
function documentedAddition(heading: string, index: number, names: Record<string, string> = {}): Statement[] {
  const block = jsonBlocks(`### ${heading}`)[index];
  if (!block) throw new Error(`no JSON block ${index} under ### ${heading}`);
  return JSON.parse(substitute(block, names)) as Statement[];
}

const asList = (v: string | string[] | undefined): string[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

/** `policy` without the statement whose Sid is `sid`, or without `action` wherever it is granted (a statement left with none goes). */
function without(policy: Policy, what: { sid: string } | { action: string }): Policy {
  const statements = policy.Statement.flatMap((s) => {
    if ('sid' in what) return s.Sid === what.sid ? [] : [s];
    const actions = asList(s.Action).filter((a) => a !== what.action);
    return actions.length ? [{ ...s, Action: actions }] : [];
  });
  const removed = JSON.stringify(statements) !== JSON.stringify(policy.Statement);
  if (!removed) throw new Error(`the documented policy has nothing like ${JSON.stringify(what)} to take out`);
  return { ...policy, Statement: statements };
}

// --- roles on the bed ----------------------------------------------------------------------------------
const iam = (account: string) => new IAMClient(bed.moto.clientConfig(account));

/** Role `name` in `account` that the account itself may assume, with `policy` as its only permission policy. */
async function roleWith(account: string, name: string, policy: Policy | undefined): Promise<string> {
  const trust: TrustPolicy = {
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${account}:root` }, Action: 'sts:AssumeRole' }],
  };
  const role = await iam(account).send(new CreateRoleCommand({ RoleName: name, AssumeRolePolicyDocument: JSON.stringify(trust) }));
  if (policy) {
    await iam(account).send(new PutRolePolicyCommand({ RoleName: name, PolicyName: 'documented', PolicyDocument: JSON.stringify(policy) }));
  }
  return role.Role!.Arn!;
}

interface Session {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string;
}

/** A session of role `arn` (assumed with the account's bed key, which IAM enforcement leaves alone). */
async function sessionOf(account: string, arn: string): Promise<Session> {
  const sts = new STSClient(bed.moto.clientConfig(account));
  const { Credentials: c } = await sts.send(new AssumeRoleCommand({ RoleArn: arn, RoleSessionName: 'least-privilege' }));
  return { accessKeyId: c!.AccessKeyId!, secretAccessKey: c!.SecretAccessKey!, sessionToken: c!.SessionToken! };
}

/** A step's environment with only that session's credentials (no profile, no instance metadata). */
function sessionEnv(session: Session): Record<string, string> {
  return {
    ...noAmbientAws(jobWorkspace()),
    AWS_ENDPOINT_URL: bed.moto.endpoint,
    AWS_REGION: bed.moto.region,
    AWS_DEFAULT_REGION: bed.moto.region,
    AWS_ACCESS_KEY_ID: session.accessKeyId,
    AWS_SECRET_ACCESS_KEY: session.secretAccessKey,
    AWS_SESSION_TOKEN: session.sessionToken,
  };
}

/** The role's session environment: role `name` with `policy` in `account`, assumed. */
async function asRole(account: string, policy: Policy | undefined): Promise<{ env: Record<string, string>; session: Session }> {
  const arn = await roleWith(account, unique('least'), policy);
  const session = await sessionOf(account, arn);
  return { env: sessionEnv(session), session };
}

interface Denial {
  action: string;
  resource: string;
  principal: string;
}

/** What the bed denied since the last call. */
async function denials(): Promise<Denial[]> {
  return (await bed.moto.control<{ denied: Denial[] }>('iam', { reset: true })).denied;
}

/** A run that passed, with nothing denied on the way. */
async function expectPassed(run: BundleRun): Promise<void> {
  expect(run.log).not.toMatch(/::error/);
  expect(run.status, run.log).toBe(0);
  expect(await denials()).toEqual([]);
}

/** A run that failed on `action` (the bundle's ::error names it, as AWS's message does) and the bed denied exactly that. */
async function expectDenied(run: BundleRun, action: string, resource: string | RegExp): Promise<void> {
  expect(run.status, run.log).toBe(1);
  const error = run.stdout.split('\n').find((l) => l.startsWith('::error'));
  const named = `not authorized to perform: ${action} on resource: `;
  expect(error, run.log).toContain(named);
  const denied = await denials();
  expect(denied.map((d) => d.action)).toEqual([action]);
  if (typeof resource === 'string') expect(denied[0]!.resource).toBe(resource);
  else expect(denied[0]!.resource).toMatch(resource);
  expect(error).toContain(`${named}${denied[0]!.resource} `);
}

/** The IAM actions a policy grants. */
const granted = (policy: Policy): string[] => [...new Set(policy.Statement.flatMap((s) => asList(s.Action)))].sort();

/** The IAM actions of the calls the bed recorded from `session` (iam:PassRole is no call: it rides on the call that passes the role). */
async function calledBy(session: Session): Promise<string[]> {
  const answer = await bed.moto.control<{ calls: { service: string; action: string; accessKeyId?: string }[] }>('calls', {});
  const prefix = (service: string) => (service === 'monitoring' ? 'cloudwatch' : service);
  return [
    ...new Set(answer.calls.filter((c) => c.accessKeyId === session.accessKeyId).map((c) => `${prefix(c.service)}:${c.action}`)),
  ].sort();
}

/**
 * Every action the policy grants was called on this path, but those `unused` names (used on other
 * paths, or no call of their own); and nothing was called that it does not grant.
 */
async function expectUsed(policy: Policy, session: Session, unused: string[]): Promise<void> {
  const called = await calledBy(session);
  const free = ['sts:GetCallerIdentity'];
  expect(called.filter((a) => !free.includes(a) && !granted(policy).includes(a))).toEqual([]);
  expect(granted(policy).filter((a) => !called.includes(a))).toEqual([...unused].sort());
}

beforeAll(async () => {
  await bed.moto.control('iam', { enforce: true });
});
// Each test sees only its own denials.
beforeEach(async () => {
  await denials();
});

// --- deploy-ecs -------------------------------------------------------------------------------------------
interface RollingService {
  cluster: string;
  service: string;
  firstTd: string;
  names: Record<string, string>;
}

/** A rolling service whose task definition has the doc's task role and execution role (so a new revision passes them). */
async function rollingService(): Promise<RollingService> {
  const ecs = new ECSClient(bed.moto.clientConfig(PROD));
  const cluster = unique('cluster');
  const service = unique('svc');
  await ecs.send(new CreateClusterCommand({ clusterName: cluster }));
  const td = await ecs.send(
    new RegisterTaskDefinitionCommand({
      family: unique('family'),
      taskRoleArn: `arn:aws:iam::${PROD}:role/app-task`,
      executionRoleArn: `arn:aws:iam::${PROD}:role/app-task-execution`,
      containerDefinitions: [
        { name: 'app', image: '127.0.0.1:5000/shop/app:1', memory: 128, essential: true, portMappings: [{ containerPort: 8080 }] },
      ],
    }),
  );
  const firstTd = td.taskDefinition!.taskDefinitionArn!;
  await ecs.send(new CreateServiceCommand({ cluster, serviceName: service, taskDefinition: firstTd, desiredCount: 2 }));
  await until(
    async () => (await ecs.send(new DescribeServicesCommand({ cluster, services: [service] }))).services![0]!,
    (s) => s.deployments?.[0]?.rolloutState === 'COMPLETED',
  );
  return { cluster, service, firstTd, names: { 'prod-cluster': cluster, 'app-service': service } };
}

const describeService = async (cluster: string, service: string) =>
  (await new ECSClient(bed.moto.clientConfig(PROD)).send(new DescribeServicesCommand({ cluster, services: [service] }))).services![0]!;

/** A blue/green service whose CodeDeploy application and group have the console's names, as the doc's ARNs do. */
async function blueGreen(waitForReroute: boolean): Promise<BlueGreenFixture & { names: Record<string, string> }> {
  const fx = await blueGreenService(bed.moto, { account: PROD, consoleNames: true, waitForReroute });
  return { ...fx, names: { 'prod-cluster': fx.cluster, 'app-service': fx.service } };
}

describe('deploy-ecs with the documented policy (### deploy-ecs)', () => {
  /** deploy-ecs on a rolling service, with a one-off task (a migration) before the update. */
  const rolling = (fx: RollingService, env: Record<string, string>): Promise<BundleRun> =>
    runBundle(
      'deploy-ecs',
      {
        image: digestImage(),
        cluster: fx.cluster,
        service: fx.service,
        'run-task': 'true',
        'run-task-launch-type': 'EC2',
        'run-task-command': 'migrate',
      },
      { GITHUB_SHA: 'b'.repeat(40), ...env },
    );

  it('rolling with a one-off task: registers (passing the task and execution roles), runs the task, updates the service, with nothing denied', async () => {
    const fx = await rollingService();
    const policy = documentedPolicy('deploy-ecs', fx.names);
    const { env, session } = await asRole(PROD, policy);
    const run = await rolling(fx, env);
    await expectPassed(run);
    await expectUsed(policy, session, [
      // CodeDeploy: blue/green services only.
      'codedeploy:CreateDeployment',
      'codedeploy:GetDeployment',
      'codedeploy:GetDeploymentConfig',
      'codedeploy:GetDeploymentGroup',
      'codedeploy:GetDeploymentTarget',
      'codedeploy:ListDeploymentTargets',
      'codedeploy:ListDeployments',
      'codedeploy:StopDeployment',
      // Why a rollout's tasks stopped; a one-off task stopped on cancellation or timeout.
      'ecs:ListTasks',
      'ecs:StopTask',
      // Checked on RegisterTaskDefinition (the bed denies it when missing), no call of its own.
      'iam:PassRole',
    ]);
    expect(run.outputs.status).toBe('COMPLETED');
    expect(run.stdout).toMatch(/running a one-off task of .* in cluster /);
    expect((await describeService(fx.cluster, fx.service)).taskDefinition).toBe(run.outputs['task-definition-arn']);
  });

  it("rolling, with ItsTasks' ecs:cluster condition naming another cluster: RunTask is refused, the service is not updated", async () => {
    const fx = await rollingService();
    const policy = documentedPolicy('deploy-ecs', fx.names);
    const tasks = policy.Statement.find((s) => s.Sid === 'ItsTasks')!;
    tasks.Condition = JSON.parse(JSON.stringify(tasks.Condition).split(`cluster/${fx.cluster}"`).join('cluster/another"'));
    const { env } = await asRole(PROD, policy);
    const run = await rolling(fx, env);
    await expectDenied(run, 'ecs:RunTask', new RegExp(`^arn:aws:ecs:us-west-2:${PROD}:task-definition/family-\\d+-\\d+:2$`));
    expect((await describeService(fx.cluster, fx.service)).taskDefinition).toBe(fx.firstTd);
  });

  it('rolling, without PassTheTaskRoles: RegisterTaskDefinition is refused for iam:PassRole, the service keeps its task definition', async () => {
    const fx = await rollingService();
    const { env } = await asRole(PROD, without(documentedPolicy('deploy-ecs', fx.names), { sid: 'PassTheTaskRoles' }));
    const run = await runBundle(
      'deploy-ecs',
      { image: digestImage(), cluster: fx.cluster, service: fx.service },
      { GITHUB_SHA: 'b'.repeat(40), ...env },
    );
    await expectDenied(run, 'iam:PassRole', `arn:aws:iam::${PROD}:role/app-task`);
    expect(run.stdout).toContain('::error::deploy-ecs: ecs:RegisterTaskDefinition on ');
    expect((await describeService(fx.cluster, fx.service)).taskDefinition).toBe(fx.firstTd);
  });

  it('rolling, without ecs:UpdateService: the update is refused, naming the action and the service', async () => {
    const fx = await rollingService();
    const { env } = await asRole(PROD, without(documentedPolicy('deploy-ecs', fx.names), { action: 'ecs:UpdateService' }));
    const run = await runBundle(
      'deploy-ecs',
      { image: digestImage(), cluster: fx.cluster, service: fx.service },
      { GITHUB_SHA: 'b'.repeat(40), ...env },
    );
    await expectDenied(run, 'ecs:UpdateService', `arn:aws:ecs:us-west-2:${PROD}:service/${fx.cluster}/${fx.service}`);
    expect(run.stdout).toContain(`::error::deploy-ecs: ecs:UpdateService on `);
    expect((await describeService(fx.cluster, fx.service)).taskDefinition).toBe(fx.firstTd);
  });

  it('blue/green (CodeDeploy): creates the deployment and follows it to Succeeded, with nothing denied', async () => {
    const fx = await blueGreen(false);
    const policy = documentedPolicy('deploy-ecs', fx.names);
    const { env, session } = await asRole(PROD, policy);
    const run = await runBundle(
      'deploy-ecs',
      { image: digestImage('127.0.0.1:5000/shop/web'), cluster: fx.cluster, service: fx.service },
      env,
    );
    await expectPassed(run);
    await expectUsed(policy, session, [
      // Read when the deployment is not followed through its target; a deployment whose
      // CreateDeployment answer was lost is found by listing; stopped on a deadline or cancellation.
      'codedeploy:GetDeployment',
      'codedeploy:ListDeploymentTargets',
      'codedeploy:ListDeployments',
      'codedeploy:StopDeployment',
      // Rolling services and one-off tasks only; this task definition passes no role.
      'ecs:DescribeTasks',
      'ecs:ListTasks',
      'ecs:RunTask',
      'ecs:StopTask',
      'ecs:UpdateService',
      'iam:PassRole',
    ]);
    expect(run.outputs.status).toBe('Succeeded');
    expect((await fx.describe()).taskDefinition).toBe(run.outputs['task-definition-arn']);
  });

  it('blue/green, without codedeploy:CreateDeployment: refused on the deployment group, nothing deployed', async () => {
    const fx = await blueGreen(false);
    const { env } = await asRole(PROD, without(documentedPolicy('deploy-ecs', fx.names), { action: 'codedeploy:CreateDeployment' }));
    const run = await runBundle(
      'deploy-ecs',
      { image: digestImage('127.0.0.1:5000/shop/web'), cluster: fx.cluster, service: fx.service },
      env,
    );
    await expectDenied(
      run,
      'codedeploy:CreateDeployment',
      `arn:aws:codedeploy:us-west-2:${PROD}:deploymentgroup:${fx.application}/${fx.group}`,
    );
    expect((await fx.describe()).taskDefinition).toBe(fx.blueTd);
  });
});

describe('deploy-ecs with alarms, and its stop on a deadline, with the documented policy (### deploy-ecs)', () => {
  const withAlarms = (policy: Policy, names: Record<string, string>, sids: string[]): Policy => ({
    ...policy,
    Statement: [...policy.Statement, ...documentedAddition('deploy-ecs', 1, names).filter((s) => sids.includes(s.Sid ?? ''))],
  });

  it('rolling with an alarm: with the TheAlarms statement the doc adds, the rollout completes watched by it, with nothing denied', async () => {
    const fx = await rollingService();
    const name = await alarm(bed.moto, 'shop-5xx', PROD);
    const names = { ...fx.names, 'shop-5xx': name };
    const policy = withAlarms(documentedPolicy('deploy-ecs', names), names, ['TheAlarms']);
    const { env, session } = await asRole(PROD, policy);
    const run = await runBundle(
      'deploy-ecs',
      { image: digestImage(), cluster: fx.cluster, service: fx.service, alarms: name },
      { GITHUB_SHA: 'b'.repeat(40), ...env },
    );
    await expectPassed(run);
    expect(await calledBy(session)).toContain('cloudwatch:DescribeAlarms');
    const service = await describeService(fx.cluster, fx.service);
    expect(service.taskDefinition).toBe(run.outputs['task-definition-arn']);
    expect(service.deploymentConfiguration?.alarms?.alarmNames).toEqual([name]);
  });

  it('rolling with an alarm, without TheAlarms: refused on the alarm before anything is registered', async () => {
    const fx = await rollingService();
    const name = await alarm(bed.moto, 'shop-5xx', PROD);
    const { env } = await asRole(PROD, documentedPolicy('deploy-ecs', fx.names));
    const run = await runBundle(
      'deploy-ecs',
      { image: digestImage(), cluster: fx.cluster, service: fx.service, alarms: name },
      { GITHUB_SHA: 'b'.repeat(40), ...env },
    );
    await expectDenied(run, 'cloudwatch:DescribeAlarms', `arn:aws:cloudwatch:us-west-2:${PROD}:alarm:${name}`);
    const service = await describeService(fx.cluster, fx.service);
    expect(service.taskDefinition).toBe(fx.firstTd);
    expect(service.deploymentConfiguration?.alarms?.alarmNames ?? []).toEqual([]);
  });

  it('blue/green with an alarm: with both statements the doc adds, the group gets the alarm and the deployment succeeds, nothing denied', async () => {
    const fx = await blueGreen(false);
    const name = await alarm(bed.moto, 'shop-5xx', PROD);
    const names = { ...fx.names, 'shop-5xx': name };
    const policy = withAlarms(documentedPolicy('deploy-ecs', names), names, ['TheAlarms', 'AlarmsOnTheGroup']);
    const { env, session } = await asRole(PROD, policy);
    const run = await runBundle(
      'deploy-ecs',
      { image: digestImage('127.0.0.1:5000/shop/web'), cluster: fx.cluster, service: fx.service, alarms: name },
      env,
    );
    await expectPassed(run);
    expect(await calledBy(session)).toEqual(expect.arrayContaining(['cloudwatch:DescribeAlarms', 'codedeploy:UpdateDeploymentGroup']));
    expect(run.outputs.status).toBe('Succeeded');
  });

  it('blue/green held at Ready past its timeout: deploy-ecs stops the deployment with rollback (codedeploy:StopDeployment), nothing denied', async () => {
    const fx = await blueGreen(true);
    const { env } = await asRole(PROD, documentedPolicy('deploy-ecs', fx.names));
    const run = await runBundle(
      'deploy-ecs',
      { image: digestImage('127.0.0.1:5000/shop/web'), cluster: fx.cluster, service: fx.service, timeout: '20s' },
      env,
    );
    expect(run.status, run.log).toBe(1);
    expect(await denials()).toEqual([]);
    expect(run.stdout).toMatch(/stopped with rollback/);
    const id = /deployment (d-[A-Z0-9]+)/.exec(run.stdout)?.[1];
    expect(id, run.log).toBeDefined();
    const deployment = await new CodeDeployClient(bed.moto.clientConfig(PROD)).send(new GetDeploymentCommand({ deploymentId: id }));
    expect(deployment.deploymentInfo?.status).toBe('Stopped');
    expect((await fx.describe()).taskDefinition).toBe(fx.blueTd);
  });
});

// --- bluegreen-switch ECS -----------------------------------------------------------------------------------
/** A blue/green service with a deployment held at Ready (made with the bed's own keys). */
async function heldAtReady(): Promise<BlueGreenFixture & { names: Record<string, string>; deploymentId: string; greenTd: string }> {
  const fx = await blueGreen(true);
  const plan = await planFrom({ image: digestImage('127.0.0.1:5000/shop/web'), ...blueGreenTarget(fx), 'wait-until': 'ready' });
  const ready = await deployEcs(plan, clientsFor(bed.moto, PROD), {
    log: memoryLog(),
    timing: { minIntervalMs: 100, maxIntervalMs: 400, factor: 1.5 },
  });
  expect(ready.status).toBe('Ready');
  return { ...fx, deploymentId: ready.deploymentId, greenTd: ready.taskDefinitionArn };
}

describe('bluegreen-switch on ECS with the documented policy (### bluegreen-switch)', () => {
  it('switches the deployment held at Ready to Succeeded, then rolls it back (a new deployment of blue), with nothing denied', async () => {
    const fx = await heldAtReady();
    const policy = documentedPolicy('bluegreen-switch', fx.names);
    const { env, session } = await asRole(PROD, policy);
    const run = await runBundle('bluegreen-switch', { platform: 'ecs', cluster: fx.cluster, service: fx.service }, env);
    await expectPassed(run);
    expect(run.outputs).toMatchObject({ switched: 'true', status: 'Succeeded', 'deployment-id': fx.deploymentId, to: fx.greenTd });

    const back = await runBundle(
      'bluegreen-switch',
      { platform: 'ecs', action: 'rollback', 'deployment-id': fx.deploymentId, cluster: fx.cluster, service: fx.service },
      env,
    );
    await expectPassed(back);
    expect(back.outputs).toMatchObject({ status: 'Succeeded', from: fx.greenTd, to: fx.blueTd, switched: 'true' });
    expect((await fx.describe()).taskDefinition).toBe(fx.blueTd);
    // Step checks (the deployment config) and stopping a deployment still at Ready are other paths.
    await expectUsed(policy, session, ['codedeploy:GetDeploymentConfig', 'codedeploy:StopDeployment']);
  });

  it('without codedeploy:ContinueDeployment: refused, the deployment stays at Ready', async () => {
    const fx = await heldAtReady();
    const { env } = await asRole(
      PROD,
      without(documentedPolicy('bluegreen-switch', fx.names), { action: 'codedeploy:ContinueDeployment' }),
    );
    const run = await runBundle('bluegreen-switch', { platform: 'ecs', cluster: fx.cluster, service: fx.service }, env);
    await expectDenied(run, 'codedeploy:ContinueDeployment', '*');
    const deployment = await fx.codedeploy.send(new GetDeploymentCommand({ deploymentId: fx.deploymentId }));
    expect(deployment.deploymentInfo?.status).toBe('Ready');
  });
});

// --- deploy-eks (EKS path) -------------------------------------------------------------------------------------
describe('deploy-eks on the EKS path with the documented policy (### deploy-eks)', () => {
  async function eksRun(
    policy: (cluster: string) => Policy | undefined,
  ): Promise<{ run: BundleRun; cluster: string; ns: string; session: Session; policy: Policy | undefined }> {
    const cluster = unique('app-cluster');
    await bed.k8s.eks!.createCluster(cluster, { account: PROD });
    const c = await kubeconfigConnection(bed.k8s);
    const ns = await newNamespace(c, unique('least'));
    const ws = workspace();
    const manifest = writeManifest(ws, 'shop.yaml', deploymentManifest('shop', { replicas: 1, ports: [8080] }));
    const documented = policy(cluster);
    const { env, session } = await asRole(PROD, documented);
    const run = await runBundle(
      'deploy-eks',
      { image: eksImage(1), services: 'shop', namespace: ns, manifest, cluster },
      { GITHUB_SHA: 'b'.repeat(40), ...env, AWS_ENDPOINT_URL_STS: bed.k8s.eks!.stsEndpoint },
      { workspace: ws },
    );
    return { run, cluster, ns, session, policy: documented };
  }

  it('DescribeCluster and its own token: the first deploy is ready, with nothing denied', async () => {
    const since = Date.now();
    const { run, cluster, session, policy } = await eksRun((name) => documentedPolicy('deploy-eks', { 'app-cluster-prod': name }));
    await expectPassed(run);
    await expectUsed(policy!, session, []);
    expect(run.outputs).toMatchObject({ 'target-color': 'blue', ready: 'true' });
    // The apiserver knew the run by the role (its EKS token, signed with the role's session), not as the bed.
    const reviews = bed.k8s.eks!.reviews().filter((r) => r.at >= since && r.cluster === cluster && r.authenticated);
    expect(reviews.map((r) => r.arn)).toContainEqual(expect.stringMatching(new RegExp(`^arn:aws:iam::${PROD}:role/least-`)));
  });

  it('without its one statement: eks:DescribeCluster is refused on the cluster, nothing is written', async () => {
    const { run, cluster, ns } = await eksRun(() => undefined);
    await expectDenied(run, 'eks:DescribeCluster', `arn:aws:eks:us-west-2:${PROD}:cluster/${cluster}`);
    expect(run.stdout).toContain(`eks:DescribeCluster on ${cluster} was denied`);
    const c = await kubeconfigConnection(bed.k8s);
    expect((await c.apps.listNamespacedDeployment({ namespace: ns })).items).toEqual([]);
  });
});

// --- build-image (ECR) -------------------------------------------------------------------------------------------
describe("build-image's ECR part with the documented policy (### build-image)", () => {
  const ecrHost = `${BUILD}.dkr.ecr.us-west-2.amazonaws.com`;
  /** moto's GetAuthorizationToken answers AWS:<account>-auth-token; this is its bcrypt for htpasswd. */
  const ecrPassword = `${BUILD}-auth-token`;
  const ecrPasswordBcrypt = '$2b$05$IJ5K4Ck.h1rYBEwKWC/60eckuBYbdnVPqejud69xW5EV8A47nEeAa';

  /** The core with create-repository, its ECR client on the role's session, the bed registry standing in for the ECR host. */
  async function build(name: string, policy: (repository: string) => Policy) {
    const repository = `demo/${name}`;
    const { session } = await asRole(BUILD, policy(repository));
    const registry = await bed.registry.startAuthenticated({ username: 'AWS', password: ecrPassword, bcrypt: ecrPasswordBcrypt });
    const client = new ECRClient({ endpoint: bed.moto.endpoint, region: bed.moto.region, credentials: session, maxAttempts: 1 });
    const opts = buildOptions(bed, name, {
      repository: `${ecrHost}/${repository}`,
      createRepository: true,
      env: noEngineEnv(bed.registry),
      log: memoryLog(),
      ecr: async () => ecrApi(client),
      registryAddresses: { [ecrHost]: registry.host },
    });
    return { opts, repository, registry, session };
  }

  it('logs in, creates the repository and pushes, with nothing denied', async () => {
    const name = unique('least-app');
    const policy = (repository: string) => documentedPolicy('build-image', { 'demo-app': repository });
    const { opts, registry, session, repository } = await build(name, policy);
    try {
      const result = await buildImage(opts);
      expect(result.digest).toMatch(/^sha256:/);
      expect(opts.log.lines).toContain(`Created ECR repository demo/${name} (tag immutability and scan on push on)`);
      expect(await denials()).toEqual([]);
      // The push itself goes to the bed registry standing in for ECR's registry host: the registry
      // actions are granted by the doc but not exercised here.
      await expectUsed(policy(repository), session, [
        'ecr:BatchCheckLayerAvailability',
        'ecr:BatchGetImage',
        'ecr:CompleteLayerUpload',
        'ecr:GetDownloadUrlForLayer',
        'ecr:InitiateLayerUpload',
        'ecr:PutImage',
        'ecr:UploadLayerPart',
      ]);
    } finally {
      await registry.stop();
    }
  });

  it.each([
    { sid: 'Login', action: 'ecr:GetAuthorizationToken', resource: () => '*' },
    {
      sid: 'OnlyWithCreateRepository',
      action: 'ecr:DescribeRepositories',
      resource: (r: string) => `arn:aws:ecr:us-west-2:${BUILD}:repository/${r}`,
    },
  ])('without $sid: $action is refused, nothing is built', async ({ sid, action, resource }) => {
    const name = unique('least-denied');
    const { opts, repository, registry } = await build(name, (r) => without(documentedPolicy('build-image', { 'demo-app': r }), { sid }));
    try {
      const error = await rejection(buildImage(opts));
      expect(error.message).toContain(`not authorized to perform: ${action} on resource: ${resource(repository)}`);
      expect((error as Error & { next?: string }).next).toContain(`the role needs ${action}`);
      expect((await denials()).map((d) => [d.action, d.resource])).toEqual([[action, resource(repository)]]);
      expect(await bed.registry.digest(repository, opts.tag)).toBeUndefined();
    } finally {
      await registry.stop();
    }
  });
});

// --- assume-env (role chaining) -----------------------------------------------------------------------------------
describe('assume-env chaining with the documented policy (### assume-env) and chained-role trust (§2)', () => {
  /** The tooling account's OIDC role with `policy`, and the environment's role trusting it as §2 writes it. */
  async function chain(policy: (target: string) => Policy): Promise<{ oidcRole: string; target: string }> {
    const oidcName = unique('github-oidc');
    const targetName = unique('deploy');
    const oidcRole = await githubOidcRole(bed, { account: TOOLING, subject: { sub: 'repo:acme/shop:environment:prod' }, name: oidcName });
    const documentedPolicy = policy(targetName);
    await iam(TOOLING).send(
      new PutRolePolicyCommand({ RoleName: oidcName, PolicyName: 'documented', PolicyDocument: JSON.stringify(documentedPolicy) }),
    );
    const statement = JSON.parse(substitute(jsonBlocks('**A chained role**')[0]!, { 'role/github-oidc': `role/${oidcName}` })) as Statement;
    const trust: TrustPolicy = { Version: '2012-10-17', Statement: [statement] };
    const target = await iam(PROD)
      .send(new CreateRoleCommand({ RoleName: targetName, AssumeRolePolicyDocument: JSON.stringify(trust) }))
      .then((r) => r.Role!.Arn!);
    return { oidcRole, target };
  }

  const assumeEnv = (oidcRole: string, target: string): Promise<BundleRun> => {
    bed.oidc.setClaims({ environment: 'prod' });
    const dir = jobWorkspace(undefined, 'least-assume-');
    return runBundle(
      'assume-env',
      { 'role-arn': oidcRole, 'chain-role-arn': target, region: 'us-west-2' },
      {
        ...noAmbientAws(dir),
        ACTIONS_ID_TOKEN_REQUEST_URL: bed.oidc.requestUrl,
        ACTIONS_ID_TOKEN_REQUEST_TOKEN: bed.oidc.requestToken,
        AWS_ENDPOINT_URL: bed.moto.endpoint,
      },
      { workspace: dir },
    );
  };

  const policyFor = (target: string): Policy => documentedPolicy('assume-env', { 'role/deploy': `role/${target}` });

  it('the OIDC role assumes the environment role with session tags; nothing denied', async () => {
    const { oidcRole, target } = await chain(policyFor);
    const run = await assumeEnv(oidcRole, target);
    await expectPassed(run);
    expect(run.outputs).toMatchObject({ account: PROD, 'role-arn': target });
    expect(run.stdout).toContain(`verified: arn:aws:sts::${PROD}:assumed-role/`);
  });

  it('without sts:TagSession: the chained AssumeRole is refused, naming it; nothing exported', async () => {
    const { oidcRole, target } = await chain((t) => without(policyFor(t), { action: 'sts:TagSession' }));
    const run = await assumeEnv(oidcRole, target);
    await expectDenied(run, 'sts:TagSession', target);
    expect(run.exported).toEqual({});
  });
});
