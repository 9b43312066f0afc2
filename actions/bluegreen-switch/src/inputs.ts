import type { ActionInputs } from '@expeditor/shared/inputs';
import { environmentName, k8sName } from '@expeditor/shared/patterns';

export interface SwitchInputs {
  platform: 'eks' | 'ecs' | undefined;
  action: 'switch' | 'rollback' | 'cleanup';
  environment: string | undefined;
  service: string | undefined;
  timeoutMs: number;
}

export function readSwitchInputs(inputs: ActionInputs): SwitchInputs {
  const result: SwitchInputs = {
    platform: inputs.choice('platform', ['eks', 'ecs'] as const),
    action: inputs.choice('action', ['switch', 'rollback', 'cleanup'] as const, 'switch'),
    environment: inputs.string('environment', { pattern: environmentName, expected: 'an environment name' }),
    service: inputs.string('service', { pattern: k8sName, expected: 'a Kubernetes Service name' }),
    timeoutMs: inputs.duration('timeout', '10m'),
  };
  if (!result.environment && !result.platform) inputs.problem('platform', 'is required when no environment is given (eks or ecs)');
  inputs.done('bluegreen-switch');
  return result;
}
