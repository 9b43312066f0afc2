// What assume-env takes from the environment file and the run, before any network call: the
// file's rules for roles and promotions, the plan (inputs win, with provenance), the session
// name and tags sanitised to AWS's rules, the token URL.
import { describe, expect, it } from 'vitest';
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseConfig } from '../../packages/shared/src/config.ts';
import { ProblemsError, ExpeditorError } from '../../packages/shared/src/errors.ts';
import { ActionInputs, inputEnv } from '../../packages/shared/src/inputs.ts';
import { readAssumeEnvInputs } from '../../actions/assume-env/src/inputs.ts';
import { planAssume } from '../../actions/assume-env/src/plan.ts';
import { sessionName, sessionTags } from '../../actions/assume-env/src/session.ts';
import { tokenUrl } from '../../actions/assume-env/src/oidc-token.ts';
import { claimsOf, conditionHost, matchingStatement } from '../../actions/assume-env/src/trust-hint.ts';

const head = 'app: shop\nimage: { repository: 123456789012.dkr.ecr.us-west-2.amazonaws.com/shop }\nenvironments:\n';
const env = (name: string, account: string, extra = ''): string =>
  `  ${name}:\n    aws: { account: "${account}", region: us-west-2, role: "arn:aws:iam::${account}:role/deploy"${extra} }\n`;

function problems(text: string): string[] {
  try {
    parseConfig(text, 'f.yml');
  } catch (error) {
    if (error instanceof ProblemsError) return error.problems.map((p) => p.message);
    throw error;
  }
  return [];
}

describe('the environment file, as assume-env reads it', () => {
  it('takes a chained role in the environment account after a first role in a tooling account', () => {
    const text = `${head}  prod:\n    aws: { account: "111111111111", region: us-west-2, role: "arn:aws:iam::444444444444:role/gh-oidc", chain-role: "arn:aws:iam::111111111111:role/deploy" }\n`;
    expect(problems(text)).toEqual([]);
    const wrong = text.replace('chain-role: "arn:aws:iam::111111111111', 'chain-role: "arn:aws:iam::222222222222');
    expect(problems(wrong)).toEqual([
      "f.yml:5: environments.prod.aws.chain-role: the chained role is in account 222222222222, not in this environment's account 111111111111",
    ]);
  });

  it('refuses promotions that go round in a loop, once per loop, and self-promotion', () => {
    const loop =
      head +
      env('dev', '111111111111', '') +
      '    promote-from: prod\n' +
      env('staging', '222222222222') +
      '    promote-from: dev\n' +
      env('prod', '333333333333') +
      '    promote-from: staging\n';
    expect(problems(loop)).toEqual(['f.yml:6: environments.dev.promote-from: promotions go round in a loop: dev ← prod ← staging ← dev']);
    const self = `${head + env('dev', '111111111111')}    promote-from: dev\n`;
    expect(problems(self)).toEqual(['f.yml:6: environments.dev.promote-from: an environment cannot be promoted from itself']);
    const chain =
      head +
      env('dev', '111111111111') +
      env('staging', '222222222222') +
      '    promote-from: dev\n' +
      env('prod', '333333333333') +
      '    promote-from: staging\n';
    expect(problems(chain)).toEqual([]);
  });

  it('takes secrets as Secrets Manager or Parameter Store references (ARNs, or a parameter path) only', () => {
    const ok = `${head + env('dev', '111111111111')}    secrets: { DB: "arn:aws:secretsmanager:us-west-2:111111111111:secret:db-AbCdEf", KEY: "arn:aws:ssm:us-west-2:111111111111:parameter/app/key" }\n`;
    expect(problems(ok)).toEqual([]);
    expect(problems(ok.replace('arn:aws:ssm:us-west-2:111111111111:parameter/app/key', 'plain-text'))).toEqual([
      'f.yml:6: environments.dev.secrets.KEY: expected a Secrets Manager or Parameter Store ARN, or a parameter path such as /app/key, got "plain-text"',
    ]);
  });
});

