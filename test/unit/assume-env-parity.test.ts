// assume-env's inputs shared with aws-actions/configure-aws-credentials (issue #15): how each is
// read and refused, what the plan makes of it before any request, and what the core sends to STS,
// exports and outputs (a recording STS port; the bed tests send the same to moto).
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { assumeEnv, type AssumeEnvResult } from '../../actions/assume-env/src/action.ts';
import { RefusedError } from '../../actions/assume-env/src/assume.ts';
import { clearExported, EXPORTED_VARIABLES } from '../../actions/assume-env/src/cleanup.ts';
import {
  type AssumeEnvInputs,
  CREDENTIAL_VARIABLES,
  readAssumeEnvInputs,
  unsetCredentialVariables,
} from '../../actions/assume-env/src/inputs.ts';
import { planAssume } from '../../actions/assume-env/src/plan.ts';
import type { AwsCredentials, StsApi } from '../../actions/assume-env/src/sts.ts';
import { summaryRows } from '../../actions/assume-env/src/summary.ts';
import { partitionOf, stsAudience } from '../../packages/aws/src/clients.ts';
import type { GitHubContext } from '../../packages/shared/src/context.ts';
import { ExpeditorError, ProblemsError } from '../../packages/shared/src/errors.ts';
import { ActionInputs, inputEnv } from '../../packages/shared/src/inputs.ts';
import { memoryLog } from '../../packages/shared/src/log.ts';
import { claims, jwt } from './assume-env-fixtures.ts';

const ROLE = 'arn:aws:iam::111111111111:role/deploy';
const TOOLING = 'arn:aws:iam::444444444444:role/gh-oidc';
const POLICY = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::shop/*' }] };

/** The inputs as read from these values; without an environment, role-arn and region default to ROLE in us-west-2. */
const read = (values: Record<string, string>): AssumeEnvInputs =>
  readAssumeEnvInputs(new ActionInputs(inputEnv({ ...(values.environment ? {} : { 'role-arn': ROLE, region: 'us-west-2' }), ...values })));

/** The problems readAssumeEnvInputs refuses these values with, as messages. */
function problems(values: Record<string, string>): string[] {
  try {
    read(values);
  } catch (error) {
    if (error instanceof ProblemsError) return error.problems.map((p) => p.message);
    throw error;
  }
  return [];
}

