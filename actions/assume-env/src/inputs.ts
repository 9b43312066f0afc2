import { quote, type ActionInputs } from '@expeditor/shared/inputs';
import { accountId, awsRegion, environmentName, escapesWorkspace, roleArn } from '@expeditor/shared/patterns';
import { formatDuration } from '@expeditor/shared/deadline';

export interface AssumeEnvInputs {
  environment: string | undefined;
  /** Path of the environment file, relative to the workspace (checked not to leave it). */
  config: string;
  roleArn: string | undefined;
  chainRoleArn: string | undefined;
  account: string | undefined;
  region: string | undefined;
  audience: string;
  roleSessionName: string | undefined;
  durationSeconds: number;
  sessionTags: boolean;
  timeoutMs: number;
}

/** AWS's rule for role session names. */
export const sessionNamePattern = /^[\w+=,.@-]{2,64}$/;
/** What an OIDC audience may be: a client id or URL, nothing that could break the query or a log. */
const audiencePattern = /^[A-Za-z0-9][A-Za-z0-9._:/@+=-]{0,254}$/;
const roleExpected = 'an IAM role ARN (arn:aws:iam::<12 digits>:role/<name>)';
// STS allows 15 minutes to 12 hours (the role's MaxSessionDuration may allow less).
const MIN_DURATION_S = 900;
const MAX_DURATION_S = 43_200;

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
      default: 'sts.amazonaws.com',
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
  };
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
