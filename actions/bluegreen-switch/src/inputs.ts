import type { ActionInputs } from '@expeditor/shared/inputs';
import { ExpeditorError } from '@expeditor/shared/errors';
import { environmentName, escapesWorkspace } from '@expeditor/shared/patterns';

export type Platform = 'eks' | 'ecs';

export interface SwitchInputs {
  platform: Platform | undefined;
  action: 'switch' | 'rollback' | 'cleanup';
  environment: string | undefined;
  /** Path of the environment file, relative to the workspace (read only with an environment). */
  config: string;
  timeoutMs: number;
  /** validate-only: plan (inputs × environment file) and stop, before any client or request. */
  validateOnly?: boolean | undefined;
}

export function readSwitchInputs(inputs: ActionInputs): SwitchInputs {
  const config = inputs.string('config', { default: '.github/expeditor.yml', maxLength: 1024 });
  if (escapesWorkspace(config)) inputs.problem('config', 'must be a path inside the workspace (relative, without ..)');
  const result: SwitchInputs = {
    platform: inputs.choice('platform', ['eks', 'ecs'] as const),
    action: inputs.choice('action', ['switch', 'rollback', 'cleanup'] as const, 'switch'),
    environment: inputs.string('environment', { pattern: environmentName, expected: 'an environment name' }),
    config,
    timeoutMs: inputs.duration('timeout', '10m'),
    validateOnly: inputs.boolean('validate-only', false),
  };
  if (!result.environment && !result.platform) inputs.problem('platform', 'is required when no environment is given (eks or ecs)');
  inputs.done('bluegreen-switch');
  return result;
}

/** The platform input, else the environment's: the one of ecs or eks its section has. */
export async function resolvePlatform(inputs: SwitchInputs, workspace: string): Promise<Platform> {
  if (inputs.platform) return inputs.platform;
  const name = inputs.environment ?? '';
  // The file's parser (zod, yaml) loads only when the file is needed.
  const { environmentOf, loadConfig } = await import('@expeditor/shared/config');
  const env = environmentOf(loadConfig(workspace, inputs.config), name, inputs.config);
  if (env.ecs) return 'ecs';
  if (env.eks) return 'eks';
  throw new ExpeditorError(`environment ${name} in ${inputs.config} has neither an ecs nor an eks section`, {
    key: `environments.${name}`,
    input: 'platform',
    unchanged: 'nothing was changed',
    next: 'give the platform input (ecs or eks), or add the ecs or eks section',
  });
}