describe('reading the inputs configure-aws-credentials also has', () => {
  it('allowed-account-ids: commas or lines, duplicates once; anything but 12 digits refused naming the input', () => {
    expect(read({ 'allowed-account-ids': '111111111111, 222222222222\n111111111111' }).allowedAccountIds).toEqual([
      '111111111111',
      '222222222222',
    ]);
    expect(read({}).allowedAccountIds).toEqual([]);
    expect(problems({ 'allowed-account-ids': '111111111111,1234' })).toEqual([
      `input 'allowed-account-ids': expected account ids of 12 digits, got "1234"`,
    ]);
  });

  it('role-external-id: the characters STS allows, 2 to 1224 of them', () => {
    expect(read({ 'role-external-id': 'acme:shop/ci=1' }).roleExternalId).toBe('acme:shop/ci=1');
    expect(problems({ 'role-external-id': 'has space' })[0]).toMatch(/^input 'role-external-id': expected 2 to 1224 of the characters/);
    expect(problems({ 'role-external-id': 'x' })).toHaveLength(1);
    expect(problems({ 'role-external-id': 'x'.repeat(1225) })).toHaveLength(1);
  });

  it('inline-session-policy: a JSON policy object, minified for STS', () => {
    expect(read({ 'inline-session-policy': JSON.stringify(POLICY, null, 2) }).inlineSessionPolicy).toBe(JSON.stringify(POLICY));
    expect(read({}).inlineSessionPolicy).toBeUndefined();
  });

  it.each([
    [
      'not JSON (the text is not quoted back)',
      '{"Statement": [secret-ish]}',
      /^input 'inline-session-policy': is not valid JSON( \(at character \d+\))?$/,
    ],
    ['an array', '[{"Effect":"Allow"}]', /must be a JSON object \(a policy document\), got an array$/],
    ['a string', '"s3:*"', /must be a JSON object \(a policy document\), got a string$/],
    ['null', 'null', /got null$/],
    ['an object without Statement', '{"Version":"2012-10-17"}', /is a JSON object without "Statement": not a policy document$/],
    [
      'longer than STS takes',
      JSON.stringify({ Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: 'x'.repeat(2100) }] }),
      /is \d+ characters without spaces; STS takes at most 2048$/,
    ],
  ])('inline-session-policy refused: %s', (_what, value, message) => {
    const found = problems({ 'inline-session-policy': value });
    expect(found).toHaveLength(1);
    expect(found[0]).toMatch(message);
    expect(found[0]).not.toContain('secret-ish');
  });

  it('managed-session-policies: ARNs on lines or after commas, AWS managed ones too, at most 10', () => {
    const arns = ['arn:aws:iam::aws:policy/ReadOnlyAccess', 'arn:aws:iam::111111111111:policy/deploy/shop-s3'];
    expect(read({ 'managed-session-policies': `${arns[0]}\n${arns[1]}, ${arns[0]}` }).managedSessionPolicies).toEqual(arns);
    expect(read({ 'managed-session-policies': 'arn:aws-cn:iam::aws:policy/ReadOnlyAccess' }).managedSessionPolicies).toHaveLength(1);
    const eleven = Array.from({ length: 11 }, (_, i) => `arn:aws:iam::111111111111:policy/p${i}`).join('\n');
    expect(problems({ 'managed-session-policies': eleven })).toEqual([
      "input 'managed-session-policies': STS takes at most 10 managed session policies, got 11",
    ]);
    expect(problems({ 'managed-session-policies': `arn:aws:iam::111111111111:role/deploy` })[0]).toMatch(
      /^input 'managed-session-policies': expected IAM policy ARNs/,
    );
  });

  it('transitive-tag-keys: keys of the tags assume-env sends, any case, in their own spelling', () => {
    expect(read({ 'transitive-tag-keys': 'repository, RunId\nENVIRONMENT' }).transitiveTagKeys).toEqual([
      'Repository',
      'RunId',
      'Environment',
    ]);
    expect(problems({ 'transitive-tag-keys': 'Team' })).toEqual([
      `input 'transitive-tag-keys': expected keys of the session tags (Repository, Workflow, RunId, Commit, Actor, Environment), got "Team"`,
    ]);
    expect(problems({ 'transitive-tag-keys': 'Repository', 'session-tags': 'false' })).toEqual([
      "input 'transitive-tag-keys': needs session tags, but 'session-tags' is false",
    ]);
  });

  it('output-credentials and unset-current-credentials are off unless set; audience has no fixed default', () => {
    expect(read({})).toMatchObject({ outputCredentials: false, unsetCurrentCredentials: false, audience: undefined });
    expect(read({ 'output-credentials': 'true', 'unset-current-credentials': 'yes' })).toMatchObject({
      outputCredentials: true,
      unsetCurrentCredentials: true,
    });
    expect(problems({ 'output-credentials': 'sure' })).toEqual([`input 'output-credentials': expected true or false, got "sure"`]);
  });

  it('web-identity-token-file: a single-line path (the file rule applies when it is read)', () => {
    expect(read({ 'web-identity-token-file': 'tokens/ci.jwt' }).webIdentityTokenFile).toBe('tokens/ci.jwt');
    expect(problems({ 'web-identity-token-file': 'a\n::add-mask::x' })).toHaveLength(1);
  });

  it('reports every bad new input at once', () => {
    const found = problems({
      'allowed-account-ids': 'x',
      'role-external-id': 'a b',
      'inline-session-policy': '{',
      'managed-session-policies': 'nope',
      'transitive-tag-keys': 'Team',
      'output-credentials': 'maybe',
      'unset-current-credentials': 'maybe',
    });
    expect(found.map((m) => /^input '([^']+)'/.exec(m)?.[1])).toEqual([
      'allowed-account-ids',
      'role-external-id',
      'inline-session-policy',
      'managed-session-policies',
      'transitive-tag-keys',
      'output-credentials',
      'unset-current-credentials',
    ]);
  });
});

