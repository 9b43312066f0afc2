// assume-env's core: the planned role through GitHub OIDC (or the credentials already in the
// environment under act), optionally chained, verified by GetCallerIdentity against the account
// the environment names; credentials masked on arrival and exported only once verified. STS goes
// through the StsApi port (sts.ts); the step summary is the edge's (action.ts): a refusal it must
// explain is thrown as a RefusedError.
import type { GitHubContext } from '@expeditor/shared/context';
import { abortReason, stoppedDuring } from '@expeditor/shared/deadline';
import { describeError, ExpeditorError, originText } from '@expeditor/shared/errors';
import { quote } from '@expeditor/shared/inputs';
import type { Log } from '@expeditor/shared/log';
import { classifyError, withRetry } from '@expeditor/shared/retry';
import { KiB, readUserFile } from '@expeditor/shared/workspace-file';
import { requestIdToken } from './oidc-token.ts';
import { CHAINED_MAX_S, type AssumePlan } from './plan.ts';
import { NoAmbientCredentialsError, type AwsCredentials, type StsApi, type StsFactory } from './sts.ts';
import { claimsOf, explainTrustFailure } from './trust-hint.ts';

/** Where exported variables go: the job's environment (GITHUB_ENV) in an action. */
export interface VariableSink {
  exportVariable(name: string, value: string): void;
}

export interface AssumeEnvDeps {
  context: GitHubContext;
  log: Log;
  signal: AbortSignal;
  sts: StsFactory;
  variables: VariableSink;
  /** Retries of each AWS call and of the token request (default 4). */
  retries?: number;
  /** First retry delay (default 250 ms). */
  retryDelayMs?: number;
  /** RUNNER_TEMP: a web identity token file may be there as well as in the workspace. */
  runnerTemp?: string | undefined;
  /**
   * Clears the AWS credential variables of earlier steps from this process (unset-current-credentials);
   * returns the names that were set. The edge's, as only the input layer touches the environment.
   */
  unsetCredentials?: (() => string[]) | undefined;
}

/** GitHub OIDC, a web identity token file, or the credentials already in the environment. */
export type Source = 'oidc' | 'token-file' | 'ambient';

/** The step outputs of output-credentials: true. */
export interface CredentialOutputs {
  'aws-access-key-id': string;
  'aws-secret-access-key': string;
  'aws-session-token': string;
}

/** What STS takes as a web identity token: 4 to 20000 characters (a JWT: base64url parts and dots). */
const webIdentityToken = /^[A-Za-z0-9._~+/=-]{4,20000}$/;

export interface AssumeEnvOutputs {
  account: string;
  region: string;
  'role-arn': string;
  expiration: string;
  source: Source;
}

export interface AssumeEnvResult {
  outputs: AssumeEnvOutputs;
  plan: AssumePlan;
  /** The verified caller, e.g. arn:aws:sts::111111111111:assumed-role/deploy/gha-acme-shop-7-1. */
  identityArn: string;
  /** Whether AWS_ACCESS_KEY_ID and the rest were exported (not for ambient credentials used as they are). */
  exportedCredentials: boolean;
  /** With output-credentials: the credentials as step outputs, masked (log.mask) before this returns. */
  credentialOutputs?: CredentialOutputs | undefined;
}

/** STS refused the token or the credentials are another account's: the step summary explains it. */
export class RefusedError extends ExpeditorError {
  /** The token's claims and a trust policy statement that would have matched, when the token was refused. */
  readonly explanation: readonly string[];
  constructor(error: ExpeditorError, explanation: readonly string[]) {
    super(error.message, { unchanged: error.unchanged, next: error.next, input: error.input, key: error.key, cause: error.cause });
    this.name = error.name;
    this.explanation = explanation;
  }
}

