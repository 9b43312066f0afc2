// IAM on the bed's moto for tests, benches and the demo that assume roles: the bed's OIDC issuer
// registered as an IAM OIDC provider, roles whose trust policy lets the issuer's GitHub tokens in
// (the statement GitHub's OIDC guide gives: audience sts.amazonaws.com, a `sub` condition), and
// roles another principal may assume (role chaining). moto's STS checks these policies as AWS does.
import { CreateOpenIDConnectProviderCommand, CreateRoleCommand, IAMClient } from '@aws-sdk/client-iam';
import type { MotoPart, OidcPart } from './types.ts';

/** What these set-ups need of a bed. */
export interface RolesBed {
  oidc: Pick<OidcPart, 'issuer'>;
  moto: Pick<MotoPart, 'clientConfig'>;
}

/** Which token subjects a role trusts: exactly `sub` (StringEquals), or `subLike` with `*` wildcards (StringLike). */
export type SubjectCondition = { sub: string } | { subLike: string };

export type TrustPolicy = { Version: '2012-10-17'; Statement: Record<string, unknown>[] };

let counter = 0;
/** A role name of its own for each call in this process. */
export const uniqueRoleName = (prefix: string): string => `${prefix}-${process.pid}-${++counter}`;

/** The issuer as IAM names its provider and condition keys (`<host>:sub`): without the scheme. */
export const issuerHost = (issuer: string): string => issuer.replace(/^https?:\/\//, '');

const alreadyExists = (error: { name?: string }): boolean => /EntityAlreadyExists/.test(error.name ?? '');

/** Registers `issuer` as an IAM OIDC provider for audience sts.amazonaws.com in `account` (an existing one is kept). Returns its host. */
export async function oidcProvider(moto: RolesBed['moto'], account: string, issuer: string): Promise<string> {
  await new IAMClient(moto.clientConfig(account))
    .send(new CreateOpenIDConnectProviderCommand({ Url: issuer, ClientIDList: ['sts.amazonaws.com'], ThumbprintList: ['0'.repeat(40)] }))
    .catch((error: { name?: string }) => {
      if (!alreadyExists(error)) throw error;
    });
  return issuerHost(issuer);
}

/**
 * A trust policy for web identity tokens of the provider at `host` in `account`. With `subject`:
 * only tokens for sts.amazonaws.com whose `sub` matches; without: any token of that provider.
 */
export function webIdentityTrust(account: string, host: string, subject?: SubjectCondition): TrustPolicy {
  const audience = { [`${host}:aud`]: 'sts.amazonaws.com' };
  const condition =
    subject === undefined
      ? undefined
      : 'sub' in subject
        ? { StringEquals: { ...audience, [`${host}:sub`]: subject.sub } }
        : { StringEquals: audience, StringLike: { [`${host}:sub`]: subject.subLike } };
  return {
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Allow',
        Principal: { Federated: `arn:aws:iam::${account}:oidc-provider/${host}` },
        Action: 'sts:AssumeRoleWithWebIdentity',
        ...(condition ? { Condition: condition } : {}),
      },
    ],
  };
}

/**
 * Creates role `name` in `account` with this trust policy and returns its ARN. With `reuse`, a role
 * of that name that already exists is kept as it is and its ARN returned.
 */
export async function createRole(
  moto: RolesBed['moto'],
  account: string,
  name: string,
  trust: TrustPolicy,
  options: { reuse?: boolean } = {},
): Promise<string> {
  const created = await new IAMClient(moto.clientConfig(account))
    .send(new CreateRoleCommand({ RoleName: name, AssumeRolePolicyDocument: JSON.stringify(trust) }))
    .catch((error: { name?: string }) => {
      if (options.reuse && alreadyExists(error)) return undefined;
      throw error;
    });
  return created?.Role?.Arn ?? `arn:aws:iam::${account}:role/${name}`;
}

export interface GitHubRoleOptions {
  account: string;
  /** The `sub` values the role lets in (e.g. `{ sub: 'repo:acme/shop:environment:prod' }`). */
  subject: SubjectCondition;
  /** Default: a name of its own (`deploy-…`). */
  name?: string;
  /** Keep a role of that name that exists already (a set-up run twice on one bed). */
  reuse?: boolean;
}

/** The bed's issuer as a provider in the account (once) and a role trusting its tokens with a matching `sub`. Returns the role's ARN. */
export async function githubOidcRole(bed: RolesBed, options: GitHubRoleOptions): Promise<string> {
  const host = await oidcProvider(bed.moto, options.account, bed.oidc.issuer);
  const trust = webIdentityTrust(options.account, host, options.subject);
  return createRole(bed.moto, options.account, options.name ?? uniqueRoleName('deploy'), trust, { reuse: options.reuse ?? false });
}

/** A role in `account` that `trusted` (a role or account ARN) may assume and tag sessions of: role chaining. */
export async function chainedRole(
  moto: RolesBed['moto'],
  account: string,
  trusted: string,
  name = uniqueRoleName('target'),
): Promise<string> {
  const trust: TrustPolicy = {
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Principal: { AWS: trusted }, Action: ['sts:AssumeRole', 'sts:TagSession'] }],
  };
  return createRole(moto, account, name, trust);
}
