// assume-env's inputs shared with aws-actions/configure-aws-credentials (issue #15), on the bed: the
// local OIDC issuer and moto STS (which checks an sts:ExternalId condition, session policies and
// transitive tag keys as AWS does). A recording proxy between the SDK and moto shows what each STS
// call carried. The committed bundle with these inputs: assume-env-bundle.test.ts.
import { createServer, request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useBed } from '../bed/vitest.ts';
import { createRole, githubOidcRole, uniqueRoleName } from '../bed/aws-roles.ts';
import { ActionInputs, inputEnv } from '../../packages/shared/src/inputs.ts';
import { readGitHubContext } from '../../packages/shared/src/context.ts';
import { memoryLog } from '../../packages/shared/src/log.ts';
import { ExpeditorError } from '../../packages/shared/src/errors.ts';
import { readAssumeEnvInputs } from '../../actions/assume-env/src/inputs.ts';
import { assumeEnv, type AssumeEnvResult } from '../../actions/assume-env/src/action.ts';
import { stsFactory } from '../../actions/assume-env/src/sts-client.ts';
import { jobWorkspace } from './bundle-run.ts';

const bed = useBed(['oidc', 'moto']);

const PROD = '111111111111';
const STAGING = '222222222222';
const TOOLING = '444444444444';
const SUB = 'repo:acme/shop:environment:prod';
const POLICY = {
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Action: ['ecs:Describe*', 'ecs:UpdateService'], Resource: '*' }],
};
const MANAGED = ['arn:aws:iam::aws:policy/ReadOnlyAccess', `arn:aws:iam::${PROD}:policy/deploy/shop-ecs`];

/** STS requests as they reached moto: the form parameters of each. */
interface Proxy {
  endpoint: string;
  seen: URLSearchParams[];
  close(): Promise<void>;
}

/** Forwards every request to moto unchanged and keeps the form parameters of those with an Action. */
async function recordingProxy(target: string): Promise<Proxy> {
  const seen: URLSearchParams[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const params = new URLSearchParams(body.toString('utf8'));
      if (params.get('Action')) seen.push(params);
      const forward = httpRequest(new URL(req.url ?? '/', target), { method: req.method, headers: req.headers }, (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      });
      forward.on('error', () => res.writeHead(502).end());
      forward.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    seen,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

let proxy: Proxy;
beforeAll(async () => {
  proxy = await recordingProxy(bed.moto.endpoint);
});
afterAll(() => proxy.close());

/** The STS calls the proxy saw since `from`, by action. */
const sent = (from: number, action: string): URLSearchParams[] => proxy.seen.slice(from).filter((p) => p.get('Action') === action);

/** `Prefix.member.N[.field]` values of a request, in order. */
function members(params: URLSearchParams, prefix: string, field?: string): string[] {
  const out: [number, string][] = [];
  const pattern = new RegExp(`^${prefix}\\.member\\.(\\d+)${field ? `\\.${field}` : ''}$`);
  for (const [key, value] of params) {
    const m = pattern.exec(key);
    if (m) out.push([Number(m[1]), value]);
  }
  return out.sort((a, b) => a[0] - b[0]).map(([, value]) => value);
}

const oidcRole = (account: string): Promise<string> => githubOidcRole(bed, { account, subject: { sub: SUB } });

/** A role in `account` that `trusted` may assume (and tag), only with this external id when one is given. */
function chainedRole(account: string, trusted: string, externalId?: string): Promise<string> {
  return createRole(bed.moto, account, uniqueRoleName('chained'), {
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Allow',
        Principal: { AWS: trusted },
        Action: ['sts:AssumeRole', 'sts:TagSession'],
        ...(externalId ? { Condition: { StringEquals: { 'sts:ExternalId': externalId } } } : {}),
      },
    ],
  });
}

interface Run {
  result?: AssumeEnvResult;
  error?: unknown;
  exported: Map<string, string>;
  log: string[];
  summary: string;
  /** Index into proxy.seen where this run began. */
  from: number;
}

