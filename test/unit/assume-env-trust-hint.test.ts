import { describe, expect, it } from 'vitest';
import { claimsOf, conditionHost, explainTrustFailure, matchingStatement } from '../../actions/assume-env/src/trust-hint.ts';
import { ExpeditorError } from '../../packages/shared/src/errors.ts';
import { claims, jwt } from './assume-env-fixtures.ts';

const host = 'token.actions.githubusercontent.com';
const role = 'arn:aws:iam::111111111111:role/deploy';
const stsError = (name: string, message: string) => Object.assign(new Error(message), { name, $metadata: { httpStatusCode: 400 } });
const denied = () =>
  Object.assign(new Error('Not authorized to perform sts:AssumeRoleWithWebIdentity'), {
    name: 'AccessDenied',
    $metadata: { httpStatusCode: 403 },
  });

describe("claimsOf: a token's claims, decoded without a key", () => {
  it.each([
    ['a branch push', claims.branch, { sub: 'repo:acme/shop:ref:refs/heads/main', environment: undefined, ref: 'refs/heads/main' }],
    ['a tag push', claims.tag, { sub: 'repo:acme/shop:ref:refs/tags/v1.4.2', environment: undefined, ref: 'refs/tags/v1.4.2' }],
    ['a pull request', claims.pullRequest, { sub: 'repo:acme/shop:pull_request', environment: undefined, ref: 'refs/pull/482/merge' }],
    [
      'a job in an environment',
      claims.environment,
      { sub: 'repo:acme/shop:environment:prod', environment: 'prod', ref: 'refs/heads/main' },
    ],
  ])('%s', (_what, payload, expected) => {
    expect(claimsOf(jwt(payload))).toEqual({
      iss: 'https://token.actions.githubusercontent.com',
      aud: ['sts.amazonaws.com'],
      repository: 'acme/shop',
      jobWorkflowRef: 'acme/shop/.github/workflows/deploy.yml@refs/heads/main',
      ...expected,
    });
  });

  it.each([
    [
      'several audiences (an enterprise issuer)',
      claims.enterprise,
      { aud: ['sts.amazonaws.com', 'https://github.com/acme'], iss: 'https://token.actions.githubusercontent.com/acme-corp' },
    ],
    ['a reusable workflow', claims.reusable, { jobWorkflowRef: 'acme/platform/.github/workflows/deploy.yml@refs/tags/v3' }],
    [
      'no aud, empty strings',
      { iss: 'https://token.actions.githubusercontent.com', sub: 'repo:acme/shop:pull_request', environment: '' },
      { aud: [], environment: undefined, repository: undefined },
    ],
  ])('%s', (_what, payload, expected) => {
    expect(claimsOf(jwt(payload))).toMatchObject(expected);
  });

  it.each(['', 'not-a-jwt', 'a.b.c', 'ghs_16C7e42F292c6912E7710c838347Ae178B4a'])('%j is no token: undefined', (token) => {
    expect(claimsOf(token)).toBeUndefined();
  });
});

describe('the trust policy statement that would have matched', () => {
  it.each([
    ['a branch', claims.branch, role, 'aws', 'repo:acme/shop:ref:refs/heads/main', 'sts.amazonaws.com'],
    ['a tag', claims.tag, role, 'aws', 'repo:acme/shop:ref:refs/tags/v1.4.2', 'sts.amazonaws.com'],
    ['a pull request', claims.pullRequest, role, 'aws', 'repo:acme/shop:pull_request', 'sts.amazonaws.com'],
    ['an environment', claims.environment, role, 'aws', 'repo:acme/shop:environment:prod', 'sts.amazonaws.com'],
    [
      'an environment in China',
      claims.environment,
      'arn:aws-cn:iam::111111111111:role/deploy',
      'aws-cn',
      'repo:acme/shop:environment:prod',
      'sts.amazonaws.com',
    ],
  ])('%s', (_what, payload, roleArn, partition, sub, aud) => {
    const decoded = claimsOf(jwt(payload));
    if (!decoded) throw new Error('the fixture does not decode');
    expect(matchingStatement(decoded, roleArn)).toEqual({
      Effect: 'Allow',
      Principal: { Federated: `arn:${partition}:iam::111111111111:oidc-provider/${host}` },
      Action: 'sts:AssumeRoleWithWebIdentity',
      Condition: { StringEquals: { [`${host}:aud`]: aud, [`${host}:sub`]: sub } },
    });
  });

  it('an enterprise issuer: keys under its path, every audience', () => {
    const decoded = claimsOf(jwt(claims.enterprise));
    if (!decoded) throw new Error('the fixture does not decode');
    expect(matchingStatement(decoded, role)).toMatchObject({
      Principal: { Federated: `arn:aws:iam::111111111111:oidc-provider/${host}/acme-corp` },
      Condition: { StringEquals: { [`${host}/acme-corp:aud`]: ['sts.amazonaws.com', 'https://github.com/acme'] } },
    });
  });

  it.each([
    ['https://token.actions.githubusercontent.com', host],
    ['https://token.actions.githubusercontent.com/', host],
    ['https://token.actions.githubusercontent.com/acme-corp', `${host}/acme-corp`],
    ['http://127.0.0.1:8080/oidc', '127.0.0.1:8080/oidc'],
  ])('condition keys of issuer %s start with %s', (issuer, prefix) => {
    expect(conditionHost(issuer)).toBe(prefix);
  });
});