export async function assumeRoles(plan: AssumePlan, deps: AssumeEnvDeps): Promise<AssumeEnvResult> {
  const { log, signal, context } = deps;
  const retry = <T>(what: string, fn: () => Promise<T>): Promise<T> =>
    withRetry(fn, {
      signal,
      retries: deps.retries ?? 4,
      minDelayMs: deps.retryDelayMs ?? 250,
      onRetry: (error, attempt, delayMs) => log.info(`${what}: ${describeError(error)}; try ${attempt + 1} in ${Math.round(delayMs)} ms`),
    }).catch((error: unknown) => {
      throw signal.aborted ? abortReason(signal) : error;
    });

  log.info(
    `${plan.environment ? `environment ${plan.environment} (${plan.configFile})` : 'explicit inputs'}: role ${plan.roleArn}` +
      `${plan.chainRoleArn ? ` → ${plan.chainRoleArn}` : ''}, account ${plan.account}, region ${plan.region}`,
  );
  const cleared = deps.unsetCredentials?.() ?? [];
  if (deps.unsetCredentials) {
    log.info(
      cleared.length
        ? `unset-current-credentials: cleared ${cleared.join(', ')} of earlier steps; they are not used`
        : 'unset-current-credentials: no AWS credential variables were set',
    );
  }
  // Before any request: the token file (read, checked and masked), and session policies that no call would carry.
  const fileToken = plan.webIdentityTokenFile === undefined ? undefined : readTokenFile(plan.webIdentityTokenFile, context.workspace, deps);
  const webIdentity = fileToken !== undefined || context.oidc !== undefined;
  if (!webIdentity && !plan.chainRoleArn && (plan.sessionPolicy !== undefined || plan.policyArns.length > 0)) {
    const input = plan.sessionPolicy !== undefined ? 'inline-session-policy' : 'managed-session-policies';
    throw new ExpeditorError(
      `input '${input}': session policies limit an assumed role's session, but no role is assumed: without a GitHub OIDC token ` +
        `(or 'web-identity-token-file') the credentials already in the environment are used as they are`,
      {
        input,
        unchanged: 'nothing was exported; no AWS call was made',
        next: "give the job `permissions: id-token: write`, give 'web-identity-token-file', or chain to a role with 'chain-role-arn'",
      },
    );
  }
  // The SDK loads while the token request is out (the request is sent first).
  let stsLoading: Promise<StsApi> | undefined;
  const loadSts = (): Promise<StsApi> => {
    stsLoading ??= deps.sts(plan.region);
    stsLoading.catch(() => undefined); // awaited below; this only keeps an early failure from going unhandled
    return stsLoading;
  };
  let credentials: AwsCredentials;
  let source: Source;
  let roleArn: string | undefined;
  // Session policies go on the call that makes the exported session: the last one.
  const lastPolicies = { policy: plan.sessionPolicy, policyArns: plan.policyArns };
  if (webIdentity) {
    const oidc = context.oidc;
    source = fileToken !== undefined ? 'token-file' : 'oidc';
    roleArn = plan.roleArn;
    const from = fileToken !== undefined ? `web identity token file ${quote(plan.webIdentityTokenFile ?? '')}` : 'GitHub OIDC';
    credentials = await log.group(`${from} → ${plan.roleArn}`, async () => {
      let token: string;
      let sts: StsApi;
      if (fileToken !== undefined || oidc === undefined) {
        token = fileToken ?? '';
        sts = await loadSts();
      } else {
        // The SDK loads once the token request is on the wire: compiling it first held the request back ~30 ms.
        let onSent = (): void => undefined;
        const sent = new Promise<void>((resolve) => (onSent = resolve));
        const tokenRequest = requestIdToken({ ...oidc, audience: plan.audience, signal, log, retries: deps.retries ?? 4, onSent });
        const stsReady = sent.then(loadSts);
        stsReady.catch(() => undefined); // awaited below, once the token has come
        token = await tokenRequest.catch((error: unknown) => {
          throw tokenFailure(error, signal);
        });
        sts = await stsReady;
      }
      const claims = claimsOf(token);
      // Claims are not secret, but quoted: whatever they hold cannot become a workflow command.
      if (claims)
        log.info(`token: sub ${quote(claims.sub)}, aud ${claims.aud.map((a) => quote(a)).join(', ')}, issuer ${quote(claims.iss)}`);
      try {
        const assumed = await retry('AssumeRoleWithWebIdentity', async () => {
          const result = await sts.assumeRoleWithWebIdentity(
            {
              roleArn: plan.roleArn,
              sessionName: plan.sessionName,
              token,
              durationSeconds: plan.durationSeconds,
              ...(plan.chainRoleArn ? {} : lastPolicies),
            },
            signal,
          );
          maskCredentials(log, result.credentials);
          return result;
        });
        log.info(`assumed ${assumed.assumedRoleArn || plan.roleArn}`);
        return assumed.credentials;
      } catch (error) {
        if (classifyError(error) === 'access') {
          const failure = explainTrustFailure({
            error,
            token,
            roleArn: plan.roleArn,
            environment: plan.environment,
            audience: plan.audience,
            roleWhere: plan.origin.role,
          });
          for (const line of failure.explanation) log.info(line);
          throw new RefusedError(failure.error, failure.explanation);
        }
        throw stsFailure('AssumeRoleWithWebIdentity', plan.roleArn, error, signal);
      }
    });
  } else {
    source = 'ambient';
    log.info(
      `OIDC skipped: no ACTIONS_ID_TOKEN_REQUEST_URL/ACTIONS_ID_TOKEN_REQUEST_TOKEN${context.isAct ? ' (running under act)' : ''}. ` +
        `Using the AWS credentials already in the environment; ${plan.chainRoleArn ? 'the chained role is assumed with them' : `${plan.roleArn} is not assumed`}.`,
    );
    try {
      credentials = await (await loadSts()).ambientCredentials();
    } catch (error) {
      if (!(error instanceof NoAmbientCredentialsError)) throw error;
      throw new ExpeditorError(
        'no way to get AWS credentials: there is no GitHub OIDC token (ACTIONS_ID_TOKEN_REQUEST_URL and ACTIONS_ID_TOKEN_REQUEST_TOKEN are not set) ' +
          `and no AWS credentials in the environment (${error.message})`,
        {
          unchanged: 'nothing was exported',
          next:
            'on GitHub, give the job `permissions: id-token: write`; under act, pass credentials ' +
            '(AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or AWS_PROFILE)',
        },
      );
    }
    maskCredentials(log, credentials);
  }

  const sts = await loadSts();
  if (plan.chainRoleArn) {
    const chainRoleArn = plan.chainRoleArn;
    const durationSeconds = Math.min(plan.durationSeconds, CHAINED_MAX_S);
    if (durationSeconds < plan.durationSeconds) log.info(`role chaining caps the session at 1 h (asked: ${plan.durationSeconds} s)`);
    const first = credentials;
    credentials = await log.group(`role chaining → ${chainRoleArn}`, async () => {
      try {
        const assumed = await retry('AssumeRole', async () => {
          const result = await sts.assumeRole(
            first,
            {
              roleArn: chainRoleArn,
              sessionName: plan.sessionName,
              durationSeconds,
              tags: plan.chainTags,
              transitiveTagKeys: plan.transitiveTagKeys,
              externalId: plan.externalId,
              ...lastPolicies,
            },
            signal,
          );
          maskCredentials(log, result.credentials);
          return result;
        });
        log.info(`assumed ${assumed.assumedRoleArn || chainRoleArn}`);
        return assumed.credentials;
      } catch (error) {
        if (classifyError(error) === 'access') {
          throw new ExpeditorError(`${describeError(error)} — ${chainRoleArn} refused the first role's credentials; not retried`, {
            ...plan.origin['chain-role'],
            unchanged: 'no credentials were exported',
            next:
              `let ${source === 'ambient' ? 'the ambient identity' : plan.roleArn} assume it: its trust policy needs sts:AssumeRole` +
              `${plan.chainTags.length ? " and sts:TagSession (or set 'session-tags: false')" : ''} for that principal` +
              `${plan.externalId ? " with the sts:ExternalId of 'role-external-id'" : ''}, ` +
              'and the first role needs sts:AssumeRole on it',
            cause: error,
          });
        }
        throw stsFailure('AssumeRole', chainRoleArn, error, signal);
      }
    });
    roleArn = chainRoleArn;
  }

  const identity = await retry('GetCallerIdentity', () => sts.callerIdentity(credentials, signal)).catch((error: unknown) => {
    throw stsFailure('GetCallerIdentity', roleArn ?? 'the ambient credentials', error, signal);
  });
  if (identity.account !== plan.account) {
    const message =
      `the credentials belong to account ${identity.account} (${identity.arn}), not to account ${plan.account} ` +
      `(${originText(plan.origin.account)})`;
    const error = new ExpeditorError(message, {
      ...plan.origin.account,
      unchanged: 'no credentials were exported',
      next:
        source === 'ambient'
          ? `use credentials of account ${plan.account} (under act: the profile or keys you pass), or correct the account`
          : `check that ${roleArn} is the role of account ${plan.account}`,
    });
    throw new RefusedError(error, []);
  }
  if (plan.allowedAccountIds.length && !plan.allowedAccountIds.includes(identity.account)) {
    const error = new ExpeditorError(
      `input 'allowed-account-ids': the credentials belong to account ${identity.account} (${identity.arn}), which is not among ${plan.allowedAccountIds.join(', ')}`,
      {
        input: 'allowed-account-ids',
        unchanged: 'no credentials were exported',
        next: `check that ${roleArn ?? 'the credentials in the environment'} is the role you meant, or add ${identity.account} to 'allowed-account-ids'`,
      },
    );
    throw new RefusedError(error, []);
  }
  log.info(
    `verified: ${identity.arn} in account ${identity.account}${plan.allowedAccountIds.length ? ` (one of the allowed accounts ${plan.allowedAccountIds.join(', ')})` : ''}`,
  );

  const exportedCredentials = source !== 'ambient' || plan.chainRoleArn !== undefined;
  if (exportedCredentials) {
    deps.variables.exportVariable('AWS_ACCESS_KEY_ID', credentials.accessKeyId);
    deps.variables.exportVariable('AWS_SECRET_ACCESS_KEY', credentials.secretAccessKey);
    // An empty value replaces a token left by an earlier step, which would not match these keys.
    deps.variables.exportVariable('AWS_SESSION_TOKEN', credentials.sessionToken ?? '');
  } else {
    // The identity verified is not the leftovers that were cleared: later steps must not get them back.
    for (const name of cleared) deps.variables.exportVariable(name, '');
  }
  deps.variables.exportVariable('AWS_REGION', plan.region);
  deps.variables.exportVariable('AWS_DEFAULT_REGION', plan.region);

  const outputs: AssumeEnvOutputs = {
    account: identity.account,
    region: plan.region,
    'role-arn': roleArn ?? identity.arn,
    expiration: credentials.expiration?.toISOString() ?? '',
    source,
  };
  let credentialOutputs: CredentialOutputs | undefined;
  if (plan.outputCredentials) {
    // Masked on arrival already; again here, so the mask always precedes the outputs.
    maskCredentials(log, credentials);
    credentialOutputs = {
      'aws-access-key-id': credentials.accessKeyId,
      'aws-secret-access-key': credentials.secretAccessKey,
      'aws-session-token': credentials.sessionToken ?? '',
    };
  }
  return { outputs, plan, identityArn: identity.arn, exportedCredentials, credentialOutputs };
}

