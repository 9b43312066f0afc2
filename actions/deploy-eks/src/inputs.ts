// deploy-eks's inputs, validated before anything else happens. Values the environment file can
// also give stay undefined when not set here, so the file's value is used (explicit inputs win).
import type { ActionInputs } from '@expeditor/shared/inputs';
import {
  awsRegion,
  digestReference,
  eksClusterName,
  environmentName,
  escapesWorkspace,
  imageReference,
  k8sName,
  labelKey,
  serviceName,
  serviceNameText,
} from '@expeditor/shared/patterns';

export type Route = 'service' | 'ingress';

export interface DeployEksInputs {
  /** The image of every service the `images` input does not name; '' when `images` names them all. */
  image: string;
  /** Per service, its own image (several services with different images in one call). */
  images: Record<string, string>;
  services: string[];
  environment: string | undefined;
  config: string;
  cluster: string | undefined;
  region: string | undefined;
  kubeconfig: string | undefined;
  allowKubeconfigExec: boolean;
  namespace: string | undefined;
  manifest: string | undefined;
  container: string | undefined;
  colorLabel: string | undefined;
  route: Route | undefined;
  strategy: 'blue-green' | 'rolling' | undefined;
  ingress: string | undefined;
  /** The stable / preview Service of the one service deployed, when not `<service>` / `<service>-preview`. */
  stableService?: string | undefined;
  previewService?: string | undefined;
  requireDigest: boolean;
  /** validate-only: plan (inputs × environment file × local files) and stop, before any client or request. */
  validateOnly?: boolean | undefined;
  /** Ask the registry which digest a tag names and deploy that; absent means true. */
  resolveDigest?: boolean;
  timeoutMs: number;
}

/** A label key: optional DNS prefix, then a name of up to 63 characters. */

/** `service=image` per line. */
function readImages(inputs: ActionInputs): Record<string, string> {
  const images: Record<string, string> = {};
  for (const [service, image] of Object.entries(inputs.keyValues('images'))) {
    if (!k8sName.test(service)) inputs.problem('images', `expected a service name before =, got ${JSON.stringify(service)}`);
    else if (!imageReference.test(image))
      inputs.problem('images', `${service}: expected an image reference such as repo@sha256:…, got ${JSON.stringify(image)}`);
    else images[service] = image;
  }
  return images;
}

export function readDeployEksInputs(inputs: ActionInputs): DeployEksInputs {
  const workspacePath = (name: string): string | undefined => {
    const value = inputs.string(name, { maxLength: 1024 });
    if (value && escapesWorkspace(value)) return inputs.problem(name, 'must be a path inside the workspace (relative, without ..)');
    return value;
  };
  // The image first: a run without one is refused naming it before anything else.
  if (!inputs.raw('image') && !inputs.raw('images')) inputs.problem('image', "is required (or give each service's image in 'images')");
  const result: DeployEksInputs = {
    image: inputs.string('image', { pattern: imageReference, expected: 'an image reference such as repo@sha256:…' }) ?? '',
    images: readImages(inputs),
    services: inputs.list('services', { pattern: k8sName, expected: 'Kubernetes names (lower-case letters, digits, -)' }),
    environment: inputs.string('environment', { pattern: environmentName, expected: 'an environment name' }),
    config: workspacePath('config') ?? '.github/expeditor.yml',
    cluster: inputs.string('cluster', { pattern: eksClusterName, expected: 'an EKS cluster name' }),
    region: inputs.string('region', { pattern: awsRegion, expected: 'an AWS region such as us-west-2' }),
    // A kubeconfig lives on the runner (e.g. under RUNNER_TEMP), not necessarily in the workspace.
    kubeconfig: inputs.string('kubeconfig', { maxLength: 4096 }),
    allowKubeconfigExec: inputs.boolean('allow-kubeconfig-exec', false),
    namespace: inputs.string('namespace', { pattern: k8sName, expected: 'a Kubernetes namespace name' }),
    // Relative to the workspace or absolute (a kustomize build written under RUNNER_TEMP): the
    // file rule checks where it really leads when it is read.
    manifest: inputs.string('manifest', { maxLength: 1024 }),
    container: inputs.string('container', { pattern: k8sName, expected: 'a container name' }),
    colorLabel: inputs.string('color-label', { pattern: labelKey, expected: 'a Kubernetes label key such as version' }),
    route: inputs.choice('route', ['service', 'ingress'] as const),
    strategy: inputs.choice('strategy', ['blue-green', 'rolling'] as const),
    ingress: inputs.string('ingress', { pattern: k8sName, expected: 'an Ingress name' }),
    stableService: inputs.string('stable-service', { pattern: serviceName, expected: serviceNameText }),
    previewService: inputs.string('preview-service', { pattern: serviceName, expected: serviceNameText }),
    requireDigest: inputs.boolean('require-digest', false),
    validateOnly: inputs.boolean('validate-only', false),
    resolveDigest: inputs.boolean('resolve-digest', true),
    timeoutMs: inputs.duration('timeout', '10m'),
  };
  if (new Set(result.services).size !== result.services.length) inputs.problem('services', 'names a service twice');
  if (result.services.length === 0 && !result.environment && !inputs.raw('services')) {
    inputs.problem('services', 'is required when no environment is given');
  }
  if (result.requireDigest && result.image && !digestReference.test(result.image)) {
    inputs.problem(
      'image',
      `must name the image by digest (repo@sha256:…) because require-digest is true, got ${JSON.stringify(result.image)}`,
    );
  }
  for (const [service, image] of Object.entries(result.images)) {
    if (result.requireDigest && !digestReference.test(image)) {
      inputs.problem(
        'images',
        `${service}: must name the image by digest (repo@sha256:…) because require-digest is true, got ${JSON.stringify(image)}`,
      );
    }
  }
  if (result.cluster && result.kubeconfig) inputs.problem('kubeconfig', "give either 'cluster' (EKS) or 'kubeconfig', not both");
  inputs.done('deploy-eks');
  return result;
}