/** The core function as main.ts runs it, through the recording proxy, as job `environment: prod` of acme/shop. */
async function run(inputs: Record<string, string>, env: Record<string, string> = {}): Promise<Run> {
  const dir = jobWorkspace(undefined, 'assume-env-parity-');
  writeFileSync(join(dir, 'summary.md'), '');
  const all: Record<string, string> = {
    GITHUB_WORKSPACE: dir,
    GITHUB_REPOSITORY: 'acme/shop',
    GITHUB_RUN_ID: '3000015',
    GITHUB_STEP_SUMMARY: join(dir, 'summary.md'),
    ACTIONS_ID_TOKEN_REQUEST_URL: bed.oidc.requestUrl,
    ACTIONS_ID_TOKEN_REQUEST_TOKEN: bed.oidc.requestToken,
    ...env,
    ...inputEnv(inputs),
  };
  bed.oidc.setClaims({ environment: 'prod' });
  const log = memoryLog();
  const exported = new Map<string, string>();
  const out: Run = { exported, log: log.lines, summary: '', from: proxy.seen.length };
  try {
    out.result = await assumeEnv(readAssumeEnvInputs(new ActionInputs(all)), {
      context: readGitHubContext(all),
      log,
      signal: new AbortController().signal,
      sts: stsFactory({ endpoint: proxy.endpoint }),
      variables: { exportVariable: (name, value) => exported.set(name, value) },
      retryDelayMs: 50,
    });
  } catch (error) {
    out.error = error;
  }
  out.summary = readFileSync(join(dir, 'summary.md'), 'utf8');
  return out;
}

