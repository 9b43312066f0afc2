// assume-env's core function on the bed: the local GitHub OIDC issuer and moto STS, which checks
// the role's trust policy against the token's claims through an IAM OIDC provider, as AWS does.
import { describe, expect, it } from 'vitest';
import { mkdtempSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { useBed } from '../bed/vitest.ts';
import { chainedRole, createRole, githubOidcRole, issuerHost, oidcProvider, uniqueRoleName, webIdentityTrust } from '../bed/aws-roles.ts';
import { ActionInputs, inputEnv } from '../../packages/shared/src/inputs.ts';
import { readGitHubContext } from '../../packages/shared/src/context.ts';
import { memoryLog } from '../../packages/shared/src/log.ts';
import { ExpeditorError } from '../../packages/shared/src/errors.ts';
import { readAssumeEnvInputs } from '../../actions/assume-env/src/inputs.ts';
import { assumeEnv, type AssumeEnvResult } from '../../actions/assume-env/src/action.ts';
import { stsFactory } from '../../actions/assume-env/src/sts-client.ts';

const bed = useBed(['oidc', 'moto']);

const PROD = '111111111111';
const STAGING = '222222222222';
const TOOLING = '444444444444';

/** A role whose trust policy lets the bed's tokens with exactly this `sub` in (the usual GitHub statement). */
const oidcRole = (account: string, sub: string): Promise<string> => githubOidcRole(bed, { account, subject: { sub } });

function workspace(config?: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'assume-env-'));
  mkdirSync(join(dir, '.github'));
  if (config !== undefined) writeFileSync(join(dir, '.github', 'expeditor.yml'), config);
  writeFileSync(join(dir, 'summary.md'), '');
  return dir;
}

function configFor(envs: Record<string, { account: string; role: string; chain?: string }>): string {
  const lines = ['app: shop', 'image: { repository: 123456789012.dkr.ecr.us-west-2.amazonaws.com/shop }', 'environments:'];
  for (const [name, e] of Object.entries(envs)) {
    lines.push(
      `  ${name}:`,
      `    aws: { account: "${e.account}", region: us-west-2, role: "${e.role}"${e.chain ? `, chain-role: "${e.chain}"` : ''} }`,
    );
  }
  return `${lines.join('\n')}\n`;
}

interface Run {
  result?: AssumeEnvResult;
  error?: unknown;
  exported: Map<string, string>;
  log: string[];
  summary: string;
}

/** Runs the core function as main.ts does, with the bed's endpoints, recording what it exports. */
async function run(
  dir: string,
  inputs: Record<string, string>,
  options: {
    oidc?: boolean;
    ambientAccount?: string;
    act?: boolean;
    requestToken?: string;
    retries?: number;
    retryDelayMs?: number;
    signal?: AbortSignal;
  } = {},
): Promise<Run> {
  const env: Record<string, string> = {
    GITHUB_WORKSPACE: dir,
    GITHUB_REPOSITORY: 'acme/shop',
    GITHUB_RUN_ID: '3000003',
    GITHUB_RUN_ATTEMPT: '1',
    GITHUB_STEP_SUMMARY: join(dir, 'summary.md'),
    ...(options.act ? { ACT: 'true' } : {}),
    ...(options.oidc !== false
      ? { ACTIONS_ID_TOKEN_REQUEST_URL: bed.oidc.requestUrl, ACTIONS_ID_TOKEN_REQUEST_TOKEN: options.requestToken ?? bed.oidc.requestToken }
      : {}),
  };
  Object.assign(env, inputEnv(inputs));
  const log = memoryLog();
  const exported = new Map<string, string>();
  const out: Run = { exported, log: log.lines, summary: '' };
  try {
    const parsed = readAssumeEnvInputs(new ActionInputs(env));
    const ambient = options.ambientAccount ? bed.moto.clientConfig(options.ambientAccount).credentials : undefined;
    out.result = await assumeEnv(parsed, {
      context: readGitHubContext(env),
      log,
      signal: options.signal ?? new AbortController().signal,
      sts: stsFactory({ endpoint: bed.moto.endpoint, ...(ambient ? { ambient: async () => ambient } : {}) }),
      variables: { exportVariable: (name, value) => exported.set(name, value) },
      retryDelayMs: options.retryDelayMs ?? 50,
      ...(options.retries !== undefined ? { retries: options.retries } : {}),
    });
  } catch (error) {
    out.error = error;
  }
  out.summary = readFileSync(join(dir, 'summary.md'), 'utf8');
  return out;
}

