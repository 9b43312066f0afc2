// bluegreen-switch's inputs for EKS (read once the platform is known to be EKS). Values the
// environment file can also give stay undefined when not set here, so the file's value is used.
// The runner's AWS and KUBECONFIG settings are read here too, and passed down.
import type { ActionInputs, Env } from '@expeditor/shared/inputs';
import { readKubeRunnerContext, type KubeRunnerContext } from '@expeditor/kube/runner';
import { eksClusterName, escapesWorkspace, k8sName, labelKey, serviceName, serviceNameText } from '@expeditor/shared/patterns';
import { canaryStepsProblem } from '@expeditor/bluegreen/ingress';
import { colors, type Color } from '@expeditor/bluegreen/names';
import type { Route } from './types.ts';

/** A label key as Kubernetes allows it: optional DNS prefix, then a name of up to 63 characters. */
/** `/path` or `host/path`. */
const ingressPath = /^([a-z0-9*]([-a-z0-9.*]*[a-z0-9])?)?\/[^\s]*$/;

export interface EksSwitchInputs {
  route: Route | undefined;
  cluster: string | undefined;
  /** The kubeconfig input (a workspace path or an absolute one). */
  kubeconfig: string | undefined;
  allowKubeconfigExec: boolean;
  namespace: string | undefined;
  service: string | undefined;
  /** The stable / preview Service of `service`, when not `<service>` / `<service>-preview`. */
  stableService?: string | undefined;
  previewService?: string | undefined;
  /** An Argo Rollouts Rollout to promote or abort instead of moving a Service's selector. */
  rollout?: string | undefined;
  ingress: string | undefined;
  ingressPath: string | undefined;
  targetColor: Color | undefined;
  colorLabel: string | undefined;
  canary: number[] | undefined;
  stepPauseMs: number;
  probeUrl: string | undefined;
  probeTimeoutMs: number;
  /** The analysis input: an analysis section as YAML, read by plan.ts. */
  analysis?: string | undefined;
  keepMs: number;
  removePreview: boolean;
  /** From the runner: KUBECONFIG, AWS_REGION, and STS's endpoint override for the EKS token. */
  runner: KubeRunnerContext;
}

export function readEksSwitchInputs(inputs: ActionInputs, env: Env): EksSwitchInputs {
  const kubeconfigInput = inputs.string('kubeconfig', { maxLength: 1024 });
  const canaryText = inputs.raw('canary');
  let canary: number[] | undefined;
  if (canaryText) {
    const tokens = canaryText.split(/[,\s]+/).filter(Boolean);
    // Decimal digits only: Number() would take 0x0A, 1e1 or 0b1010 as 10.
    const odd = tokens.find((t) => !/^\d{1,3}%?$/.test(t));
    const steps = tokens.map((s) => Number(s.replace(/%$/, '')));
    const problem =
      odd === undefined ? canaryStepsProblem(steps) : `expected whole percentages in decimal digits, got ${JSON.stringify(odd)}`;
    if (problem) inputs.problem('canary', `${problem} (e.g. 10,50,100)`);
    else canary = steps;
  }
  const probeUrl = inputs.string('probe-url', { maxLength: 2048 });
  if (probeUrl && !/^https?:\/\/[^\s/]+/.test(probeUrl))
    inputs.problem('probe-url', `expected an http:// or https:// URL, got ${JSON.stringify(probeUrl)}`);
  const result: EksSwitchInputs = {
    route: inputs.choice('route', ['service', 'ingress'] as const),
    cluster: inputs.string('cluster', { pattern: eksClusterName, expected: 'an EKS cluster name' }),
    kubeconfig: kubeconfigInput,
    allowKubeconfigExec: inputs.boolean('allow-kubeconfig-exec', false),
    namespace: inputs.string('namespace', { pattern: k8sName, expected: 'a Kubernetes namespace name' }),
    service: inputs.string('service', { pattern: k8sName, expected: 'a Kubernetes Service name' }),
    stableService: inputs.string('stable-service', { pattern: serviceName, expected: serviceNameText }),
    previewService: inputs.string('preview-service', { pattern: serviceName, expected: serviceNameText }),
    rollout: inputs.string('rollout', { pattern: k8sName, expected: 'a Rollout name' }),
    ingress: inputs.string('ingress', { pattern: k8sName, expected: 'an Ingress name' }),
    ingressPath: inputs.string('ingress-path', {
      pattern: ingressPath,
      expected: 'an Ingress path such as / or /api, or host/path',
      maxLength: 512,
    }),
    targetColor: inputs.choice('target-color', colors),
    colorLabel: inputs.string('color-label', { pattern: labelKey, expected: 'a label key such as version', maxLength: 317 }),
    canary,
    stepPauseMs: inputs.duration('step-pause', '30s'),
    probeUrl,
    probeTimeoutMs: inputs.duration('probe-timeout', '10s'),
    analysis: inputs.string('analysis', { maxLength: 65_536, multiline: true }),
    // 0s is a valid keep period: read it by hand, as duration() wants more than zero.
    keepMs: readKeep(inputs),
    removePreview: inputs.boolean('remove-preview', false),
    runner: readKubeRunnerContext(env),
  };
  if (kubeconfigInput && escapesWorkspace(kubeconfigInput) && !kubeconfigInput.startsWith('/')) {
    inputs.problem('kubeconfig', 'must be an absolute path or a path inside the workspace (without ..)');
  }
  inputs.done('bluegreen-switch');
  return result;
}

function readKeep(inputs: ActionInputs): number {
  const raw = inputs.raw('keep');
  if (!raw || /^0+(ms|s|m|h)?$/.test(raw)) return 0;
  return inputs.duration('keep', '0s');
}
