import { quote, type ActionInputs } from '@expeditor/shared/inputs';
import { accountId, awsRegion, environmentName, escapesWorkspace, roleArn } from '@expeditor/shared/patterns';
import { formatDuration } from '@expeditor/shared/deadline';
import { SESSION_TAG_KEYS, type SessionTagKey } from './session.ts';

export interface AssumeEnvInputs {
  environment: string | undefined;
  /** Path of the environment file, relative to the workspace (checked not to leave it). */
  config: string;
  roleArn: string | undefined;
  chainRoleArn: string | undefined;
  account: string | undefined;
  region: string | undefined;
  /** The OIDC audience; when not given, the one of the region's partition (sts.amazonaws.com, or .com.cn in China). */
  audience: string | undefined;
  roleSessionName: string | undefined;
  durationSeconds: number;
  sessionTags: boolean;
  timeoutMs: number;
  /** Accounts the verified identity may belong to (besides being the environment's); empty: no list. */
  allowedAccountIds?: string[] | undefined;
  /** ExternalId for the chained AssumeRole (AssumeRoleWithWebIdentity has none). */
  roleExternalId?: string | undefined;
  /** The session policy document, minified JSON (Policy on the call that makes the exported session). */
  inlineSessionPolicy?: string | undefined;
  /** Managed policy ARNs limiting that session (PolicyArns). */
  managedSessionPolicies?: string[] | undefined;
  /** Session tags that pass on to roles chained from the exported session (TransitiveTagKeys). */
  transitiveTagKeys?: SessionTagKey[] | undefined;
  /** Also write the credentials as step outputs (masked first). */
  outputCredentials?: boolean | undefined;
  /** Clear AWS credential variables of earlier steps from this process before resolving credentials. */
  unsetCurrentCredentials?: boolean | undefined;
  /** A file holding the web identity token, used instead of the job's GitHub OIDC token. */
  webIdentityTokenFile?: string | undefined;
}

/** AWS's rule for role session names. */
export const sessionNamePattern = /^[\w+=,.@-]{2,64}$/;
/** What an OIDC audience may be: a client id or URL, nothing that could break the query or a log. */
const audiencePattern = /^[A-Za-z0-9][A-Za-z0-9._:/@+=-]{0,254}$/;
const roleExpected = 'an IAM role ARN (arn:aws:iam::<12 digits>:role/<name>)';
// STS allows 15 minutes to 12 hours (the role's MaxSessionDuration may allow less).
const MIN_DURATION_S = 900;
const MAX_DURATION_S = 43_200;
/** STS's ExternalId: 2 to 1224 of these characters. */
export const externalIdPattern = /^[\w+=,.@:/-]{2,1224}$/;
/** An IAM managed policy ARN: a customer policy (an account) or an AWS managed one (`aws`). */
export const policyArnPattern = /^arn:aws[a-z-]*:iam::(\d{12}|aws):policy\/[\w+=,.@/-]{1,512}$/;
/** STS: at most 10 managed session policies, and 2048 characters of session policy text. */
export const MAX_MANAGED_SESSION_POLICIES = 10;
export const MAX_SESSION_POLICY_CHARS = 2048;