interface Calls {
  counts: Record<string, number>;
  calls: { action: string; throttled: boolean }[];
}
const calls = (action: string, since: number): Promise<Calls> => bed.moto.control<Calls>('calls', { action, since });

describe('assume-env through GitHub OIDC (core function, bed issuer + moto STS)', () => {
  it('assumes the environment role from the file, verifies the account, exports masked credentials', async () => {
    const role = await oidcRole(PROD, 'repo:acme/shop:environment:prod');
    bed.oidc.setClaims({ environment: 'prod' });
    const dir = workspace(
      configFor({ prod: { account: PROD, role }, staging: { account: STAGING, role: `arn:aws:iam::${STAGING}:role/deploy` } }),
    );
    const since = Date.now();
    const r = await run(dir, { environment: 'prod' });
    expect(r.error).toBeUndefined();
    expect(r.result!.outputs).toMatchObject({ account: PROD, region: 'us-west-2', 'role-arn': role, source: 'oidc' });
    expect(new Date(r.result!.outputs.expiration).getTime()).toBeGreaterThan(Date.now());
    expect(r.result!.identityArn).toBe(`arn:aws:sts::${PROD}:assumed-role/${role.split('/').pop()}/gha-acme-shop-3000003-1`);
    expect([...r.exported.keys()]).toEqual([
      'AWS_ACCESS_KEY_ID',
      'AWS_SECRET_ACCESS_KEY',
      'AWS_SESSION_TOKEN',
      'AWS_REGION',
      'AWS_DEFAULT_REGION',
    ]);
    expect(r.exported.get('AWS_REGION')).toBe('us-west-2');
    expect((await calls('AssumeRoleWithWebIdentity', since)).counts.AssumeRoleWithWebIdentity).toBe(1);
    expect((await calls('GetCallerIdentity', since)).counts.GetCallerIdentity).toBe(1);

    // The exported credentials work, and are the role's.
    const { STSClient, GetCallerIdentityCommand } = await import('@aws-sdk/client-sts');
    const asRole = new STSClient({
      endpoint: bed.moto.endpoint,
      region: 'us-west-2',
      credentials: {
        accessKeyId: r.exported.get('AWS_ACCESS_KEY_ID')!,
        secretAccessKey: r.exported.get('AWS_SECRET_ACCESS_KEY')!,
        sessionToken: r.exported.get('AWS_SESSION_TOKEN')!,
      },
    });
    expect((await asRole.send(new GetCallerIdentityCommand({}))).Account).toBe(PROD);

    // Secrets never reach the log (memoryLog scrubs what was masked: so they were masked before use).
    const secret = r.exported.get('AWS_SECRET_ACCESS_KEY')!;
    expect(r.log.join('\n')).not.toContain(secret);
    expect(r.log.some((l) => l.includes('token: sub "repo:acme/shop:environment:prod", aud "sts.amazonaws.com"'))).toBe(true);
    expect(r.summary).not.toContain(secret);
    expect(r.summary).toContain('## assume-env: prod → account 111111111111');
    expect(r.summary).toContain(`| **role** | ${role} |`);
    expect(r.summary).toContain('| **source** | GitHub OIDC (aud sts.amazonaws.com) |');
    expect(r.summary).toContain('| account | 111111111111 | environments.prod.aws.account |');
    expect(r.summary).toContain(`| role | ${role} | environments.prod.aws.role |`);
    expect(r.summary).toContain('| session name | gha-acme-shop-3000003-1 | the repository and run |');
  });

  it('lets explicit inputs win over the file and says so in the summary', async () => {
    const role = await oidcRole(PROD, 'repo:acme/shop:environment:prod');
    bed.oidc.setClaims({ environment: 'prod' });
    const dir = workspace(configFor({ prod: { account: PROD, role: `arn:aws:iam::${PROD}:role/not-this-one` } }));
    const r = await run(dir, { environment: 'prod', 'role-arn': role, region: 'eu-west-1' });
    expect(r.error).toBeUndefined();
    expect(r.result!.outputs).toMatchObject({ 'role-arn': role, region: 'eu-west-1' });
    expect(r.summary).toContain(`| role | ${role} | input 'role-arn' |`);
    expect(r.summary).toContain("| region | eu-west-1 | input 'region' |");
    expect(r.summary).toContain('| account | 111111111111 | environments.prod.aws.account |');
  });

  it('works with explicit inputs and no file at all', async () => {
    const role = await oidcRole(PROD, 'repo:acme/shop:ref:refs/heads/main');
    bed.oidc.setClaims({});
    const r = await run(workspace(), { 'role-arn': role, region: 'us-west-2' });
    expect(r.error).toBeUndefined();
    expect(r.result!.outputs.account).toBe(PROD);
    expect(r.summary).toContain(`| account | 111111111111 | the account of input 'role-arn' |`);
  });

  it('on a sub the trust policy does not allow: one AssumeRoleWithWebIdentity call, AccessDenied with the condition that would match', async () => {
    const role = await oidcRole(PROD, 'repo:acme/shop:environment:prod');
    bed.oidc.setClaims({ environment: 'staging' });
    const dir = workspace(configFor({ prod: { account: PROD, role } }));
    const since = Date.now();
    const r = await run(dir, { environment: 'prod' });
    expect(r.error).toBeInstanceOf(ExpeditorError);
    const error = r.error as ExpeditorError;
    expect(error.message).toMatch(/^AccessDenied \(HTTP 403\): Not authorized to perform sts:AssumeRoleWithWebIdentity — /);
    expect(error.message).toContain('sub "repo:acme/shop:environment:staging"');
    expect(error.key).toBe('environments.prod.aws.role');
    expect(error.unchanged).toBe('no credentials were exported');
    const host = bed.oidc.issuer.replace('http://', '');
    expect(error.next).toContain(`${host}:sub = "repo:acme/shop:environment:staging"`);
    expect(error.next).toContain(`${host}:aud = "sts.amazonaws.com"`);
    const text = r.log.join('\n');
    expect(text).toContain('  sub: "repo:acme/shop:environment:staging"');
    expect(text).toContain('  environment: "staging"');
    expect(text).toContain('  repository: "acme/shop"');
    expect(text).toContain('  ref: "refs/heads/main"');
    expect(text).toContain(`"Federated": "arn:aws:iam::${PROD}:oidc-provider/${host}"`);
    expect(text).toContain(`"${host}:sub": "repo:acme/shop:environment:staging"`);
    expect(text).toContain('Note: the job runs in the GitHub environment "staging", not "prod"');
    expect((await calls('AssumeRoleWithWebIdentity', since)).counts.AssumeRoleWithWebIdentity).toBe(1);
    expect((await calls('GetCallerIdentity', since)).counts.GetCallerIdentity ?? 0).toBe(0);
    expect(r.exported.size).toBe(0);
    expect(r.summary).toContain('failed, nothing exported');
    expect(r.summary).toContain(`&quot;${host}:sub&quot;: &quot;repo:acme/shop:environment:staging&quot;`.replace(/&quot;/g, '"'));
  });

  it("explains an InvalidIdentityToken when the role's account has no provider for the issuer, without retrying", async () => {
    const account = '555555555555';
    const role = await createRole(bed.moto, account, uniqueRoleName('noprovider'), webIdentityTrust(account, issuerHost(bed.oidc.issuer)));
    const since = Date.now();
    const r = await run(workspace(), { 'role-arn': role, region: 'us-west-2' });
    const error = r.error as ExpeditorError;
    expect(error.message).toMatch(/^InvalidIdentityTokenException/);
    expect(error.next).toContain(`create an IAM OIDC identity provider for ${bed.oidc.issuer} in account ${account}`);
    expect((await calls('AssumeRoleWithWebIdentity', since)).counts.AssumeRoleWithWebIdentity).toBe(1);
    expect(r.exported.size).toBe(0);
  });

  it('says so when the runner refuses the token request, and calls no AWS API', async () => {
    const since = Date.now();
    const r = await run(
      workspace(),
      { 'role-arn': `arn:aws:iam::${PROD}:role/deploy`, region: 'us-west-2' },
      { requestToken: 'not-this-job' },
    );
    const error = r.error as ExpeditorError;
    expect(error.message).toMatch(
      /^could not get the job's GitHub OIDC token: TokenRequestError \(HTTP 401\): the OIDC token request answered HTTP 401: Unauthorized/,
    );
    expect(error.next).toContain('permissions: id-token: write');
    expect(r.log.join('\n')).not.toContain('not-this-job');
    expect(r.log.filter((l) => l.includes('try 2'))).toEqual([]);
    expect((await bed.moto.control<Calls>('calls', { since })).calls).toEqual([]);
  });

  it('retries throttling of AssumeRoleWithWebIdentity and then succeeds', async () => {
    const role = await oidcRole(PROD, 'repo:acme/shop:environment:prod');
    bed.oidc.setClaims({ environment: 'prod' });
    const since = Date.now();
    await bed.moto.control('throttle', { action: 'AssumeRoleWithWebIdentity', count: 2 });
    const r = await run(workspace(), { 'role-arn': role, region: 'us-west-2' });
    expect(r.error).toBeUndefined();
    const seen = await calls('AssumeRoleWithWebIdentity', since);
    expect(seen.calls.map((c) => c.throttled)).toEqual([true, true, false]);
    expect(r.log.filter((l) => /AssumeRoleWithWebIdentity: Throttling .*; try \d/.test(l))).toHaveLength(2);
    expect(r.result!.outputs.account).toBe(PROD);
  });

  it('gives up after a few retries when STS keeps throttling, exporting nothing', async () => {
    const role = await oidcRole(PROD, 'repo:acme/shop:environment:prod');
    bed.oidc.setClaims({ environment: 'prod' });
    const since = Date.now();
    await bed.moto.control('throttle', { action: 'AssumeRoleWithWebIdentity', count: 3 });
    const r = await run(workspace(), { 'role-arn': role, region: 'us-west-2' }, { retries: 2 });
    const error = r.error as ExpeditorError;
    expect(error.message).toBe(`AssumeRoleWithWebIdentity for ${role} failed: Throttling (HTTP 400): Rate exceeded`);
    expect(error.next).toBe('STS kept failing after retries; run the job again later');
    expect((await calls('AssumeRoleWithWebIdentity', since)).calls.map((c) => c.throttled)).toEqual([true, true, true]);
    expect(r.exported.size).toBe(0);
  });

  it('retries when STS cannot reach the identity provider (IDPCommunicationError)', async () => {
    // A provider registered for an issuer nobody serves: STS cannot fetch its keys.
    const dead = 'http://127.0.0.1:9';
    const account = '666666666666';
    const host = await oidcProvider(bed.moto, account, dead);
    const role = await createRole(bed.moto, account, uniqueRoleName('dead-idp'), webIdentityTrust(account, host));
    bed.oidc.setClaims({ iss: dead });
    try {
      const since = Date.now();
      const r = await run(workspace(), { 'role-arn': role, region: 'us-west-2' }, { retries: 2 });
      expect((r.error as Error).message).toMatch(/^AssumeRoleWithWebIdentity for .* failed: IDPCommunicationError/);
      expect((await calls('AssumeRoleWithWebIdentity', since)).counts.AssumeRoleWithWebIdentity).toBe(3);
      expect(r.log.filter((l) => /^\s*AssumeRoleWithWebIdentity: IDPCommunicationError.*; try \d/.test(l))).toHaveLength(2);
    } finally {
      bed.oidc.setClaims({});
    }
  });

  it('stops waiting between retries as soon as the run is cancelled or its deadline passes', async () => {
    const role = await oidcRole(PROD, 'repo:acme/shop:environment:prod');
    bed.oidc.setClaims({ environment: 'prod' });
    const since = Date.now();
    await bed.moto.control('throttle', { action: 'AssumeRoleWithWebIdentity', count: 1 });
    const controller = new AbortController();
    // A retry delay far longer than this test's hang guard: only the signal can end the wait.
    const running = run(workspace(), { 'role-arn': role, region: 'us-west-2' }, { signal: controller.signal, retryDelayMs: 600_000 });
    while (!(await calls('AssumeRoleWithWebIdentity', since)).calls.length) await new Promise((r) => setTimeout(r, 20));
    const { DeadlineError } = await import('../../packages/shared/src/deadline.ts');
    controller.abort(new DeadlineError(1000));
    const r = await running;
    // The deadline's own error, saying what the run left: nothing exported.
    const error = r.error as { message: string; unchanged?: string; cause?: unknown };
    expect(error.message).toMatch(/^the deadline of 1.0 s ran out while waiting for sts:AssumeRoleWithWebIdentity/);
    expect(error.cause).toBeInstanceOf(DeadlineError);
    expect(error.unchanged).toMatch(/^nothing was exported/);
    expect(r.exported.size).toBe(0);
  }, 30_000);

  it("chains from a role in a tooling account to the environment's role and verifies the final account", async () => {
    const first = await oidcRole(TOOLING, 'repo:acme/shop:environment:prod');
    const target = await chainedRole(bed.moto, PROD, first);
    bed.oidc.setClaims({ environment: 'prod' });
    const dir = workspace(configFor({ prod: { account: PROD, role: first, chain: target } }));
    const since = Date.now();
    const r = await run(dir, { environment: 'prod' });
    expect(r.error).toBeUndefined();
    expect(r.result!.outputs).toMatchObject({ account: PROD, 'role-arn': target, source: 'oidc' });
    expect(r.result!.identityArn).toContain(`arn:aws:sts::${PROD}:assumed-role/${target.split('/').pop()}/`);
    expect((await calls('AssumeRole', since)).counts.AssumeRole).toBe(1);
    expect(r.summary).toContain(`| chain-role | ${target} | environments.prod.aws.chain-role |`);
    // The exported keys are the chained role's.
    const { STSClient, GetCallerIdentityCommand } = await import('@aws-sdk/client-sts');
    const identity = await new STSClient({
      endpoint: bed.moto.endpoint,
      region: 'us-west-2',
      credentials: { accessKeyId: r.exported.get('AWS_ACCESS_KEY_ID')!, secretAccessKey: r.exported.get('AWS_SECRET_ACCESS_KEY')! },
    }).send(new GetCallerIdentityCommand({}));
    expect(identity.Arn).toBe(r.result!.identityArn);
  });
});