describe('the OIDC audience follows the partition of the region', () => {
  it.each([
    ['us-east-1', 'aws', 'sts.amazonaws.com'],
    ['eu-central-2', 'aws', 'sts.amazonaws.com'],
    ['cn-north-1', 'aws-cn', 'sts.amazonaws.com.cn'],
    ['cn-northwest-1', 'aws-cn', 'sts.amazonaws.com.cn'],
    ['us-gov-west-1', 'aws-us-gov', 'sts.amazonaws.com'],
    ['us-gov-east-1', 'aws-us-gov', 'sts.amazonaws.com'],
  ])('%s (%s) → %s', async (region, partition, audience) => {
    expect(partitionOf(region)).toBe(partition);
    expect(stsAudience(region)).toBe(audience);
    const arn = `arn:${partition}:iam::111111111111:role/deploy`;
    const plan = await planAssume(read({ 'role-arn': arn, region }), context);
    expect(plan.audience).toBe(audience);
    expect(plan.settings.rows()).toContainEqual(['audience', audience, `the partition of region ${region}`]);
  });

  it('an audience input wins', async () => {
    const plan = await planAssume(read({ region: 'cn-north-1', audience: 'https://github.com/acme' }), context);
    expect(plan.audience).toBe('https://github.com/acme');
    expect(plan.settings.rows()).toContainEqual(['audience', 'https://github.com/acme', "input 'audience'"]);
  });
});

const context = {
  workspace: '',
  repository: 'acme/shop',
  runId: '7512345678',
  runAttempt: '1',
  workflow: 'deploy',
  sha: '3f9c2d81a0b4e5c6d7e8f90123456789abcdef01',
  actor: 'octocat',
};

beforeAll(() => {
  context.workspace = mkdtempSync(join(tmpdir(), 'assume-env-parity-'));
  mkdirSync(join(context.workspace, '.github'));
  writeFileSync(
    join(context.workspace, '.github', 'expeditor.yml'),
    [
      'app: shop',
      'image: { repository: 123456789012.dkr.ecr.us-west-2.amazonaws.com/shop }',
      'environments:',
      '  prod:',
      `    aws: { account: "111111111111", region: us-west-2, role: "${TOOLING}", chain-role: "${ROLE}" }`,
      '  dev:',
      '    aws: { account: "222222222222", region: us-west-2, role: "arn:aws:iam::222222222222:role/deploy" }',
      '',
    ].join('\n'),
  );
});

