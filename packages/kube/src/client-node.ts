// The one place @kubernetes/client-node is imported for its code: only the pieces the actions use
// (kubeconfig loading, Watch, the request machinery our typed REST layer runs on, patch content
// types, KubernetesObjectApi), by deep path so the bundle leaves out exec/attach/port-forward/cp/
// metrics and their dependencies. Not the generated API classes: each of them brings every API
// group (rest.ts and groups.ts replace them). The bundle leaves out what is not used only because
// patches/@kubernetes+client-node+*.patch marks the package free of import side effects (config.js
// and object.js import the whole of gen/index.js for a few names). Load this module with import()
// once the inputs are valid: it costs a few hundred milliseconds to start.
export { KubeConfig } from '@kubernetes/client-node/dist/config.js';
export type { Cluster, Context, User } from '@kubernetes/client-node/dist/config_types.js';
export { Watch } from '@kubernetes/client-node/dist/watch.js';
export { ApiException } from '@kubernetes/client-node/dist/gen/apis/exception.js';
export {
  type Configuration,
  type ConfigurationOptions,
  createConfiguration,
  mergeConfiguration,
} from '@kubernetes/client-node/dist/gen/configuration.js';
export { RequestContext, ResponseContext } from '@kubernetes/client-node/dist/gen/http/http.js';
export { ObjectSerializer } from '@kubernetes/client-node/dist/gen/models/ObjectSerializer.js';
export type { VersionInfo } from '@kubernetes/client-node/dist/gen/models/VersionInfo.js';
// Types only: the signatures groups.ts gives its methods (the classes themselves are not bundled).
export type {
  ObjectAppsV1Api,
  ObjectAutoscalingV2Api,
  ObjectCoreV1Api,
  ObjectDiscoveryV1Api,
  ObjectNetworkingV1Api,
} from '@kubernetes/client-node/dist/gen/types/ObjectParamAPI.js';
export { ServerConfiguration } from '@kubernetes/client-node/dist/gen/servers.js';
export { PatchStrategy } from '@kubernetes/client-node/dist/patch.js';
// Any kind by its apiVersion and kind (discovery finds the resource): server-side apply of a manifest's other documents.
export { KubernetesObjectApi } from '@kubernetes/client-node/dist/object.js';
export { setHeaderOptions } from '@kubernetes/client-node/dist/middleware.js';
