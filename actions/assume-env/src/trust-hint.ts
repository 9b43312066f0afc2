// When STS refuses the token, say why in terms of the trust policy: the token's claims (decoded
// without any key: they are not secret, only the signature is) and the condition that would have
// let it in. Most OIDC failures are a `sub` that names another environment or branch.
import { decodeJwt } from 'jose';
import { describeError, ExpeditorError } from '@expeditor/shared/errors';
import { quote } from '@expeditor/shared/inputs';
import type { Where } from './plan.ts';

export interface TokenClaims {
  iss: string;
  sub: string;
  aud: string[];
  repository: string | undefined;
  environment: string | undefined;
  ref: string | undefined;
  jobWorkflowRef: string | undefined;
}

export function claimsOf(token: string): TokenClaims | undefined {
  let payload: Record<string, unknown>;
  try {
    payload = decodeJwt(token);
  } catch {
    return undefined;
  }
  const text = (value: unknown): string | undefined => (typeof value === 'string' && value ? value : undefined);
  const aud = Array.isArray(payload.aud) ? payload.aud.map(String) : payload.aud === undefined ? [] : [String(payload.aud)];
  return {
    iss: text(payload.iss) ?? '',
    sub: text(payload.sub) ?? '',
    aud,
    repository: text(payload.repository),
    environment: text(payload.environment),
    ref: text(payload.ref),
    jobWorkflowRef: text(payload.job_workflow_ref),
  };
}

/** The prefix of the provider's condition keys: the issuer without its scheme, as IAM names it. */
export function conditionHost(issuer: string): string {
  return issuer.replace(/^https?:\/\//, '').replace(/\/+$/, '');
}

/** A trust policy statement that lets exactly this token (its aud and sub) assume the role. */
export function matchingStatement(claims: TokenClaims, roleArn: string): Record<string, unknown> {
  const [, partition = 'aws', account = ''] = /^arn:([^:]+):iam::(\d{12}):/.exec(roleArn) ?? [];
  const host = conditionHost(claims.iss);
  return {
    Effect: 'Allow',
    Principal: { Federated: `arn:${partition}:iam::${account}:oidc-provider/${host}` },
    Action: 'sts:AssumeRoleWithWebIdentity',
    Condition: {
      StringEquals: {
        [`${host}:aud`]: claims.aud.length === 1 ? claims.aud[0] : claims.aud,
        [`${host}:sub`]: claims.sub,
      },
    },
  };
}

export interface TrustFailureContext {
  error: unknown;
  token: string;
  roleArn: string;
  /** The environment assume-env was asked for, if any. */
  environment: string | undefined;
  audience: string;
  /** The setting that named the role, for the annotation. */
  roleWhere: Where;
}

export interface TrustFailure {
  error: ExpeditorError;
  /** Lines to print: the claims and the statement that would match. */
  explanation: string[];
  claims: TokenClaims | undefined;
  statement: Record<string, unknown> | undefined;
}

const show = (value: string | undefined): string => (value === undefined ? '(absent)' : quote(value));

/** Turns AccessDenied / InvalidIdentityToken into an error that says what to change, and where. */
export function explainTrustFailure(ctx: TrustFailureContext): TrustFailure {
  const claims = claimsOf(ctx.token);
  const name = (ctx.error as { name?: string }).name ?? '';
  const stsMessage = describeError(ctx.error);
  const explanation: string[] = [];
  const roleAccount = /::(\d{12}):/.exec(ctx.roleArn)?.[1] ?? '';
  let statement: Record<string, unknown> | undefined;
  let next: string;
  if (!claims) {
    explanation.push('The token could not be decoded as a JWT.');
    next = "check that ACTIONS_ID_TOKEN_REQUEST_URL is the runner's token endpoint";
  } else {
    const host = conditionHost(claims.iss);
    explanation.push(
      "The token's claims (decoded, not verified):",
      `  iss: ${show(claims.iss)}`,
      `  sub: ${show(claims.sub)}`,
      `  aud: ${claims.aud.length ? claims.aud.map((a) => quote(a)).join(', ') : '(absent)'}`,
      `  repository: ${show(claims.repository)}`,
      `  environment: ${show(claims.environment)}`,
      `  ref: ${show(claims.ref)}`,
    );
    if (claims.jobWorkflowRef) explanation.push(`  job_workflow_ref: ${show(claims.jobWorkflowRef)}`);
    statement = matchingStatement(claims, ctx.roleArn);
    const subCondition = `${host}:sub = ${quote(claims.sub)}`;
    const audCondition = `${host}:aud = ${claims.aud.map((a) => quote(a)).join(' or ') || '(none)'}`;
    if (/InvalidIdentityToken/.test(name) && /provider/i.test(stsMessage) && /no |not found/i.test(stsMessage)) {
      next =
        `create an IAM OIDC identity provider for ${claims.iss} in account ${roleAccount} ` +
        `with audience ${quote(ctx.audience)}, then trust it in the role's policy (${subCondition})`;
    } else if (/InvalidIdentityToken/.test(name) && /audience/i.test(stsMessage)) {
      next = `add ${quote(ctx.audience)} to the audiences (client IDs) of the OIDC provider ${host} in account ${roleAccount}, or set the 'audience' input to one it has`;
    } else if (/InvalidIdentityToken/.test(name)) {
      next = "check the OIDC provider of the role's account (its URL and audiences) and the runner's clock; a new run gets a new token";
    } else {
      next = `allow this token in the trust policy of ${ctx.roleArn}: ${subCondition} and ${audCondition} (statement printed above)`;
    }
    explanation.push(`A trust policy statement that would have matched (condition keys under ${host}):`);
    explanation.push(
      ...JSON.stringify(statement, null, 2)
        .split('\n')
        .map((l) => `  ${l}`),
    );
    if (ctx.environment && claims.environment !== ctx.environment) {
      explanation.push(
        claims.environment
          ? `Note: the job runs in the GitHub environment ${quote(claims.environment)}, not ${quote(ctx.environment)}; its sub names ${quote(claims.environment)}.`
          : `Note: the job declares no GitHub environment, so its sub names the ref; a job with \`environment: ${ctx.environment}\` gets sub ${quote(`repo:${claims.repository ?? 'OWNER/REPO'}:environment:${ctx.environment}`)}.`,
      );
    }
  }
  const error = new ExpeditorError(
    `${stsMessage} — STS refused this job's token for ${ctx.roleArn}${claims ? ` (sub ${quote(claims.sub)}, aud ${claims.aud.map((a) => quote(a)).join(', ')})` : ''}; not retried, retrying cannot change the answer`,
    { ...ctx.roleWhere, unchanged: 'no credentials were exported', next, cause: ctx.error },
  );
  return { error, explanation, claims, statement };
}