describe('the plan, before any request', () => {
  const refusal = (values: Record<string, string>) => planAssume(read(values), context).catch((error: unknown) => error);

  it('role-external-id goes with the chained AssumeRole; without a chained role it is refused', async () => {
    expect((await planAssume(read({ environment: 'prod', 'role-external-id': 'acme-ci' }), context)).externalId).toBe('acme-ci');
    const error = await refusal({ 'role-external-id': 'acme-ci' });
    expect(error).toBeInstanceOf(ExpeditorError);
    expect(error).toMatchObject({ input: 'role-external-id', unchanged: 'nothing was changed; no AWS call was made' });
    expect((error as Error).message).toBe(
      "input 'role-external-id': an external id goes with AssumeRole; AssumeRoleWithWebIdentity takes none, and no chained role is assumed (no 'chain-role-arn' or aws.chain-role)",
    );
  });

  it('transitive-tag-keys need a chained role, and tags this run sends', async () => {
    const plan = await planAssume(read({ environment: 'prod', 'transitive-tag-keys': 'Repository,Environment' }), context);
    expect(plan.transitiveTagKeys).toEqual(['Repository', 'Environment']);
    expect(plan.chainTags.map((t) => t.Key)).toContain('Environment');
    expect(await refusal({ 'transitive-tag-keys': 'Repository' })).toMatchObject({ input: 'transitive-tag-keys' });
    const missing = await refusal({ 'chain-role-arn': ROLE, 'role-arn': TOOLING, 'transitive-tag-keys': 'Environment' });
    expect((missing as Error).message).toBe(
      "input 'transitive-tag-keys': Environment is not sent in this run (sent: Repository, Workflow, RunId, Commit, Actor); a transitive key must be one of the session's tags",
    );
    expect((missing as ExpeditorError).next).toBe("give 'environment', or leave Environment out");
  });

  it('both refusals at once', async () => {
    const error = await refusal({ 'role-external-id': 'acme-ci', 'transitive-tag-keys': 'Repository' });
    expect(error).toBeInstanceOf(ProblemsError);
    expect((error as ProblemsError).problems.map((p) => p.input)).toEqual(['role-external-id', 'transitive-tag-keys']);
  });

  it('allowed-account-ids that leave out the account the credentials must belong to: refused naming both', async () => {
    const error = await refusal({ environment: 'dev', 'allowed-account-ids': '111111111111,333333333333' });
    expect(error).toMatchObject({ input: 'allowed-account-ids', unchanged: 'nothing was changed; no AWS call was made' });
    expect((error as Error).message).toBe(
      "input 'allowed-account-ids': the credentials must belong to account 222222222222 (environments.dev.aws.account), which is not among 111111111111, 333333333333",
    );
    const plan = await planAssume(read({ environment: 'dev', 'allowed-account-ids': '222222222222' }), context);
    expect(plan.allowedAccountIds).toEqual(['222222222222']);
  });

  it('session policies, output-credentials and the token file are carried as given', async () => {
    const plan = await planAssume(
      read({
        'inline-session-policy': JSON.stringify(POLICY),
        'managed-session-policies': 'arn:aws:iam::aws:policy/ReadOnlyAccess',
        'output-credentials': 'true',
        'web-identity-token-file': 'ci.jwt',
      }),
      context,
    );
    expect(plan).toMatchObject({
      sessionPolicy: JSON.stringify(POLICY),
      policyArns: ['arn:aws:iam::aws:policy/ReadOnlyAccess'],
      outputCredentials: true,
      webIdentityTokenFile: 'ci.jwt',
    });
  });
});

// --- the core, with a recording STS port -------------------------------------------------------------
interface Call {
  operation: string;
  input: Record<string, unknown>;
}

function recordingSts(identityAccount = '111111111111'): { calls: Call[]; factory: () => Promise<StsApi> } {
  const calls: Call[] = [];
  let n = 0;
  const creds = (): AwsCredentials => {
    n++;
    return {
      accessKeyId: `ASIAFAKE${n}KEYID000`,
      secretAccessKey: `fake-secret-${n}-abcdefghij`,
      sessionToken: `fake-session-${n}-abcdefghij`,
    };
  };
  const api: StsApi = {
    async assumeRoleWithWebIdentity(input) {
      calls.push({ operation: 'AssumeRoleWithWebIdentity', input: { ...input } });
      return { credentials: creds(), assumedRoleArn: `arn:aws:sts::${identityAccount}:assumed-role/x/y` };
    },
    async assumeRole(_credentials, input) {
      calls.push({ operation: 'AssumeRole', input: { ...input } });
      return { credentials: creds(), assumedRoleArn: `arn:aws:sts::${identityAccount}:assumed-role/x/y` };
    },
    async callerIdentity() {
      calls.push({ operation: 'GetCallerIdentity', input: {} });
      return { account: identityAccount, arn: `arn:aws:sts::${identityAccount}:assumed-role/x/y` };
    },
    async ambientCredentials() {
      calls.push({ operation: 'ambient', input: {} });
      return { accessKeyId: 'AKIAAMBIENT000000000', secretAccessKey: 'ambient-secret-abcdefghij' };
    },
  };
  return { calls, factory: async () => api };
}

