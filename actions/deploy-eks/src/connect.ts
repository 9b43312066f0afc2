// The Kubernetes connection deploy-eks uses, made at the edge from the plan: EKS (an EKS client
// for DescribeCluster, the SDK's default credential chain for the token) or a kubeconfig.
import { connectKube, type KubeConnection } from '@expeditor/kube/connect';
import type { Log } from '@expeditor/shared/log';
import type { DeployEksPlan } from './plan.ts';

export async function connect(plan: DeployEksPlan, run: { log: Log; signal: AbortSignal }): Promise<{ kube: KubeConnection; close(): void }> {
  if (plan.connect.kind === 'kubeconfig') {
    const kube = await connectKube({ kubeconfig: { path: plan.connect.path, also: plan.connect.also, input: plan.connect.origin.input }, signal: run.signal, log: run.log });
    return { kube, close: () => undefined };
  }
  const { EKSClient } = await import('@aws-sdk/client-eks');
  // Retries are ours, by error kind (connectKube); the SDK's own are off.
  const eks = new EKSClient({ region: plan.connect.region, maxAttempts: 1 });
  try {
    const kube = await connectKube({
      eks: {
        cluster: plan.connect.cluster,
        region: plan.connect.region,
        eks,
        credentials: eks.config.credentials,
        stsEndpoint: plan.connect.stsEndpoint,
        input: plan.connect.origin.input,
      },
      signal: run.signal,
      log: run.log,
    });
    return { kube, close: () => eks.destroy() };
  } catch (error) {
    eks.destroy();
    throw error;
  }
}
