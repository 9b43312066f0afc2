// The committed assume-env bundle, run as the runner runs it (node, INPUT_* variables, GITHUB_ENV,
// GITHUB_OUTPUT and GITHUB_STEP_SUMMARY files) against the bed's OIDC issuer and moto STS; bad
// values against a counting server that must see no request; and a scan of everything it wrote.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { useBed } from '../bed/vitest.ts';
import { githubOidcRole } from '../bed/aws-roles.ts';
import { countingServer, jobWorkspace, noAmbientAws, root, runBundle as run, type BundleRun, type CountingServer } from './bundle-run.ts';

const bed = useBed(['oidc', 'moto']);
const PROD = '111111111111';
const STAGING = '222222222222';

/** A role trusting the bed's tokens whose `sub` matches (StringLike, as GitHub's guide writes it). */
const oidcRole = (account: string, sub: string): Promise<string> => githubOidcRole(bed, { account, subject: { subLike: sub } });

const workspace = (config?: string): string => jobWorkspace(config, 'assume-env-bundle-');

const configFor = (role: string, account = PROD): string =>
  [
    'app: shop',
    'image: { repository: 123456789012.dkr.ecr.us-west-2.amazonaws.com/shop }',
    'environments:',
    '  prod:',
    `    aws: { account: "${account}", region: us-west-2, role: "${role}" }`,
    '  staging:',
    `    aws: { account: "${STAGING}", region: us-west-2, role: "arn:aws:iam::${STAGING}:role/deploy" }`,
    '',
  ].join('\n');

/** The bundle in `dir`, as a job in acme/shop's run 3000003 (attempt 2) runs it, with no AWS credentials but the ones `env` gives. */
const runBundle = (dir: string, inputs: Record<string, string>, env: Record<string, string>): Promise<BundleRun> =>
  run('assume-env', inputs, { GITHUB_RUN_ID: '3000003', GITHUB_RUN_ATTEMPT: '2', ...noAmbientAws(dir), ...env }, { workspace: dir });

const oidcEnv = (): Record<string, string> => ({
  ACTIONS_ID_TOKEN_REQUEST_URL: bed.oidc.requestUrl,
  ACTIONS_ID_TOKEN_REQUEST_TOKEN: bed.oidc.requestToken,
  AWS_ENDPOINT_URL: bed.moto.endpoint,
});

const JWT = /eyJ[\w-]+\.eyJ[\w-]+\.[\w-]+/g;
const CREDENTIAL_VARIABLES = ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN'];
/** The step outputs of output-credentials: true. */
const CREDENTIAL_OUTPUTS = ['aws-access-key-id', 'aws-secret-access-key', 'aws-session-token'];

/** A `NAME<<delimiter … delimiter` block of GITHUB_ENV or GITHUB_OUTPUT taken out. */
const withoutBlock = (text: string, name: string): string => text.replace(new RegExp(`^${name}<<(\\S+)\\n[\\s\\S]*?\\n\\1$`, 'm'), '');

/**
 * Everything the action wrote, except what exists to carry the secrets: the `::add-mask::` commands
 * (the runner consumes them; they are how masking works), the credential blocks of GITHUB_ENV and
 * the credential outputs of GITHUB_OUTPUT (output-credentials).
 */
function everythingWritten(r: BundleRun): Record<string, string> {
  let env = r.envFile;
  for (const name of CREDENTIAL_VARIABLES) env = withoutBlock(env, name);
  let output = r.outputFile;
  for (const name of CREDENTIAL_OUTPUTS) output = withoutBlock(output, name);
  return {
    stdout: r.stdout
      .split('\n')
      .filter((l) => !l.startsWith('::add-mask::'))
      .join('\n'),
    stderr: r.stderr,
    GITHUB_ENV: env,
    GITHUB_OUTPUT: output,
    summary: r.summary,
  };
}

const masked = (r: BundleRun): string[] =>
  r.stdout
    .split('\n')
    .filter((l) => l.startsWith('::add-mask::'))
    .map((l) => l.slice('::add-mask::'.length));

/** The token and the secrets appear nowhere but in their mask commands and exported variables. */
function expectNoSecretsWritten(r: BundleRun, secrets: string[]): void {
  expect(
    masked(r).some((m) => new RegExp(`^${JWT.source}$`).test(m)),
    'the token was masked',
  ).toBe(true);
  for (const [where, text] of Object.entries(everythingWritten(r))) {
    expect(text.match(JWT), `a token in ${where}`).toBeNull();
    for (const secret of secrets) {
      expect(secret.length).toBeGreaterThan(10);
      expect(text.includes(secret), `a secret in ${where}`).toBe(false);
    }
  }
}