interface CoreRun {
  result?: AssumeEnvResult;
  error?: unknown;
  calls: Call[];
  exported: Map<string, string>;
  log: string[];
}

async function core(
  values: Record<string, string>,
  options: { oidc?: boolean; identityAccount?: string; unset?: () => string[]; runnerTemp?: string } = {},
): Promise<CoreRun> {
  const sts = recordingSts(options.identityAccount);
  const log = memoryLog();
  const exported = new Map<string, string>();
  const out: CoreRun = { calls: sts.calls, exported, log: log.lines };
  const ctx: GitHubContext = {
    ...context,
    ref: 'refs/heads/main',
    serverUrl: 'https://github.com',
    eventName: 'push',
    runUrl: '',
    stepSummaryPath: undefined,
    isAct: false,
    // A token endpoint nobody serves: a test that needs the job's token would fail on it.
    oidc: options.oidc === false ? undefined : { requestUrl: 'http://127.0.0.1:9/token', requestToken: 'request-token' },
  };
  try {
    out.result = await assumeEnv(read(values), {
      context: ctx,
      log,
      signal: new AbortController().signal,
      sts: sts.factory,
      variables: { exportVariable: (name, value) => exported.set(name, value) },
      retries: 0,
      unsetCredentials: options.unset,
      runnerTemp: options.runnerTemp,
    });
  } catch (error) {
    out.error = error;
  }
  return out;
}

/** A token file in the plan's workspace. */
function tokenFile(name: string, content: string): string {
  writeFileSync(join(context.workspace, name), content);
  return name;
}

