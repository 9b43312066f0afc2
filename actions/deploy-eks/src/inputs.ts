import type { ActionInputs } from '@expeditor/shared/inputs';
import { environmentName, imageReference, k8sName } from '@expeditor/shared/patterns';

export interface DeployEksInputs {
  image: string;
  services: string[];
  environment: string | undefined;
  namespace: string;
  timeoutMs: number;
}

export function readDeployEksInputs(inputs: ActionInputs): DeployEksInputs {
  const result: DeployEksInputs = {
    image: inputs.string('image', { required: true, pattern: imageReference, expected: 'an image reference such as repo@sha256:…' }),
    services: inputs.list('services', { pattern: k8sName, expected: 'Kubernetes names (lower-case letters, digits, -)' }),
    environment: inputs.string('environment', { pattern: environmentName, expected: 'an environment name' }),
    namespace: inputs.string('namespace', { default: 'default', pattern: k8sName, expected: 'a Kubernetes namespace name' }),
    timeoutMs: inputs.duration('timeout', '10m'),
  };
  if (result.services.length === 0 && !inputs.raw('services')) inputs.problem('services', 'is required but was not given');
  inputs.done('deploy-eks');
  return result;
}