describe('the assume-env bundle on the bed', () => {
  it('exports verified credentials and outputs, masks them before use, and writes nothing secret', async () => {
    const role = await oidcRole(PROD, 'repo:acme/shop:environment:prod');
    bed.oidc.setClaims({ environment: 'prod' });
    const dir = workspace(configFor(role));
    const r = await runBundle(dir, { environment: 'prod' }, oidcEnv());
    expect(r.status, r.stdout).toBe(0);
    expect(r.outputs).toMatchObject({ account: PROD, region: 'us-west-2', 'role-arn': role, source: 'oidc' });
    expect(Date.parse(r.outputs.expiration!)).toBeGreaterThan(Date.now());
    expect(Object.keys(r.exported)).toEqual([...CREDENTIAL_VARIABLES, 'AWS_REGION', 'AWS_DEFAULT_REGION']);
    expect(r.exported.AWS_ACCESS_KEY_ID).toMatch(/^ASIA/);
    const secret = r.exported.AWS_SECRET_ACCESS_KEY!;
    const session = r.exported.AWS_SESSION_TOKEN!;

    // Masked before first use: the mask commands come before the GetCallerIdentity that uses them.
    const lines = r.stdout.split('\n');
    const verified = lines.findIndex((l) => l.startsWith('verified: '));
    expect(verified).toBeGreaterThan(0);
    for (const value of [secret, session, r.exported.AWS_ACCESS_KEY_ID!]) {
      const at = lines.indexOf(`::add-mask::${value}`);
      expect(at).toBeGreaterThanOrEqual(0);
      expect(at).toBeLessThan(verified);
    }
    expectNoSecretsWritten(r, [secret, session, bed.oidc.requestToken]);
    expect(r.summary).toContain('## assume-env: prod → account 111111111111');
    expect(r.summary).toContain('| account | 111111111111 | environments.prod.aws.account |');
    expect(r.summary).toContain('| session name | gha-acme-shop-3000003-2 | the repository and run |');
  });

  it('on AccessDenied: one call, exit 1 with the matching condition, nothing exported, nothing secret written', async () => {
    const role = await oidcRole(PROD, 'repo:acme/shop:environment:prod');
    bed.oidc.setClaims({ environment: undefined });
    const dir = workspace(configFor(role));
    const since = Date.now();
    const r = await runBundle(dir, { environment: 'prod' }, oidcEnv());
    expect(r.status).toBe(1);
    const host = bed.oidc.issuer.replace('http://', '');
    expect(r.stdout).toContain(
      `::error title=environments.prod.aws.role::AccessDenied (HTTP 403): Not authorized to perform sts:AssumeRoleWithWebIdentity`,
    );
    expect(r.stdout).toContain(`"${host}:sub": "repo:acme/shop:ref:refs/heads/main"`);
    expect(r.stdout).toContain('Note: the job declares no GitHub environment');
    expect(r.stdout).toContain(`Next: allow this token in the trust policy of ${role}: ${host}:sub = "repo:acme/shop:ref:refs/heads/main"`);
    const seen = await bed.moto.control<{ counts: Record<string, number> }>('calls', { since });
    expect(seen.counts).toEqual({ AssumeRoleWithWebIdentity: 1 });
    expect(r.exported).toEqual({});
    expect(r.outputs).toEqual({});
    expectNoSecretsWritten(r, [bed.oidc.requestToken]);
  });

  it('under act, with no OIDC: uses the credentials already in the environment, verified, and says OIDC was skipped', async () => {
    const dir = workspace(configFor(`arn:aws:iam::${PROD}:role/deploy`));
    const r = await runBundle(dir, { environment: 'prod' }, { ...bed.moto.env(PROD), ACT: 'true' });
    expect(r.status, r.stdout).toBe(0);
    expect(r.stdout).toContain('OIDC skipped: no ACTIONS_ID_TOKEN_REQUEST_URL/ACTIONS_ID_TOKEN_REQUEST_TOKEN (running under act)');
    expect(r.outputs).toMatchObject({ account: PROD, source: 'ambient', region: 'us-west-2' });
    expect(r.exported).toEqual({ AWS_REGION: 'us-west-2', AWS_DEFAULT_REGION: 'us-west-2' });
    expect(r.summary).toContain('OIDC skipped');
  });

  it('under act with credentials of another account: exit 1 naming both accounts, nothing exported', async () => {
    const dir = workspace(configFor(`arn:aws:iam::${PROD}:role/deploy`));
    const r = await runBundle(dir, { environment: 'prod' }, { ...bed.moto.env(STAGING), ACT: 'true' });
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(
      new RegExp(
        `::error title=environments.prod.aws.account::the credentials belong to account ${STAGING} \\(arn:[^)]+\\), not to account ${PROD}`,
      ),
    );
    expect(r.exported).toEqual({});
    expect(r.outputs).toEqual({});
  });

  it('with neither OIDC nor credentials: a clear error saying what is missing', async () => {
    const dir = workspace(configFor(`arn:aws:iam::${PROD}:role/deploy`));
    const r = await runBundle(dir, { environment: 'prod' }, { AWS_ENDPOINT_URL: bed.moto.endpoint });
    expect(r.status).toBe(1);
    expect(r.stdout).toContain(
      '::error::assume-env: no way to get AWS credentials: there is no GitHub OIDC token (ACTIONS_ID_TOKEN_REQUEST_URL and ACTIONS_ID_TOKEN_REQUEST_TOKEN are not set) and no AWS credentials in the environment',
    );
    expect(r.stdout).toContain('Next: on GitHub, give the job `permissions: id-token: write`');
    expect(r.exported).toEqual({});
  });

  it('reports every problem of a garbled environment file with its key path and line, before any call', async () => {
    const since = Date.now();
    const garbled = configFor(`arn:aws:iam::${PROD}:role/deploy`)
      .replace(`account: "${PROD}"`, 'account: "11111111111"')
      .replace('region: us-west-2, role: "arn:aws:iam::222', 'region: mars, rol: "arn:aws:iam::222')
      .replace('app: shop', 'app: Shop!');
    const r = await runBundle(workspace(garbled), { environment: 'prod' }, oidcEnv());
    expect(r.status).toBe(1);
    const errors = r.stdout.split('\n').filter((l) => l.startsWith('::error title='));
    expect(errors.map((l) => l.slice('::error title='.length, l.indexOf('::', 2)))).toEqual([
      'app',
      'environments.prod.aws.account',
      'environments.prod.aws.role',
      'environments.staging.aws.region',
      'environments.staging.aws.role',
      'environments.staging.aws.rol',
    ]);
    expect(r.stdout).toContain('.github/expeditor.yml:5: environments.prod.aws.account: expected 12 digits, got "11111111111"');
    expect(r.stdout).toContain('.github/expeditor.yml:7: environments.staging.aws.rol: unknown key');
    expect(r.stdout).toContain('.github/expeditor.yml has 6 problems:');
    expect((await bed.moto.control<{ calls: unknown[] }>('calls', { since })).calls).toEqual([]);
  });

  it('says the environment file is missing, naming the config input', async () => {
    const r = await runBundle(workspace(), { environment: 'prod', config: 'deploy/expeditor.yml' }, oidcEnv());
    expect(r.status).toBe(1);
    expect(r.stdout).toContain("::error title=input 'config'::environment file deploy/expeditor.yml does not exist");
  });
});