describe('configure-aws-credentials inputs against moto STS (core function)', () => {
  it('role-external-id: the chained role that wants an external id refuses without it (and a wrong one), and takes the right one', async () => {
    const first = await oidcRole(TOOLING);
    const target = await chainedRole(PROD, first, 'acme-ci-7');
    const inputs = { 'role-arn': first, 'chain-role-arn': target, region: 'us-west-2' };

    for (const attempt of [{}, { 'role-external-id': 'acme-ci-8' }] as Record<string, string>[]) {
      const refused = await run({ ...inputs, ...attempt });
      expect(refused.error).toBeInstanceOf(ExpeditorError);
      const error = refused.error as ExpeditorError;
      expect(error.message).toMatch(/^AccessDenied \(HTTP 403\): User is not authorized to perform: sts:AssumeRole on resource: /);
      expect(error.message).toContain(`${target} refused the first role's credentials; not retried`);
      expect(error.input).toBe('chain-role-arn');
      expect(refused.exported.size).toBe(0);
    }
    const refusedWrong = await run({ ...inputs, 'role-external-id': 'acme-ci-8' });
    expect((refusedWrong.error as ExpeditorError).next).toContain("with the sts:ExternalId of 'role-external-id'");

    const ok = await run({ ...inputs, 'role-external-id': 'acme-ci-7' });
    expect(ok.error).toBeUndefined();
    expect(ok.result!.outputs).toMatchObject({ account: PROD, 'role-arn': target });
    const [web] = sent(ok.from, 'AssumeRoleWithWebIdentity');
    const [chained] = sent(ok.from, 'AssumeRole');
    expect(web?.has('ExternalId')).toBe(false);
    expect(chained?.get('ExternalId')).toBe('acme-ci-7');
    // The external id is not printed; the summary says one was sent.
    expect(ok.log.join('\n')).not.toContain('acme-ci-7');
    expect(ok.summary).toContain('| **external id** | sent with the chained AssumeRole (not shown) |');
  });

  it('role-external-id with no chained role: refused before any request', async () => {
    const role = `arn:aws:iam::${PROD}:role/deploy`;
    const r = await run({ 'role-arn': role, region: 'us-west-2', 'role-external-id': 'acme-ci-7' });
    expect((r.error as ExpeditorError).input).toBe('role-external-id');
    expect(proxy.seen.length).toBe(r.from);
  });

  it('session policies, not chained: Policy (minified) and PolicyArns on AssumeRoleWithWebIdentity', async () => {
    const role = await oidcRole(PROD);
    const r = await run({
      'role-arn': role,
      region: 'us-west-2',
      'inline-session-policy': JSON.stringify(POLICY, null, 2),
      'managed-session-policies': MANAGED.join('\n'),
    });
    expect(r.error).toBeUndefined();
    const [web] = sent(r.from, 'AssumeRoleWithWebIdentity');
    expect(web?.get('Policy')).toBe(JSON.stringify(POLICY));
    expect(members(web!, 'PolicyArns', 'arn')).toEqual(MANAGED);
    expect(r.summary).toContain(
      `| **session policies** | inline (${JSON.stringify(POLICY).length} characters), ${MANAGED.join(', ')} on the session of ${role} |`,
    );
  });

  it('session policies, chained: on the chained AssumeRole only (the first role keeps what it needs to chain)', async () => {
    const first = await oidcRole(TOOLING);
    const target = await chainedRole(PROD, first);
    const r = await run({
      'role-arn': first,
      'chain-role-arn': target,
      region: 'us-west-2',
      'inline-session-policy': JSON.stringify(POLICY),
      'managed-session-policies': MANAGED.join(','),
    });
    expect(r.error).toBeUndefined();
    const [web] = sent(r.from, 'AssumeRoleWithWebIdentity');
    const [chained] = sent(r.from, 'AssumeRole');
    expect(web?.has('Policy')).toBe(false);
    expect(members(web!, 'PolicyArns', 'arn')).toEqual([]);
    expect(chained?.get('Policy')).toBe(JSON.stringify(POLICY));
    expect(members(chained!, 'PolicyArns', 'arn')).toEqual(MANAGED);
  });

  it('moto STS refuses what AWS refuses of those parameters (the bed is strict, so the tests above mean something)', async () => {
    const { STSClient, AssumeRoleCommand } = await import('@aws-sdk/client-sts');
    const target = await chainedRole(PROD, `arn:aws:iam::${STAGING}:root`);
    const sts = new STSClient(bed.moto.clientConfig(STAGING));
    const base = { RoleArn: target, RoleSessionName: 'bed-check' };
    const refusal = (input: Record<string, unknown>) =>
      sts.send(new AssumeRoleCommand({ ...base, ...input })).then(
        () => 'accepted',
        (error: Error) => `${error.name}: ${error.message}`,
      );
    expect(await refusal({ Tags: [{ Key: 'Repository', Value: 'acme/shop' }], TransitiveTagKeys: ['Environment'] })).toMatch(
      /^InvalidParameterValue: The transitive tag key Environment/,
    );
    expect(await refusal({ Policy: '{"Statement": [' })).toMatch(/^MalformedPolicyDocument/);
    expect(await refusal({ PolicyArns: Array.from({ length: 11 }, (_, i) => ({ arn: `arn:aws:iam::${PROD}:policy/p${i}` })) })).toMatch(
      /^ValidationError/,
    );
    expect(await refusal({ Tags: [{ Key: 'Repository', Value: 'acme/shop' }], TransitiveTagKeys: ['Repository'] })).toBe('accepted');
  });

  it('transitive-tag-keys ride with the session tags on the chained AssumeRole', async () => {
    const first = await oidcRole(TOOLING);
    const target = await chainedRole(PROD, first);
    const dir = jobWorkspace(
      [
        'app: shop',
        'image: { repository: 123456789012.dkr.ecr.us-west-2.amazonaws.com/shop }',
        'environments:',
        '  prod:',
        `    aws: { account: "${PROD}", region: us-west-2, role: "${first}", chain-role: "${target}" }`,
        '',
      ].join('\n'),
      'assume-env-parity-',
    );
    const r = await run({ environment: 'prod', 'transitive-tag-keys': 'repository, Environment' }, { GITHUB_WORKSPACE: dir });
    expect(r.error).toBeUndefined();
    const [chained] = sent(r.from, 'AssumeRole');
    expect(members(chained!, 'TransitiveTagKeys')).toEqual(['Repository', 'Environment']);
    expect(members(chained!, 'Tags', 'Key')).toEqual(expect.arrayContaining(['Repository', 'Environment']));
    expect(r.summary).toContain('| **transitive tags** | Repository, Environment |');
  });

  it('allowed-account-ids: an allowed account passes and says so; a list without it is refused before any request', async () => {
    const role = await oidcRole(PROD);
    const ok = await run({ 'role-arn': role, region: 'us-west-2', 'allowed-account-ids': `${STAGING},${PROD}` });
    expect(ok.error).toBeUndefined();
    expect(ok.log.some((l) => l.includes(`in account ${PROD} (one of the allowed accounts ${STAGING}, ${PROD})`))).toBe(true);
    expect(ok.summary).toContain(`| **allowed accounts** | ${STAGING}, ${PROD} |`);

    const refused = await run({ 'role-arn': role, region: 'us-west-2', 'allowed-account-ids': STAGING });
    expect(refused.error).toMatchObject({ input: 'allowed-account-ids' });
    expect((refused.error as Error).message).toBe(
      `input 'allowed-account-ids': the credentials must belong to account ${PROD} (the account of input 'role-arn'), which is not among ${STAGING}`,
    );
    expect(proxy.seen.length).toBe(refused.from);
    expect(refused.exported.size).toBe(0);
  });

  it("the audience follows the region's partition: sts.amazonaws.com.cn in China", async () => {
    const r = await run({ 'role-arn': `arn:aws-cn:iam::${PROD}:role/deploy`, region: 'cn-north-1' });
    // The bed's STS knows no aws-cn roles; what matters is the token that was asked for.
    expect(r.log.some((l) => /^\s*token: sub ".*", aud "sts\.amazonaws\.com\.cn", issuer /.test(l))).toBe(true);
    const gov = await run({ 'role-arn': `arn:aws-us-gov:iam::${PROD}:role/deploy`, region: 'us-gov-west-1' });
    expect(gov.log.some((l) => /^\s*token: sub ".*", aud "sts\.amazonaws\.com", issuer /.test(l))).toBe(true);
  });
});