describe('the core: what reaches STS, the variables and the outputs', () => {
  const policies = {
    'inline-session-policy': JSON.stringify(POLICY, null, 2),
    'managed-session-policies': 'arn:aws:iam::aws:policy/ReadOnlyAccess',
  };
  const token = jwt(claims.environment);

  it('without chaining, session policies go on AssumeRoleWithWebIdentity (token from a file, no token request)', async () => {
    const r = await core({ ...policies, 'web-identity-token-file': tokenFile('ci.jwt', `${token}\n`) });
    expect(r.error).toBeUndefined();
    expect(r.calls.map((c) => c.operation)).toEqual(['AssumeRoleWithWebIdentity', 'GetCallerIdentity']);
    expect(r.calls[0]?.input).toMatchObject({
      roleArn: ROLE,
      token,
      policy: JSON.stringify(POLICY),
      policyArns: ['arn:aws:iam::aws:policy/ReadOnlyAccess'],
    });
    expect(r.result?.outputs.source).toBe('token-file');
    expect(r.log.join('\n')).toContain(`web identity token file "ci.jwt" → ${ROLE}`);
    // The token was masked as soon as it was read.
    expect(r.log.join('\n')).not.toContain(token);
    const rows = Object.fromEntries(summaryRows(r.result!, { runUrl: '', isAct: false }));
    expect(rows.source).toBe("web identity token from the file ci.jwt (input 'web-identity-token-file')");
    expect(rows['session policies']).toBe(
      `inline (${JSON.stringify(POLICY).length} characters), arn:aws:iam::aws:policy/ReadOnlyAccess on the session of ${ROLE}`,
    );
  });

  it('chained: policies, external id and transitive keys go on the chained AssumeRole only', async () => {
    const r = await core({
      environment: 'prod',
      ...policies,
      'role-external-id': 'acme-ci',
      'transitive-tag-keys': 'Repository',
      'web-identity-token-file': tokenFile('ci2.jwt', token),
    });
    expect(r.error).toBeUndefined();
    const [first, chained] = r.calls;
    expect(first?.operation).toBe('AssumeRoleWithWebIdentity');
    expect(first?.input).not.toHaveProperty('policy');
    expect(first?.input).not.toHaveProperty('policyArns');
    expect(chained).toMatchObject({
      operation: 'AssumeRole',
      input: {
        roleArn: ROLE,
        externalId: 'acme-ci',
        transitiveTagKeys: ['Repository'],
        policy: JSON.stringify(POLICY),
        policyArns: ['arn:aws:iam::aws:policy/ReadOnlyAccess'],
      },
    });
    expect(((chained?.input.tags ?? []) as { Key: string }[]).map((t) => t.Key)).toContain('Repository');
    expect(r.log.join('\n')).not.toContain('acme-ci');
  });

  it('allowed-account-ids: an identity of another account fails after GetCallerIdentity, nothing exported', async () => {
    const r = await core(
      { 'allowed-account-ids': '111111111111', 'web-identity-token-file': tokenFile('ci3.jwt', token), account: '111111111111' },
      { identityAccount: '999999999999' },
    );
    // The account check comes first and names the account input; with a matching account the list decides (next test).
    expect(r.error).toBeInstanceOf(RefusedError);
    expect(r.error).toMatchObject({ input: 'account' });
    expect(r.exported.size).toBe(0);
  });

  it('allowed-account-ids: checked on the identity itself', async () => {
    // A plan whose account is allowed but an identity STS says is another: the list's check fails it too.
    const inputs = read({ 'allowed-account-ids': '111111111111', 'web-identity-token-file': tokenFile('ci4.jwt', token) });
    const plan = await planAssume(inputs, context);
    const { assumeRoles } = await import('../../actions/assume-env/src/assume.ts');
    const sts = recordingSts('111111111111');
    const log = memoryLog();
    const exported = new Map<string, string>();
    const deps = {
      context: { ...(await import('../../packages/shared/src/context.ts')).readGitHubContext({}), workspace: context.workspace },
      log,
      signal: new AbortController().signal,
      sts: sts.factory,
      variables: { exportVariable: (name: string, value: string) => exported.set(name, value) },
      retries: 0,
    };
    const error = await assumeRoles({ ...plan, account: '111111111111', allowedAccountIds: ['222222222222'] }, deps).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(RefusedError);
    expect(error).toMatchObject({ input: 'allowed-account-ids', unchanged: 'no credentials were exported' });
    expect((error as Error).message).toBe(
      "input 'allowed-account-ids': the credentials belong to account 111111111111 (arn:aws:sts::111111111111:assumed-role/x/y), which is not among 222222222222",
    );
    expect(exported.size).toBe(0);
    const ok = await assumeRoles({ ...plan, allowedAccountIds: ['111111111111', '222222222222'] }, deps);
    expect(ok.outputs.account).toBe('111111111111');
  });

  it('output-credentials: the outputs are the exported credentials, masked first', async () => {
    const r = await core({ 'output-credentials': 'true', 'web-identity-token-file': tokenFile('ci5.jwt', token) });
    expect(r.error).toBeUndefined();
    expect(r.result?.credentialOutputs).toEqual({
      'aws-access-key-id': r.exported.get('AWS_ACCESS_KEY_ID'),
      'aws-secret-access-key': r.exported.get('AWS_SECRET_ACCESS_KEY'),
      'aws-session-token': r.exported.get('AWS_SESSION_TOKEN'),
    });
    expect(r.result?.outputs).not.toHaveProperty('aws-secret-access-key');
    const text = r.log.join('\n');
    for (const value of Object.values(r.result!.credentialOutputs!)) expect(text).not.toContain(value);
    const none = await core({ 'web-identity-token-file': tokenFile('ci6.jwt', token) });
    expect(none.result?.credentialOutputs).toBeUndefined();
  });

  it('unset-current-credentials: cleared first; with ambient credentials, later steps get them empty too', async () => {
    const env: Record<string, string | undefined> = { AWS_ACCESS_KEY_ID: 'AKIALEFTOVER', AWS_PROFILE: 'old', AWS_REGION: 'eu-west-1' };
    const r = await core({}, { oidc: false, unset: () => unsetCredentialVariables(env) });
    expect(r.error).toBeUndefined();
    expect(env).toEqual({ AWS_REGION: 'eu-west-1' });
    expect(r.log.join('\n')).toContain(
      'unset-current-credentials: cleared AWS_ACCESS_KEY_ID, AWS_PROFILE of earlier steps; they are not used',
    );
    expect(Object.fromEntries(r.exported)).toEqual({
      AWS_ACCESS_KEY_ID: '',
      AWS_PROFILE: '',
      AWS_REGION: 'us-west-2',
      AWS_DEFAULT_REGION: 'us-west-2',
    });
    expect(r.calls[0]?.operation).toBe('ambient');
  });

  it('session policies with no role to assume (ambient, not chained): refused before any call', async () => {
    const r = await core({ 'inline-session-policy': JSON.stringify(POLICY) }, { oidc: false });
    expect(r.error).toMatchObject({ input: 'inline-session-policy', unchanged: 'nothing was exported; no AWS call was made' });
    expect((r.error as Error).message).toMatch(
      /^input 'inline-session-policy': session policies limit an assumed role's session, but no role is assumed/,
    );
    expect(r.calls).toEqual([]);
  });

  it.each([
    ['missing', () => 'no-such.jwt', /"no-such\.jwt" does not exist in the workspace/],
    [
      'empty',
      () => tokenFile('empty.jwt', '\n'),
      /"empty\.jwt" does not hold a web identity token \(it is empty; its content is not shown\)/,
    ],
    [
      'not a token (content never quoted)',
      () => tokenFile('bad.jwt', 'password = hunter2-secret\n'),
      /"bad\.jwt" does not hold a web identity token \(it has characters a JWT does not have; its content is not shown\)/,
    ],
    ['outside the workspace', () => '/etc/hostname', /"\/etc\/hostname" is outside the workspace/],
  ])('web-identity-token-file %s: refused naming the input, no call', async (_what, path, message) => {
    const r = await core({ 'web-identity-token-file': path() });
    expect(r.error).toBeInstanceOf(ExpeditorError);
    expect(r.error).toMatchObject({ input: 'web-identity-token-file' });
    expect((r.error as Error).message).toMatch(message);
    expect((r.error as Error).message).not.toContain('hunter2');
    expect(r.calls).toEqual([]);
  });

  it('web-identity-token-file under RUNNER_TEMP', async () => {
    const temp = mkdtempSync(join(tmpdir(), 'runner-temp-'));
    writeFileSync(join(temp, 'id.jwt'), token);
    const r = await core({ 'web-identity-token-file': join(temp, 'id.jwt') }, { runnerTemp: temp });
    expect(r.error).toBeUndefined();
    expect(r.calls[0]?.input.token).toBe(token);
  });
});

