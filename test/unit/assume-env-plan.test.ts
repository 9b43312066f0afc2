import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { AssumeEnvInputs } from '../../actions/assume-env/src/inputs.ts';
import { planAssume } from '../../actions/assume-env/src/plan.ts';
import { ExpeditorError } from '../../packages/shared/src/errors.ts';

const file = `# yaml-language-server: $schema=../schema/expeditor.schema.json
app: shop
image: { repository: 123456789012.dkr.ecr.us-west-2.amazonaws.com/shop }
environments:
  dev:
    aws: { account: "111111111111", region: us-west-2, role: "arn:aws:iam::111111111111:role/gh-deploy-dev" }
    ecs: { cluster: dev, service: shop-web, strategy: rolling }
  staging:
    aws: { account: "222222222222", region: eu-west-1, role: "arn:aws:iam::444444444444:role/gh-oidc", chain-role: "arn:aws:iam::222222222222:role/deploy" }
    ecs: { cluster: staging, service: shop-web, strategy: blue-green }
    promote-from: dev
  prod:
    aws: { account: "333333333333", region: us-east-1, role: "arn:aws:iam::333333333333:role/gh-deploy-prod" }
    eks: { cluster: prod, namespace: shop, strategy: blue-green, route: ingress }
    promote-from: staging
`;

const context = {
  workspace: '',
  repository: 'acme/shop',
  runId: '7512345678',
  runAttempt: '2',
  workflow: 'deploy',
  sha: '3f9c2d81a0b4e5c6d7e8f90123456789abcdef01',
  actor: 'octocat',
};

const none: AssumeEnvInputs = {
  environment: undefined,
  config: '.github/expeditor.yml',
  roleArn: undefined,
  chainRoleArn: undefined,
  account: undefined,
  region: undefined,
  audience: undefined,
  roleSessionName: undefined,
  durationSeconds: 3600,
  sessionTags: true,
  timeoutMs: 120_000,
};

beforeAll(() => {
  context.workspace = mkdtempSync(join(tmpdir(), 'assume-env-plan-'));
  mkdirSync(join(context.workspace, '.github'));
  writeFileSync(join(context.workspace, '.github', 'expeditor.yml'), file);
});

const plan = (inputs: Partial<AssumeEnvInputs>) => planAssume({ ...none, ...inputs }, context);