/** The web identity token of a file the file rule allows (workspace or RUNNER_TEMP), masked at once; errors never quote it. */
function readTokenFile(path: string, workspace: string, deps: Pick<AssumeEnvDeps, 'log' | 'runnerTemp'>): string {
  const origin = { input: 'web-identity-token-file' };
  const text = readUserFile(path, {
    workspace,
    origin,
    maxBytes: 32 * KiB,
    alsoUnder: deps.runnerTemp ? [deps.runnerTemp] : [],
    unchanged: 'nothing was exported; no AWS call was made',
  });
  const token = text.trim();
  if (token) deps.log.mask(token);
  if (!webIdentityToken.test(token)) {
    throw new ExpeditorError(
      `input 'web-identity-token-file': ${quote(path)} does not hold a web identity token ` +
        `(${!token ? 'it is empty' : token.length > 20_000 ? `${token.length} characters, STS takes at most 20000` : 'it has characters a JWT does not have'}; its content is not shown)`,
      {
        input: 'web-identity-token-file',
        unchanged: 'nothing was exported; no AWS call was made',
        next: 'write the OIDC token (a JWT) alone into the file',
      },
    );
  }
  return token;
}

function maskCredentials(log: Log, credentials: AwsCredentials): void {
  log.mask(credentials.accessKeyId);
  log.mask(credentials.secretAccessKey);
  if (credentials.sessionToken) log.mask(credentials.sessionToken);
}