describe('assume-env without OIDC (act): the credentials already in the environment', () => {
  it('uses them, verifies the account, exports only the region, and says OIDC was skipped', async () => {
    const dir = workspace(configFor({ prod: { account: PROD, role: `arn:aws:iam::${PROD}:role/deploy` } }));
    const since = Date.now();
    const r = await run(dir, { environment: 'prod' }, { oidc: false, ambientAccount: PROD, act: true });
    expect(r.error).toBeUndefined();
    expect(r.result!.outputs).toMatchObject({ account: PROD, source: 'ambient', expiration: '' });
    expect(r.result!.exportedCredentials).toBe(false);
    expect([...r.exported.keys()]).toEqual(['AWS_REGION', 'AWS_DEFAULT_REGION']);
    expect(r.log.join('\n')).toMatch(/OIDC skipped: no ACTIONS_ID_TOKEN_REQUEST_URL\/ACTIONS_ID_TOKEN_REQUEST_TOKEN \(running under act\)/);
    expect(r.summary).toContain('OIDC skipped');
    expect((await calls('AssumeRoleWithWebIdentity', since)).counts.AssumeRoleWithWebIdentity ?? 0).toBe(0);
    expect((await calls('GetCallerIdentity', since)).counts.GetCallerIdentity).toBe(1);
  });

  it('exports nothing when they belong to another account, and names both accounts', async () => {
    const dir = workspace(configFor({ prod: { account: PROD, role: `arn:aws:iam::${PROD}:role/deploy` } }));
    const r = await run(dir, { environment: 'prod' }, { oidc: false, ambientAccount: STAGING });
    const error = r.error as ExpeditorError;
    expect(error.message).toMatch(
      new RegExp(
        `^the credentials belong to account ${STAGING} \\(arn:aws:[a-z]+::${STAGING}:[^)]+\\), not to account ${PROD} \\(environments\\.prod\\.aws\\.account\\)$`,
      ),
    );
    expect(error.key).toBe('environments.prod.aws.account');
    expect(error.unchanged).toBe('no credentials were exported');
    expect(r.exported.size).toBe(0);
    expect(r.summary).toContain('failed, nothing exported');
  });

  it('chains from them to the role when asked', async () => {
    const target = await chainedRole(bed.moto, PROD, `arn:aws:iam::${STAGING}:root`);
    const r = await run(
      workspace(),
      { 'role-arn': target, 'chain-role-arn': target, region: 'us-west-2' },
      { oidc: false, ambientAccount: STAGING },
    );
    expect(r.error).toBeUndefined();
    expect(r.result!.outputs).toMatchObject({ account: PROD, source: 'ambient', 'role-arn': target });
    expect(r.result!.exportedCredentials).toBe(true);
    expect(r.exported.get('AWS_ACCESS_KEY_ID')).toMatch(/^ASIA/);
  });
});
