// deploy-ecs with the environment file (cluster, service, vars and secret references per
// environment, inputs winning), and AccessDenied: not retried, naming the IAM action and resource.
import { describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DescribeTaskDefinitionCommand, type ECSClient } from '@aws-sdk/client-ecs';
import { memoryLog } from '../../packages/shared/src/log.ts';
import { deployEcs } from '../../actions/deploy-ecs/src/deploy.ts';
import { useBed } from '../bed/vitest.ts';
import { blueGreenService, callsOf, clientsFor, digestImage, planFrom, rollingService, runBundle } from './deploy-ecs-bed.ts';

const bed = useBed(['moto']);
const timing = { minIntervalMs: 100, maxIntervalMs: 400, factor: 1.5 };

function workspaceWith(config: string): string {
  const ws = mkdtempSync(join(tmpdir(), 'ws-'));
  mkdirSync(join(ws, '.github'));
  writeFileSync(join(ws, '.github', 'expeditor.yml'), config);
  return ws;
}

const environmentFile = (account: string, cluster: string, service: string) =>
  [
    'app: shop',
    'image: { repository: 127.0.0.1:5000/shop/app }',
    'environments:',
    '  dev:',
    `    aws: { account: "${account}", region: us-west-2, role: "arn:aws:iam::${account}:role/deploy" }`,
    `    ecs: { cluster: ${cluster}, service: ${service}, strategy: rolling, container: app }`,
    '    vars: { NODE_ENV: development, LOG_LEVEL: debug }',
    `    secrets: { DB_PASSWORD: "arn:aws:secretsmanager:us-west-2:${account}:secret:db-AbCdEf", API_KEY: "arn:aws:ssm:us-west-2:${account}:parameter/shop/api-key" }`,
  ].join('\n');

describe('deploy-ecs with the environment file', () => {
  it('takes the cluster, service, vars and secret references from the environment; inputs win name by name', async () => {
    const account = bed.moto.defaultAccount;
    const fx = await rollingService(bed.moto, { executionRole: true });
    const ws = workspaceWith(environmentFile(account, fx.cluster, fx.service));
    const plan = await planFrom({ image: digestImage(), environment: 'dev', vars: 'LOG_LEVEL=info' }, ws);
    expect(plan.settings.rows()).toEqual(
      expect.arrayContaining([
        ['cluster', fx.cluster, 'environments.dev.ecs.cluster'],
        ['container', 'app', 'environments.dev.ecs.container'],
        ['variables', 'NODE_ENV, LOG_LEVEL', "environments.dev.vars + input 'vars'"],
        ['secrets', 'DB_PASSWORD, API_KEY', 'environments.dev.secrets'],
      ]),
    );
    const result = await deployEcs(plan, clientsFor(bed.moto), { log: memoryLog(), timing });
    expect(result.status).toBe('COMPLETED');
    const app = (
      await fx.ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: result.taskDefinitionArn }))
    ).taskDefinition!.containerDefinitions!.find((c) => c.name === 'app')!;
    expect(app.environment).toEqual(
      expect.arrayContaining([
        { name: 'NODE_ENV', value: 'development' },
        { name: 'LOG_LEVEL', value: 'info' },
        { name: 'KEEP', value: 'me' },
      ]),
    );
    expect(app.secrets).toEqual([
      { name: 'DB_PASSWORD', valueFrom: `arn:aws:secretsmanager:us-west-2:${account}:secret:db-AbCdEf` },
      { name: 'API_KEY', valueFrom: `arn:aws:ssm:us-west-2:${account}:parameter/shop/api-key` },
    ]);
  });

  it('refuses secrets for a task definition without an execution role, naming the environment’s secrets key, before any write', async () => {
    const fx = await rollingService(bed.moto, { executionRole: false });
    const ws = workspaceWith(environmentFile(bed.moto.defaultAccount, fx.cluster, fx.service));
    const since = Date.now();
    const error = await deployEcs(await planFrom({ image: digestImage(), environment: 'dev' }, ws), clientsFor(bed.moto), {
      log: memoryLog(),
      timing,
    }).then(
      () => undefined,
      (e: unknown) => e as Error & { key?: string },
    );
    expect(error?.message).toBe(
      `environments.dev.secrets: the task definition (family ${fx.family}) has no executionRoleArn, which ECS needs to read secrets`,
    );
    expect(error?.key).toBe('environments.dev.secrets');
    expect(await callsOf(bed.moto, 'RegisterTaskDefinition', since)).toHaveLength(0);
  });

  it('deploys through the bundle with only the image and the environment', async () => {
    const account = '444444444444';
    const fx = await rollingService(bed.moto, { account, executionRole: true });
    const ws = workspaceWith(environmentFile(account, fx.cluster, fx.service));
    const run = await runBundle('deploy-ecs', { image: digestImage(), environment: 'dev' }, bed.moto.env(account), { workspace: ws });
    expect(run.status, run.stdout + run.stderr).toBe(0);
    expect(run.outputs.status).toBe('COMPLETED');
    expect(run.summary).toContain(`| cluster | ${fx.cluster} | environments.dev.ecs.cluster |`);
  });

  it('an environment without strategy deploys a CodeDeploy service blue/green, found from the service (no codedeploy section)', async () => {
    const account = bed.moto.defaultAccount;
    const fx = await blueGreenService(bed.moto, { consoleNames: true });
    const file = environmentFile(account, fx.cluster, fx.service)
      .replace(', strategy: rolling, container: app', '')
      .split('\n')
      .filter((line) => !line.includes('secrets:'))
      .join('\n');
    const plan = await planFrom({ image: digestImage('127.0.0.1:5000/shop/web'), environment: 'dev' }, workspaceWith(file));
    expect(plan.strategy).toBe('auto');
    const result = await deployEcs(plan, clientsFor(bed.moto), { log: memoryLog(), timing });
    expect(result).toMatchObject({ strategy: 'blue-green', status: 'Succeeded' });
  });

  it('names an unknown key of the environment file with its line, before any request', async () => {
    const ws = workspaceWith(environmentFile('555555555555', 'c', 's').replace('strategy: rolling', 'strategy: rolling, replicas: 3'));
    const since = Date.now();
    const run = await runBundle('deploy-ecs', { image: digestImage(), environment: 'dev' }, bed.moto.env('555555555555'), {
      workspace: ws,
    });
    expect(run.status).toBe(1);
    expect(run.stdout).toContain('.github/expeditor.yml:6: environments.dev.ecs.replicas: unknown key');
    expect(await callsOf(bed.moto, 'DescribeServices', since, '555555555555')).toHaveLength(0);
  });
});

