// What deploy-eks takes from the runner's environment besides inputs: values the context layer
// reads (runnerEnv) and passes down, so no other module reads process.env.
import type { Env } from '@expeditor/shared/inputs';
import { kubeconfigFromEnv, type KubeconfigFiles } from '@expeditor/kube/kubeconfig-env';

export interface KubeRunnerContext {
  /** The files of KUBECONFIG, when set. */
  kubeconfig: KubeconfigFiles | undefined;
  /** AWS_REGION / AWS_DEFAULT_REGION (assume-env exports it). */
  awsRegion: string | undefined;
  /** Where tokens are presigned: AWS_ENDPOINT_URL_STS, else AWS_ENDPOINT_URL (else the regional STS). */
  stsEndpoint: string | undefined;
}

export function readKubeRunnerContext(env: Env): KubeRunnerContext {
  return {
    kubeconfig: kubeconfigFromEnv(env.KUBECONFIG),
    awsRegion: env.AWS_REGION || env.AWS_DEFAULT_REGION || undefined,
    stsEndpoint: env.AWS_ENDPOINT_URL_STS || env.AWS_ENDPOINT_URL || undefined,
  };
}