describe('the plan: inputs win over the file, every value checked before any call', () => {
  const context = {
    workspace: '',
    repository: 'acme/shop',
    runId: '42',
    runAttempt: '1',
    workflow: 'delivery',
    sha: 'a'.repeat(40),
    actor: 'octocat',
  };
  function plan(inputs: Record<string, string>, file?: string) {
    const dir = mkdtempSync(join(tmpdir(), 'assume-env-plan-'));
    mkdirSync(join(dir, '.github'));
    if (file) writeFileSync(join(dir, '.github', 'expeditor.yml'), file);
    const env = inputEnv(inputs);
    return planAssume(readAssumeEnvInputs(new ActionInputs(env)), { ...context, workspace: dir });
  }

  it('derives the account from the last role when nothing names it', async () => {
    const p = await plan({
      'role-arn': 'arn:aws:iam::444444444444:role/a',
      'chain-role-arn': 'arn:aws:iam::111111111111:role/b',
      region: 'us-east-1',
    });
    expect(p.account).toBe('111111111111');
    expect(p.settings.rows()).toContainEqual(['account', '111111111111', "the account of input 'chain-role-arn'"]);
    expect(p.chainTags.map((t) => t.Key)).toEqual(['Repository', 'Workflow', 'RunId', 'Commit', 'Actor']);
  });

  it('keeps the asked duration and adds no session tags without chaining', async () => {
    const p = await plan({ 'role-arn': 'arn:aws:iam::111111111111:role/a', region: 'us-east-1', 'role-duration': '2h' });
    expect(p.durationSeconds).toBe(7200);
    expect(p.chainTags).toEqual([]);
  });

  it('names the input that contradicts the file', async () => {
    const file = head + env('prod', '111111111111');
    await expect(plan({ environment: 'prod', account: '222222222222' }, file)).rejects.toMatchObject({
      input: 'account',
      message:
        "input 'account': the credentials must belong to account 222222222222, but the role arn:aws:iam::111111111111:role/deploy (environments.prod.aws.role) is in account 111111111111",
    });
    await expect(plan({ environment: 'prod', account: '222222222222' }, file)).rejects.toBeInstanceOf(ExpeditorError);
  });
});

describe('session name and tags', () => {
  it("derives a session name from repository and run within AWS's rules", () => {
    expect(sessionName('acme/shop', '3000003', '2')).toBe('gha-acme-shop-3000003-2');
    const long = sessionName(`acme/${'x'.repeat(100)}`, '12345678901', '3');
    expect(long).toHaveLength(64);
    expect(long.endsWith('-12345678901-3')).toBe(true);
    expect(sessionName('we!rd/näme (1)', '7', '1')).toMatch(/^[\w+=,.@-]{2,64}$/);
    expect(sessionName('', '', '')).toBe('gha-expeditor');
  });

  it('tags with sanitised values and leaves empty ones out', () => {
    const tags = sessionTags({
      repository: 'acme/shop',
      workflow: 'deploy; rm -rf',
      runId: '42',
      sha: '',
      actor: 'octo🐙cat',
      environment: 'prod',
    });
    expect(tags).toEqual([
      { Key: 'Repository', Value: 'acme/shop' },
      { Key: 'Workflow', Value: 'deploy_ rm -rf' },
      { Key: 'RunId', Value: '42' },
      { Key: 'Actor', Value: 'octo_cat' },
      { Key: 'Environment', Value: 'prod' },
    ]);
  });
});

describe('the token request and the trust hint', () => {
  it("adds the audience to the runner's URL, encoded", () => {
    expect(tokenUrl('http://127.0.0.1:1/x/idtoken?api-version=2.0', 'sts.amazonaws.com')).toBe(
      'http://127.0.0.1:1/x/idtoken?api-version=2.0&audience=sts.amazonaws.com',
    );
    expect(tokenUrl('https://h/t?api-version=2.0', 'https://github.com/acme')).toContain('audience=https%3A%2F%2Fgithub.com%2Facme');
  });

  it("names the condition keys after the issuer, GitHub's and an enterprise one alike", () => {
    expect(conditionHost('https://token.actions.githubusercontent.com')).toBe('token.actions.githubusercontent.com');
    expect(conditionHost('https://token.actions.githubusercontent.com/acme-enterprise/')).toBe(
      'token.actions.githubusercontent.com/acme-enterprise',
    );
    const payload = Buffer.from(
      JSON.stringify({
        iss: 'https://token.actions.githubusercontent.com',
        sub: 'repo:acme/shop:environment:prod',
        aud: 'sts.amazonaws.com',
      }),
    ).toString('base64url');
    const claims = claimsOf(`eyJhbGciOiJSUzI1NiJ9.${payload}.c2ln`)!;
    expect(matchingStatement(claims, 'arn:aws-us-gov:iam::111111111111:role/deploy')).toEqual({
      Effect: 'Allow',
      Principal: { Federated: 'arn:aws-us-gov:iam::111111111111:oidc-provider/token.actions.githubusercontent.com' },
      Action: 'sts:AssumeRoleWithWebIdentity',
      Condition: {
        StringEquals: {
          'token.actions.githubusercontent.com:aud': 'sts.amazonaws.com',
          'token.actions.githubusercontent.com:sub': 'repo:acme/shop:environment:prod',
        },
      },
    });
    expect(claimsOf('not a token')).toBeUndefined();
  });
});