describe('deploy-ecs and AccessDenied', () => {
  it('does not retry an AccessDenied and names the IAM action and the resource', async () => {
    const fx = await rollingService(bed.moto);
    const clients = clientsFor(bed.moto);
    // Injected fault: the bed's moto does not enforce IAM policies, so this real client gets a
    // middleware that answers UpdateService the way AWS does for a role without the permission.
    let attempts = 0;
    (clients.ecs as ECSClient).middlewareStack.add(
      (next, context) => async (args) => {
        if ((context as { commandName?: string }).commandName === 'UpdateServiceCommand') {
          attempts++;
          throw Object.assign(
            new Error(
              `User: arn:aws:sts::123456789012:assumed-role/deploy/gha is not authorized to perform: ecs:UpdateService on resource: ${fx.service}`,
            ),
            {
              name: 'AccessDeniedException',
              $fault: 'client',
              $metadata: { httpStatusCode: 400 },
            },
          );
        }
        return next(args);
      },
      { step: 'initialize', name: 'bedAccessDenied' },
    );
    const error = await deployEcs(await planFrom({ image: digestImage(), cluster: fx.cluster, service: fx.service }), clients, {
      log: memoryLog(),
      timing,
    }).then(
      () => undefined,
      (e: unknown) => e as Error & { next?: string; unchanged?: string },
    );
    expect(attempts).toBe(1);
    expect(error?.message).toMatch(
      new RegExp(
        `^ecs:UpdateService on service ${fx.service} in cluster ${fx.cluster} was denied: AccessDeniedException \\(HTTP 400\\): User: .* is not authorized to perform: ecs:UpdateService`,
      ),
    );
    expect(error?.next).toBe(
      `allow ecs:UpdateService on service ${fx.service} in cluster ${fx.cluster} in the policy of the role this job uses (assume-env's role for the environment)`,
    );
    expect(error?.unchanged).toMatch(/^the service still runs .*:1; the new task definition is registered but not deployed$/);
    expect((await fx.describe()).taskDefinition).toBe(fx.firstTd);
  });
});