describe('the bundle with the inputs shared with configure-aws-credentials', () => {
  const SUB = 'repo:acme/shop:environment:prod';

  it('output-credentials: the three outputs are the exported credentials, each masked before use; the secret key and session token appear in no log, summary or other output', async () => {
    const role = await oidcRole(PROD, SUB);
    bed.oidc.setClaims({ environment: 'prod' });
    const r = await runBundle(workspace(), { 'role-arn': role, region: 'us-west-2', 'output-credentials': 'true' }, oidcEnv());
    expect(r.status, r.stdout).toBe(0);
    const secret = r.exported.AWS_SECRET_ACCESS_KEY!;
    const session = r.exported.AWS_SESSION_TOKEN!;
    expect(r.outputs).toMatchObject({
      'aws-access-key-id': r.exported.AWS_ACCESS_KEY_ID,
      'aws-secret-access-key': secret,
      'aws-session-token': session,
      account: PROD,
    });
    const lines = r.stdout.split('\n');
    const verified = lines.findIndex((l) => l.startsWith('verified: '));
    for (const value of [r.exported.AWS_ACCESS_KEY_ID!, secret, session]) {
      const at = lines.indexOf(`::add-mask::${value}`);
      expect(at).toBeGreaterThanOrEqual(0);
      expect(at).toBeLessThan(verified);
    }
    expectNoSecretsWritten(r, [secret, session, bed.oidc.requestToken]);
    expect(r.summary).toContain('step outputs aws-access-key-id, aws-secret-access-key, aws-session-token (masked)');

    const without = await runBundle(workspace(), { 'role-arn': role, region: 'us-west-2' }, oidcEnv());
    expect(without.status).toBe(0);
    for (const name of CREDENTIAL_OUTPUTS) expect(without.outputs).not.toHaveProperty(name);
    expectNoSecretsWritten(without, [without.exported.AWS_SECRET_ACCESS_KEY!, without.exported.AWS_SESSION_TOKEN!]);
  });

  it('web-identity-token-file: the token from a file under RUNNER_TEMP, no OIDC request, masked and never written', async () => {
    const role = await oidcRole(PROD, SUB);
    const token = await bed.oidc.mint({ aud: 'sts.amazonaws.com', environment: 'prod', sub: SUB });
    const temp = mkdtempSync(join(tmpdir(), 'runner-temp-'));
    writeFileSync(join(temp, 'web-identity.jwt'), `${token}\n`);
    const inputs = { 'role-arn': role, region: 'us-west-2', 'web-identity-token-file': join(temp, 'web-identity.jwt') };
    const r = await runBundle(workspace(), inputs, { AWS_ENDPOINT_URL: bed.moto.endpoint, RUNNER_TEMP: temp });
    expect(r.status, r.stdout).toBe(0);
    expect(r.outputs).toMatchObject({ account: PROD, source: 'token-file' });
    expect(masked(r)).toContain(token);
    expectNoSecretsWritten(r, [token, r.exported.AWS_SECRET_ACCESS_KEY!, r.exported.AWS_SESSION_TOKEN!]);

    // Outside the workspace and RUNNER_TEMP: refused naming the input, before any request.
    const since = Date.now();
    const outside = await runBundle(workspace(), inputs, { AWS_ENDPOINT_URL: bed.moto.endpoint, RUNNER_TEMP: join(temp, 'elsewhere') });
    expect(outside.status).toBe(1);
    expect(outside.stdout).toContain("::error title=input 'web-identity-token-file'::input 'web-identity-token-file': ");
    expect(outside.stdout).toContain('is outside the workspace');
    expect((await bed.moto.control<{ calls: unknown[] }>('calls', { since })).calls).toEqual([]);
  });

  it('unset-current-credentials: keys an earlier step left are not used as the source identity', async () => {
    // Leftovers of the staging account, as an earlier step exported them. (No AWS_PROFILE: with one
    // set, the SDK skips the keys, and this is about the keys.)
    const leftovers: Record<string, string> = { ...bed.moto.env(STAGING), ACT: 'true' };
    const inputs = { 'role-arn': `arn:aws:iam::${PROD}:role/deploy`, region: 'us-west-2' };
    const used = await runBundle(workspace(), inputs, leftovers);
    expect(used.status).toBe(1);
    expect(used.stdout).toContain(`the credentials belong to account ${STAGING}`);

    const cleared = await runBundle(workspace(), { ...inputs, 'unset-current-credentials': 'true' }, leftovers);
    expect(cleared.status).toBe(1);
    expect(cleared.stdout).toContain('unset-current-credentials: cleared AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY of earlier steps');
    expect(cleared.stdout).toContain('no way to get AWS credentials');
    expect(cleared.stdout).not.toContain(`account ${STAGING}`);

    // With OIDC the role is assumed as always, and the leftovers are replaced.
    const role = await oidcRole(PROD, SUB);
    bed.oidc.setClaims({ environment: 'prod' });
    const oidc = await runBundle(
      workspace(),
      { 'role-arn': role, region: 'us-west-2', 'unset-current-credentials': 'true' },
      { ...leftovers, ...oidcEnv() },
    );
    expect(oidc.status, oidc.stdout).toBe(0);
    expect(oidc.outputs).toMatchObject({ account: PROD, source: 'oidc' });
    expect(oidc.exported.AWS_ACCESS_KEY_ID).not.toBe(leftovers.AWS_ACCESS_KEY_ID);
  });

  it('the post step writes the exported variables empty for the rest of the job', async () => {
    const action = parse(readFileSync(join(root, 'actions', 'assume-env', 'action.yml'), 'utf8')) as { runs: Record<string, string> };
    expect(action.runs).toMatchObject({ main: 'dist/index.js', post: 'dist/post.js', 'post-if': 'always()' });
    const dir = workspace();
    const r = await run(join(root, 'actions', 'assume-env', 'dist', 'post.js'), {}, noAmbientAws(dir), { workspace: dir });
    expect(r.status, r.stdout + r.stderr).toBe(0);
    expect(r.exported).toEqual({
      AWS_ACCESS_KEY_ID: '',
      AWS_SECRET_ACCESS_KEY: '',
      AWS_SESSION_TOKEN: '',
      AWS_REGION: '',
      AWS_DEFAULT_REGION: '',
    });
    expect(r.stdout).toContain(
      'cleared AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN, AWS_REGION, AWS_DEFAULT_REGION for the rest of the job',
    );
  });
});

