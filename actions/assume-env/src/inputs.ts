import type { ActionInputs } from '@expeditor/shared/inputs';
import { accountId, awsRegion, environmentName, roleArn } from '@expeditor/shared/patterns';

export interface AssumeEnvInputs {
  environment: string | undefined;
  config: string;
  roleArn: string | undefined;
  account: string | undefined;
  region: string | undefined;
  audience: string;
  timeoutMs: number;
}

export function readAssumeEnvInputs(inputs: ActionInputs): AssumeEnvInputs {
  const result: AssumeEnvInputs = {
    environment: inputs.string('environment', { pattern: environmentName, expected: 'an environment name (letters, digits, . _ -)' }),
    config: inputs.string('config', { default: '.github/expeditor.yml' }),
    roleArn: inputs.string('role-arn', { pattern: roleArn, expected: 'an IAM role ARN (arn:aws:iam::<12 digits>:role/<name>)' }),
    account: inputs.string('account', { pattern: accountId, expected: '12 digits' }),
    region: inputs.string('region', { pattern: awsRegion, expected: 'an AWS region such as us-west-2' }),
    audience: inputs.string('audience', { default: 'sts.amazonaws.com' }),
    timeoutMs: inputs.duration('timeout', '2m'),
  };
  if (!result.environment && !result.roleArn) {
    inputs.problem('role-arn', 'is required when no environment is given', "give 'environment' (with the environment file) or 'role-arn'");
  }
  inputs.done('assume-env');
  return result;
}