function stsFailure(operation: string, target: string, error: unknown, signal: AbortSignal): Error {
  if (signal.aborted) return stoppedDuring(signal, `sts:${operation} for ${target}`);
  if (error instanceof ExpeditorError) return error;
  const kind = classifyError(error);
  return new ExpeditorError(`${operation} for ${target} failed: ${describeError(error)}`, {
    unchanged: 'no credentials were exported',
    next:
      kind === 'throttling' || kind === 'server' || kind === 'network'
        ? 'STS kept failing after retries; run the job again later'
        : 'check the role ARN and the STS endpoint (AWS_ENDPOINT_URL, if set)',
    cause: error,
  });
}

function tokenFailure(error: unknown, signal: AbortSignal): Error {
  if (signal.aborted) return stoppedDuring(signal, "the job's GitHub OIDC token");
  const kind = classifyError(error);
  return new ExpeditorError(`could not get the job's GitHub OIDC token: ${describeError(error)}`, {
    unchanged: 'nothing was exported; no AWS call was made',
    next:
      kind === 'access'
        ? 'the runner refused ACTIONS_ID_TOKEN_REQUEST_TOKEN; give the job `permissions: id-token: write` and run it again'
        : 'the token service kept failing after retries; run the job again later',
    cause: error,
  });
}
