import type { ActionInputs } from '@expeditor/shared/inputs';
import { environmentName, escapesWorkspace } from '@expeditor/shared/patterns';

export interface BuildImageInputs {
  repository: string | undefined;
  environment: string | undefined;
  config: string;
  context: string;
  dockerfile: string;
  timeoutMs: number;
}

export function readBuildImageInputs(inputs: ActionInputs): BuildImageInputs {
  const result: BuildImageInputs = {
    repository: inputs.string('repository', { pattern: /^[a-zA-Z0-9.-]+(:\d+)?\/[a-z0-9._/-]+$/, expected: 'a repository such as 123456789012.dkr.ecr.us-west-2.amazonaws.com/app, without tag' }),
    environment: inputs.string('environment', { pattern: environmentName, expected: 'an environment name' }),
    config: inputs.string('config', { default: '.github/expeditor.yml' }),
    context: inputs.string('context', { default: '.' }),
    dockerfile: inputs.string('dockerfile', { default: 'Dockerfile' }),
    timeoutMs: inputs.duration('timeout', '30m'),
  };
  if (!result.repository && !result.environment) {
    inputs.problem('repository', 'is required when no environment file entry gives image.repository');
  }
  for (const name of ['context', 'dockerfile'] as const) {
    if (escapesWorkspace(result[name])) inputs.problem(name, `must stay inside the workspace, got ${JSON.stringify(result[name])}`);
  }
  inputs.done('build-image');
  return result;
}
