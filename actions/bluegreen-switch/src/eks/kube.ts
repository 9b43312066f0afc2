// The few Kubernetes calls the switch makes, on a shared KubeConnection: reads that answer
// undefined for a missing object, merge patches (client-node's default is JSON Patch), and
// retries of reads by error kind. Made at the edge from the connection and passed in.
import type * as K8s from '@kubernetes/client-node';
import type { KubeConnection } from '@expeditor/kube/connect';
import { statusOf } from '@expeditor/kube/connect';
import { withRetry } from '@expeditor/shared/retry';

export interface Kube {
  /** For watches (waitUntil). */
  readonly connection: KubeConnection;
  readService(namespace: string, name: string): Promise<K8s.V1Service | undefined>;
  readDeployment(namespace: string, name: string): Promise<K8s.V1Deployment | undefined>;
  readIngress(namespace: string, name: string): Promise<K8s.V1Ingress | undefined>;
  listPods(namespace: string, labelSelector: string): Promise<K8s.V1Pod[]>;
  listReplicaSets(namespace: string, labelSelector: string): Promise<K8s.V1ReplicaSet[]>;
  /** The EndpointSlices of one Service. */
  listSlices(namespace: string, service: string): Promise<K8s.V1EndpointSlice[]>;
  patchService(namespace: string, name: string, patch: object): Promise<K8s.V1Service>;
  patchIngress(namespace: string, name: string, patch: object): Promise<K8s.V1Ingress>;
  patchDeployment(namespace: string, name: string, patch: object): Promise<K8s.V1Deployment>;
  /** Deletes a Service; false when it was not there. */
  deleteService(namespace: string, name: string): Promise<boolean>;
}

export function isStatus(error: unknown, code: number): boolean {
  return statusOf(error) === code;
}

/** Reads retried only on throttling, 5xx and dropped connections; a 404 is an answer. */
async function read<T>(fn: () => Promise<T>): Promise<T | undefined> {
  try {
    return await withRetry(() => fn(), { retries: 3, minDelayMs: 100 });
  } catch (error) {
    if (isStatus(error, 404)) return undefined;
    throw error;
  }
}

export function createKube(connection: KubeConnection): Kube {
  const { core, apps, networking, discovery } = connection;
  const merge = connection.patchOptions('merge');
  return {
    connection,
    readService: (namespace, name) => read(() => core.readNamespacedService({ namespace, name })),
    readDeployment: (namespace, name) => read(() => apps.readNamespacedDeployment({ namespace, name })),
    readIngress: (namespace, name) => read(() => networking.readNamespacedIngress({ namespace, name })),
    listPods: async (namespace, labelSelector) => (await read(() => core.listNamespacedPod({ namespace, labelSelector })))?.items ?? [],
    listReplicaSets: async (namespace, labelSelector) =>
      (await read(() => apps.listNamespacedReplicaSet({ namespace, labelSelector })))?.items ?? [],
    listSlices: async (namespace, service) =>
      (await read(() => discovery.listNamespacedEndpointSlice({ namespace, labelSelector: `kubernetes.io/service-name=${service}` })))
        ?.items ?? [],
    // Writes are not retried here: a guarded write that reached the server once must not be
    // mistaken for someone else's when it is sent again (see guard.ts).
    patchService: (namespace, name, body) => core.patchNamespacedService({ namespace, name, body }, merge),
    patchIngress: (namespace, name, body) => networking.patchNamespacedIngress({ namespace, name, body }, merge),
    patchDeployment: (namespace, name, body) => apps.patchNamespacedDeployment({ namespace, name, body }, merge),
    deleteService: async (namespace, name) => {
      try {
        await core.deleteNamespacedService({ namespace, name });
        return true;
      } catch (error) {
        if (isStatus(error, 404)) return false;
        throw error;
      }
    },
  };
}