describe('hostile values are refused naming the key, with no network call', () => {
  let server: CountingServer;
  beforeAll(async () => {
    server = await countingServer();
  });
  afterAll(() => server.close());

  const role = `arn:aws:iam::${PROD}:role/deploy`;
  const outside = mkdtempSync(join(tmpdir(), 'assume-env-outside-'));
  writeFileSync(join(outside, 'expeditor.yml'), configFor(role));
  const cases: [string, Record<string, string>, string, string, ((dir: string) => void)?][] = [
    ['a newline in the environment', { environment: 'prod\n::set-env name=X::y' }, "input 'environment'", 'must be a single line'],
    [
      'a workflow command as the role',
      { 'role-arn': '::add-mask::x', region: 'us-west-2' },
      "input 'role-arn'",
      "must not contain a workflow command ('::')",
    ],
    [
      'a config path that climbs out',
      { environment: 'prod', config: '../../etc/expeditor.yml' },
      "input 'config'",
      'must be a relative path inside the workspace',
    ],
    [
      'an absolute config path',
      { environment: 'prod', config: '/etc/expeditor.yml' },
      "input 'config'",
      'must be a relative path inside the workspace',
    ],
    [
      'a config symlink leading outside',
      { environment: 'prod', config: '.github/linked.yml' },
      "input 'config'",
      'leads outside the workspace',
      (dir) => symlinkSync(join(outside, 'expeditor.yml'), join(dir, '.github', 'linked.yml')),
    ],
    [
      'an ARN of the wrong shape',
      { 'role-arn': 'arn:aws:iam::1234:role/deploy', region: 'us-west-2' },
      "input 'role-arn'",
      'expected an IAM role ARN',
    ],
    [
      'an ARN of another account',
      { 'role-arn': `arn:aws:iam::${STAGING}:role/deploy`, account: PROD, region: 'us-west-2' },
      "input 'role-arn'",
      `is in account ${STAGING}, but the credentials must belong to account ${PROD} (input 'account')`,
    ],
    [
      "an input ARN of another account than the file's",
      { environment: 'prod', 'role-arn': `arn:aws:iam::${STAGING}:role/deploy` },
      "input 'role-arn'",
      `but the credentials must belong to account ${PROD} (environments.prod.aws.account)`,
    ],
    [
      'an unknown environment',
      { environment: 'qa' },
      "input 'environment'",
      'environment "qa" is not in .github/expeditor.yml (have: prod, staging)',
    ],
    [
      'an audience that would change the query',
      { 'role-arn': role, region: 'us-west-2', audience: 'sts.amazonaws.com&x=1' },
      "input 'audience'",
      'expected an audience',
    ],
    [
      'a session name AWS refuses',
      { 'role-arn': role, region: 'us-west-2', 'role-session-name': 'my session' },
      "input 'role-session-name'",
      'expected 2 to 64',
    ],
    [
      'a duration STS refuses',
      { 'role-arn': role, region: 'us-west-2', 'role-duration': '13h' },
      "input 'role-duration'",
      'must be between 15m and 12h',
    ],
    [
      'a workflow command inside the file',
      { environment: 'prod' },
      'environments.prod.aws.role',
      'expected an IAM role ARN',
      (dir) => writeFileSync(join(dir, '.github', 'expeditor.yml'), configFor(`${role}\\n::warning::owned`)),
    ],
  ];

  it.each(cases)('%s', async (_name, inputs, title, message, prepare) => {
    const dir = workspace(configFor(role));
    prepare?.(dir);
    const before = server.requests();
    const r = await runBundle(dir, inputs, {
      ACTIONS_ID_TOKEN_REQUEST_URL: `${server.endpoint}/token?api-version=2.0`,
      ACTIONS_ID_TOKEN_REQUEST_TOKEN: 'request-token',
      AWS_ENDPOINT_URL: server.endpoint,
      AWS_ACCESS_KEY_ID: 'AKIAEXAMPLEEXAMPLE00',
      AWS_SECRET_ACCESS_KEY: 'example-secret-example-secret',
    });
    expect(r.status).toBe(1);
    const error = r.stdout.split('\n').find((l) => l.startsWith(`::error title=${title}::`));
    expect(error, r.stdout).toBeDefined();
    expect(error).toContain(message);
    expect(server.requests() - before).toBe(0);
    expect(r.exported).toEqual({});
    // Nothing the value carried ran as a workflow command.
    expect(r.stdout.split('\n').filter((l) => /^::(set-env|add-mask|warning)/.test(l))).toEqual([]);
  });
});
