import type { ActionInputs } from '@expeditor/shared/inputs';
import { ecsName, environmentName, imageReference } from '@expeditor/shared/patterns';

export interface DeployEcsInputs {
  image: string;
  environment: string | undefined;
  cluster: string | undefined;
  service: string | undefined;
  waitUntil: 'succeeded' | 'ready' | 'none';
  timeoutMs: number;
}

export function readDeployEcsInputs(inputs: ActionInputs): DeployEcsInputs {
  const result: DeployEcsInputs = {
    image: inputs.string('image', { required: true, pattern: imageReference, expected: 'an image reference such as repo@sha256:…' }),
    environment: inputs.string('environment', { pattern: environmentName, expected: 'an environment name' }),
    cluster: inputs.string('cluster', { pattern: ecsName, expected: 'an ECS cluster name' }),
    service: inputs.string('service', { pattern: ecsName, expected: 'an ECS service name' }),
    waitUntil: inputs.choice('wait-until', ['succeeded', 'ready', 'none'] as const, 'succeeded'),
    timeoutMs: inputs.duration('timeout', '30m'),
  };
  if (!result.environment) {
    if (!result.cluster) inputs.problem('cluster', 'is required when no environment is given');
    if (!result.service) inputs.problem('service', 'is required when no environment is given');
  }
  inputs.done('deploy-ecs');
  return result;
}
