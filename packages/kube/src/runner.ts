// What an action that talks to Kubernetes takes from the runner's environment besides inputs:
// the context layer reads it (from env, passed in) so no other module reads process.env.
import type { Env } from '@expeditor/shared/inputs';
import { kubeconfigFromEnv, type KubeconfigFiles } from './kubeconfig-env.ts';

export interface KubeRunnerContext {
  /** The files of KUBECONFIG, when set. */
  kubeconfig: KubeconfigFiles | undefined;
  /** AWS_REGION / AWS_DEFAULT_REGION (assume-env exports it). */
  awsRegion: string | undefined;
  /** Where tokens are presigned: AWS_ENDPOINT_URL_STS, else AWS_ENDPOINT_URL (else the regional STS). */
  stsEndpoint: string | undefined;
  /** RUNNER_TEMP: a kubeconfig input may also live there (written by an earlier step). */
  runnerTemp?: string | undefined;
}

export function readKubeRunnerContext(env: Env): KubeRunnerContext {
  return {
    kubeconfig: kubeconfigFromEnv(env.KUBECONFIG),
    awsRegion: env.AWS_REGION || env.AWS_DEFAULT_REGION || undefined,
    stsEndpoint: env.AWS_ENDPOINT_URL_STS || env.AWS_ENDPOINT_URL || undefined,
    runnerTemp: env.RUNNER_TEMP || undefined,
  };
}