describe('cleaning up', () => {
  it('unsetCredentialVariables removes the credential variables and says which were set', () => {
    const env: Record<string, string | undefined> = Object.fromEntries(CREDENTIAL_VARIABLES.map((name) => [name, 'x']));
    env.AWS_SESSION_TOKEN = '';
    env.AWS_REGION = 'us-west-2';
    env.PATH = '/bin';
    const cleared = unsetCredentialVariables(env);
    expect(cleared).toEqual(CREDENTIAL_VARIABLES.filter((n) => n !== 'AWS_SESSION_TOKEN'));
    expect(env).toEqual({ AWS_REGION: 'us-west-2', PATH: '/bin' });
  });

  it('the post step writes every exported variable empty, as configure-aws-credentials does', () => {
    const written: [string, string][] = [];
    const log = memoryLog();
    clearExported({ exportVariable: (name, value) => written.push([name, value]) }, log);
    expect(written).toEqual(EXPORTED_VARIABLES.map((name) => [name, '']));
    expect(EXPORTED_VARIABLES).toEqual([
      'AWS_ACCESS_KEY_ID',
      'AWS_SECRET_ACCESS_KEY',
      'AWS_SESSION_TOKEN',
      'AWS_REGION',
      'AWS_DEFAULT_REGION',
    ]);
  });
});
