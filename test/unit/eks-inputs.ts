// The inputs of deploy-eks and of bluegreen-switch (EKS) as their readers return them when only
// the given ones are set, for the plan tests of both actions.
import type { DeployEksInputs } from '../../actions/deploy-eks/src/inputs.ts';
import type { EksSwitchInputs } from '../../actions/bluegreen-switch/src/eks/inputs.ts';

export function deployEksInputs(image: string, over: Partial<DeployEksInputs> = {}): DeployEksInputs {
  return {
    image,
    images: {},
    strategy: undefined,
    services: [],
    environment: undefined,
    config: '.github/expeditor.yml',
    cluster: undefined,
    region: undefined,
    kubeconfig: undefined,
    allowKubeconfigExec: false,
    namespace: undefined,
    manifest: undefined,
    container: undefined,
    colorLabel: undefined,
    route: undefined,
    ingress: undefined,
    requireDigest: false,
    timeoutMs: 600_000,
    ...over,
  };
}

export function eksSwitchInputs(over: Partial<EksSwitchInputs> = {}): EksSwitchInputs {
  return {
    route: undefined,
    cluster: undefined,
    kubeconfig: undefined,
    allowKubeconfigExec: false,
    namespace: undefined,
    service: undefined,
    ingress: undefined,
    ingressPath: undefined,
    targetColor: undefined,
    colorLabel: undefined,
    canary: undefined,
    stepPauseMs: 30_000,
    probeUrl: undefined,
    probeTimeoutMs: 10_000,
    keepMs: 0,
    removePreview: false,
    runner: { kubeconfig: undefined, awsRegion: undefined, stsEndpoint: undefined },
    ...over,
  };
}