describe('explainTrustFailure: what to change, and where', () => {
  const explain = (payload: Record<string, unknown> | string, error: Error, ...asked: [string | undefined] | []) =>
    explainTrustFailure({
      error,
      token: typeof payload === 'string' ? payload : jwt(payload),
      roleArn: role,
      environment: asked.length ? asked[0] : 'prod',
      audience: 'sts.amazonaws.com',
      roleWhere: { key: 'environments.prod.aws.role' },
    });

  it.each([
    ['a branch job refused', claims.branch, `${host}:sub = "repo:acme/shop:ref:refs/heads/main" and ${host}:aud = "sts.amazonaws.com"`],
    ['a tag job refused', claims.tag, `${host}:sub = "repo:acme/shop:ref:refs/tags/v1.4.2"`],
    ['a pull request refused', claims.pullRequest, `${host}:sub = "repo:acme/shop:pull_request"`],
    ['an environment job refused', claims.environment, `${host}:sub = "repo:acme/shop:environment:prod"`],
  ])('%s: allow its sub and aud in the trust policy', (_what, payload, condition) => {
    const failure = explain(payload, denied());
    expect(failure.error).toBeInstanceOf(ExpeditorError);
    expect(failure.error.next).toBe(
      `allow this token in the trust policy of ${role}: ${condition}${condition.includes(':aud') ? '' : ` and ${host}:aud = "sts.amazonaws.com"`} (statement printed above)`,
    );
    expect(failure.error.key).toBe('environments.prod.aws.role');
    expect(failure.error.unchanged).toBe('no credentials were exported');
    expect(failure.error.message).toContain(
      `AccessDenied (HTTP 403): Not authorized to perform sts:AssumeRoleWithWebIdentity — STS refused this job's token for ${role} (sub "${payload.sub}", aud "sts.amazonaws.com")`,
    );
    expect(failure.explanation).toContain(`  sub: "${payload.sub}"`);
  });

  it.each([
    [
      'a job without an environment',
      claims.branch,
      'prod',
      'Note: the job declares no GitHub environment, so its sub names the ref; a job with `environment: prod` gets sub "repo:acme/shop:environment:prod".',
    ],
    [
      'a job in another environment',
      claims.staging,
      'prod',
      'Note: the job runs in the GitHub environment "staging", not "prod"; its sub names "staging".',
    ],
    ['a job in the asked environment', claims.environment, 'prod', undefined],
    ['explicit inputs (no environment asked)', claims.branch, undefined, undefined],
  ])('%s: the note on the environment', (_what, payload, environment, note) => {
    const lines = explain(payload, denied(), environment).explanation;
    const notes = lines.filter((line) => line.startsWith('Note:'));
    expect(notes).toEqual(note ? [note] : []);
  });

  it.each([
    [
      'no OIDC provider in the account',
      stsError('InvalidIdentityToken', 'No OpenIDConnect provider found in your account for https://token.actions.githubusercontent.com'),
      'create an IAM OIDC identity provider for https://token.actions.githubusercontent.com in account 111111111111 with audience "sts.amazonaws.com"',
    ],
    [
      'an audience the provider does not list',
      stsError('InvalidIdentityToken', 'Incorrect token audience'),
      `add "sts.amazonaws.com" to the audiences (client IDs) of the OIDC provider ${host} in account 111111111111`,
    ],
    [
      'an expired token',
      stsError('ExpiredTokenException', 'Token expired: current date/time 1741945000 must be before the expiration date/time 1741944713'),
      'allow this token in the trust policy',
    ],
    [
      'any other invalid token',
      stsError('InvalidIdentityToken', "Couldn't retrieve verification key from your identity provider"),
      "check the OIDC provider of the role's account",
    ],
  ])('%s', (_what, error, next) => {
    expect(explain(claims.environment, error).error.next).toContain(next);
  });

  it('a token that does not decode: says so, no statement', () => {
    const failure = explain('garbage', denied());
    expect(failure.claims).toBeUndefined();
    expect(failure.statement).toBeUndefined();
    expect(failure.explanation).toEqual(['The token could not be decoded as a JWT.']);
    expect(failure.error.next).toContain('ACTIONS_ID_TOKEN_REQUEST_URL');
  });
});