describe('planAssume: inputs over the environment file', () => {
  it.each([
    ['the file alone', { environment: 'dev' }, '111111111111', 'us-west-2', 'arn:aws:iam::111111111111:role/gh-deploy-dev', undefined],
    [
      'the file, chained',
      { environment: 'staging' },
      '222222222222',
      'eu-west-1',
      'arn:aws:iam::444444444444:role/gh-oidc',
      'arn:aws:iam::222222222222:role/deploy',
    ],
    [
      'region input over the file',
      { environment: 'prod', region: 'us-west-2' },
      '333333333333',
      'us-west-2',
      'arn:aws:iam::333333333333:role/gh-deploy-prod',
      undefined,
    ],
    [
      'role input over the file',
      { environment: 'prod', roleArn: 'arn:aws:iam::333333333333:role/break-glass' },
      '333333333333',
      'us-east-1',
      'arn:aws:iam::333333333333:role/break-glass',
      undefined,
    ],
    [
      'no environment: inputs only',
      { roleArn: 'arn:aws:iam::555555555555:role/ci', region: 'ap-southeast-2' },
      '555555555555',
      'ap-southeast-2',
      'arn:aws:iam::555555555555:role/ci',
      undefined,
    ],
  ])('%s', async (_what, inputs, account, region, roleArn, chainRoleArn) => {
    const p = await plan(inputs);
    expect({ account: p.account, region: p.region, roleArn: p.roleArn, chainRoleArn: p.chainRoleArn }).toEqual({
      account,
      region,
      roleArn,
      chainRoleArn,
    });
  });

  it.each([
    [
      'the file',
      { environment: 'prod' },
      [
        ['environment', 'prod', "input 'environment'"],
        ['role', 'arn:aws:iam::333333333333:role/gh-deploy-prod', 'environments.prod.aws.role'],
        ['region', 'us-east-1', 'environments.prod.aws.region'],
        ['account', '333333333333', 'environments.prod.aws.account'],
        ['audience', 'sts.amazonaws.com', 'the partition of region us-east-1'],
        ['session name', 'gha-acme-shop-7512345678-2', 'the repository and run'],
      ],
      {
        account: { key: 'environments.prod.aws.account' },
        region: { key: 'environments.prod.aws.region' },
        role: { key: 'environments.prod.aws.role' },
      },
    ],
    [
      'inputs over the file',
      { environment: 'prod', region: 'us-west-2', roleSessionName: 'release-v1.4.2' },
      [
        ['environment', 'prod', "input 'environment'"],
        ['role', 'arn:aws:iam::333333333333:role/gh-deploy-prod', 'environments.prod.aws.role'],
        ['region', 'us-west-2', "input 'region'"],
        ['account', '333333333333', 'environments.prod.aws.account'],
        ['audience', 'sts.amazonaws.com', 'the partition of region us-west-2'],
        ['session name', 'release-v1.4.2', "input 'role-session-name'"],
      ],
      { account: { key: 'environments.prod.aws.account' }, region: { input: 'region' }, role: { key: 'environments.prod.aws.role' } },
    ],
    [
      'inputs only: the account from the role',
      { roleArn: 'arn:aws:iam::555555555555:role/ci', region: 'ap-southeast-2' },
      [
        ['role', 'arn:aws:iam::555555555555:role/ci', "input 'role-arn'"],
        ['region', 'ap-southeast-2', "input 'region'"],
        ['account', '555555555555', "the account of input 'role-arn'"],
        ['audience', 'sts.amazonaws.com', 'the partition of region ap-southeast-2'],
        ['session name', 'gha-acme-shop-7512345678-2', 'the repository and run'],
      ],
      { account: { input: 'role-arn' }, region: { input: 'region' }, role: { input: 'role-arn' } },
    ],
  ])('where each value came from: %s', async (_what, inputs, rows, origin) => {
    const p = await plan(inputs);
    expect(p.settings.rows()).toEqual(rows);
    expect(p.origin).toMatchObject(origin);
  });

  it.each([
    ['chained from the file, tags on', { environment: 'staging' }, ['Repository', 'Workflow', 'RunId', 'Commit', 'Actor', 'Environment']],
    ['chained from the file, tags off', { environment: 'staging', sessionTags: false }, []],
    ['not chained', { environment: 'prod' }, []],
    [
      'chained by input, no environment',
      { roleArn: 'arn:aws:iam::444444444444:role/gh-oidc', chainRoleArn: 'arn:aws:iam::555555555555:role/deploy', region: 'us-east-1' },
      ['Repository', 'Workflow', 'RunId', 'Commit', 'Actor'],
    ],
  ])('session tags: %s', async (_what, inputs, keys) => {
    expect((await plan(inputs)).chainTags.map((tag) => tag.Key)).toEqual(keys);
  });

  it.each([
    [
      "an account input that contradicts the file's role",
      { environment: 'prod', account: '222222222222' },
      { input: 'account' },
      "input 'account': the credentials must belong to account 222222222222, but the role arn:aws:iam::333333333333:role/gh-deploy-prod (environments.prod.aws.role) is in account 333333333333",
    ],
    [
      "a role input in another account than the file's",
      { environment: 'dev', roleArn: 'arn:aws:iam::999999999999:role/other' },
      { input: 'role-arn' },
      "input 'role-arn': the role arn:aws:iam::999999999999:role/other is in account 999999999999, but the credentials must belong to account 111111111111 (environments.dev.aws.account)",
    ],
    [
      "a chain-role input in another account than the file's",
      { environment: 'staging', chainRoleArn: 'arn:aws:iam::999999999999:role/deploy' },
      { input: 'chain-role-arn' },
      "input 'chain-role-arn': the chained role arn:aws:iam::999999999999:role/deploy is in account 999999999999",
    ],
  ])('refuses %s before any call', async (_what, inputs, where, message) => {
    const error = await plan(inputs).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ExpeditorError);
    expect(error).toMatchObject({ ...where, unchanged: 'nothing was changed; no AWS call was made' });
    expect((error as Error).message).toContain(message);
  });

  it('refuses an environment the file does not have', async () => {
    await expect(plan({ environment: 'qa' })).rejects.toThrow(/qa/);
  });
});
