// The one place @kubernetes/client-node is imported for its code: only the pieces the actions use
// (kubeconfig loading, the typed API groups we call, Watch, patch content types), by deep path so
// the bundle leaves out exec/attach/port-forward/cp/metrics and their dependencies. Load this
// module with import() once the inputs are valid: it costs a few hundred milliseconds to start.
export { KubeConfig } from '@kubernetes/client-node/dist/config.js';
export type { Cluster, Context, User } from '@kubernetes/client-node/dist/config_types.js';
export { Watch } from '@kubernetes/client-node/dist/watch.js';
export {
  AppsV1Api,
  AutoscalingV2Api,
  CoreV1Api,
  DiscoveryV1Api,
  NetworkingV1Api,
  VersionApi,
  ServerConfiguration,
  createConfiguration,
  RequestContext,
  ResponseContext,
  ApiException,
} from '@kubernetes/client-node/dist/gen/index.js';
export { PatchStrategy } from '@kubernetes/client-node/dist/patch.js';
// Any kind by its apiVersion and kind (discovery finds the resource): server-side apply of a manifest's other documents.
export { KubernetesObjectApi } from '@kubernetes/client-node/dist/object.js';
export { setHeaderOptions } from '@kubernetes/client-node/dist/middleware.js';