export function readAssumeEnvInputs(inputs: ActionInputs): AssumeEnvInputs {
  const config = inputs.string('config', { default: '.github/expeditor.yml' });
  const result: AssumeEnvInputs = {
    environment: inputs.string('environment', { pattern: environmentName, expected: 'an environment name (letters, digits, . _ -)' }),
    config,
    roleArn: inputs.string('role-arn', { pattern: roleArn, expected: roleExpected }),
    chainRoleArn: inputs.string('chain-role-arn', { pattern: roleArn, expected: roleExpected }),
    account: inputs.string('account', { pattern: accountId, expected: '12 digits' }),
    region: inputs.string('region', { pattern: awsRegion, expected: 'an AWS region such as us-west-2' }),
    audience: inputs.string('audience', {
      pattern: audiencePattern,
      expected: 'an audience such as sts.amazonaws.com (letters, digits, . _ : / @ + = -)',
    }),
    roleSessionName: inputs.string('role-session-name', {
      pattern: sessionNamePattern,
      expected: '2 to 64 of the characters AWS allows in a session name (letters, digits, + = , . @ _ -)',
    }),
    durationSeconds: 3600,
    sessionTags: inputs.boolean('session-tags', true),
    timeoutMs: inputs.duration('timeout', '2m'),
    allowedAccountIds: [...new Set(inputs.list('allowed-account-ids', { pattern: accountId, expected: 'account ids of 12 digits' }))],
    roleExternalId: inputs.string('role-external-id', {
      pattern: externalIdPattern,
      expected: '2 to 1224 of the characters STS allows in an external id (letters, digits, + = , . @ : / _ -)',
    }),
    inlineSessionPolicy: sessionPolicy(inputs),
    managedSessionPolicies: [
      ...new Set(
        inputs.list('managed-session-policies', {
          pattern: policyArnPattern,
          expected: 'IAM policy ARNs (arn:aws:iam::<12 digits or aws>:policy/<name>)',
        }),
      ),
    ],
    transitiveTagKeys: tagKeys(inputs),
    outputCredentials: inputs.boolean('output-credentials', false),
    unsetCurrentCredentials: inputs.boolean('unset-current-credentials', false),
    webIdentityTokenFile: inputs.string('web-identity-token-file', { maxLength: 4096 }),
  };
  if ((result.managedSessionPolicies?.length ?? 0) > MAX_MANAGED_SESSION_POLICIES) {
    inputs.problem(
      'managed-session-policies',
      `STS takes at most ${MAX_MANAGED_SESSION_POLICIES} managed session policies, got ${result.managedSessionPolicies?.length}`,
    );
  }
  if (result.transitiveTagKeys?.length && !result.sessionTags) {
    inputs.problem(
      'transitive-tag-keys',
      "needs session tags, but 'session-tags' is false",
      "set 'session-tags: true' or leave 'transitive-tag-keys' out",
    );
  }
  const durationMs = inputs.duration('role-duration', '1h');
  if (durationMs < MIN_DURATION_S * 1000 || durationMs > MAX_DURATION_S * 1000) {
    inputs.problem('role-duration', `must be between 15m and 12h, got ${formatDuration(durationMs)}`);
  } else {
    result.durationSeconds = Math.round(durationMs / 1000);
  }
  if (config && escapesWorkspace(config)) {
    inputs.problem('config', `must be a relative path inside the workspace, got ${quote(config)}`);
  }
  if (!result.environment) {
    if (!result.roleArn) {
      inputs.problem(
        'role-arn',
        'is required when no environment is given',
        "give 'environment' (with the environment file) or 'role-arn'",
      );
    }
    if (!result.region) {
      inputs.problem('region', 'is required when no environment is given', "give 'environment' (with the environment file) or 'region'");
    }
  }
  inputs.done('assume-env');
  return result;
}

/** The inline session policy: a JSON object with a Statement, minified (STS counts its characters). */
function sessionPolicy(inputs: ActionInputs): string | undefined {
  const name = 'inline-session-policy';
  const text = inputs.string(name, { multiline: true, maxLength: 64 * 1024 });
  if (text === undefined) return undefined;
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch (error) {
    // Not the parser's message: it quotes the text around the fault.
    const at = /position (\d+)/.exec((error as Error).message)?.[1];
    return inputs.problem(
      name,
      `is not valid JSON${at ? ` (at character ${at})` : ''}`,
      'give a policy document, e.g. {"Version":"2012-10-17","Statement":[…]}',
    );
  }
  if (typeof document !== 'object' || document === null || Array.isArray(document)) {
    return inputs.problem(
      name,
      `must be a JSON object (a policy document), got ${Array.isArray(document) ? 'an array' : document === null ? 'null' : `a ${typeof document}`}`,
    );
  }
  if (!('Statement' in document)) return inputs.problem(name, 'is a JSON object without "Statement": not a policy document');
  const minified = JSON.stringify(document);
  if (minified.length > MAX_SESSION_POLICY_CHARS) {
    return inputs.problem(name, `is ${minified.length} characters without spaces; STS takes at most ${MAX_SESSION_POLICY_CHARS}`);
  }
  return minified;
}

/** Transitive tag keys: names of the tags assume-env sends (any case), in their own spelling. */
function tagKeys(inputs: ActionInputs): SessionTagKey[] {
  const keys: SessionTagKey[] = [];
  for (const item of inputs.list('transitive-tag-keys')) {
    const key = SESSION_TAG_KEYS.find((k) => k.toLowerCase() === item.toLowerCase());
    if (key === undefined)
      inputs.problem('transitive-tag-keys', `expected keys of the session tags (${SESSION_TAG_KEYS.join(', ')}), got ${quote(item)}`);
    else if (!keys.includes(key)) keys.push(key);
  }
  return keys;
}

/**
 * What unset-current-credentials clears: credentials and profiles an earlier step may have left
 * (keys, session tokens, a profile, a role for the SDK's web identity provider). The region stays.
 */
export const CREDENTIAL_VARIABLES = [
  'AWS_ACCESS_KEY_ID',
  'AWS_SECRET_ACCESS_KEY',
  'AWS_SESSION_TOKEN',
  'AWS_SECURITY_TOKEN',
  'AWS_CREDENTIAL_EXPIRATION',
  'AWS_PROFILE',
  'AWS_DEFAULT_PROFILE',
  'AWS_ROLE_ARN',
  'AWS_ROLE_SESSION_NAME',
  'AWS_WEB_IDENTITY_TOKEN_FILE',
] as const;

/** Removes those variables from `env` (this process's by default); returns the names that were set. */
export function unsetCredentialVariables(env: Record<string, string | undefined> = process.env): string[] {
  const cleared = CREDENTIAL_VARIABLES.filter((name) => env[name] !== undefined && env[name] !== '');
  for (const name of CREDENTIAL_VARIABLES) delete env[name];
  return cleared;
}
