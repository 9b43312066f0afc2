// The typed API groups of a KubeConnection: only the methods the actions, tests and benches call,
// each with the name, parameter object and answer type of client-node's generated classes
// (ObjectParamAPI, imported for its types only) and a route run by rest.ts. A method missing
// here fails type checking at its call site; add its route (the path and models are in
// client-node's gen/apis/<Group>Api.js, and the unit test checks the route against it).
import type {
  Configuration,
  ConfigurationOptions,
  ObjectAppsV1Api,
  ObjectAutoscalingV2Api,
  ObjectCoreV1Api,
  ObjectDiscoveryV1Api,
  ObjectNetworkingV1Api,
  VersionInfo,
} from './client-node.ts';
import { call, group, type Params, type Route } from './rest.ts';

const get = (path: string, returns: string): Route => ({ method: 'GET', path, returns });
const post = (path: string, model: string): Route => ({ method: 'POST', path, body: model, returns: model });
const put = (path: string, model: string): Route => ({ method: 'PUT', path, body: model, returns: model });
const patch = (path: string, model: string): Route => ({ method: 'PATCH', path, body: 'any', returns: model });
const del = (path: string, returns: string): Route => ({ method: 'DELETE', path, body: 'V1DeleteOptions', returns });

/** The routes of one kind: its collection in a namespace and one object of it. */
function kind(prefix: string, plural: string, model: string) {
  const list = `${prefix}/namespaces/{namespace}/${plural}`;
  const one = `${list}/{name}`;
  return {
    list: get(list, `${model}List`),
    read: get(one, model),
    create: post(list, model),
    replace: put(one, model),
    patch: patch(one, model),
    delete: del(one, model),
  };
}

const core = '/api/v1';
const service = kind(core, 'services', 'V1Service');
const pod = kind(core, 'pods', 'V1Pod');
const configMap = kind(core, 'configmaps', 'V1ConfigMap');
const secret = kind(core, 'secrets', 'V1Secret');
const account = kind(core, 'serviceaccounts', 'V1ServiceAccount');
const podTemplate = kind(core, 'podtemplates', 'V1PodTemplate');
const endpoints = kind(core, 'endpoints', 'V1Endpoints');

export const coreRoutes = {
  listNamespace: get(`${core}/namespaces`, 'V1NamespaceList'),
  readNamespace: get(`${core}/namespaces/{name}`, 'V1Namespace'),
  createNamespace: post(`${core}/namespaces`, 'V1Namespace'),
  deleteNamespace: del(`${core}/namespaces/{name}`, 'V1Status'),
  listNamespacedService: service.list,
  readNamespacedService: service.read,
  createNamespacedService: service.create,
  replaceNamespacedService: service.replace,
  patchNamespacedService: service.patch,
  deleteNamespacedService: service.delete,
  listNamespacedPod: pod.list,
  createNamespacedPod: pod.create,
  readNamespacedPodLog: get(`${core}/namespaces/{namespace}/pods/{name}/log`, 'string'),
  listNamespacedEvent: get(`${core}/namespaces/{namespace}/events`, 'CoreV1EventList'),
  readNamespacedEndpoints: endpoints.read,
  listNamespacedConfigMap: configMap.list,
  readNamespacedConfigMap: configMap.read,
  createNamespacedConfigMap: configMap.create,
  patchNamespacedConfigMap: configMap.patch,
  readNamespacedSecret: secret.read,
  createNamespacedSecret: secret.create,
  listNamespacedServiceAccount: account.list,
  readNamespacedServiceAccount: account.read,
  createNamespacedServiceAccount: account.create,
  createNamespacedServiceAccountToken: post(`${core}/namespaces/{namespace}/serviceaccounts/{name}/token`, 'AuthenticationV1TokenRequest'),
  listNamespacedPodTemplate: podTemplate.list,
  createNamespacedPodTemplate: podTemplate.create,
} satisfies Partial<Record<keyof ObjectCoreV1Api, Route>>;

const deployment = kind('/apis/apps/v1', 'deployments', 'V1Deployment');
const replicaSet = kind('/apis/apps/v1', 'replicasets', 'V1ReplicaSet');

export const appsRoutes = {
  listNamespacedDeployment: deployment.list,
  readNamespacedDeployment: deployment.read,
  createNamespacedDeployment: deployment.create,
  replaceNamespacedDeployment: deployment.replace,
  patchNamespacedDeployment: deployment.patch,
  listNamespacedReplicaSet: replicaSet.list,
} satisfies Partial<Record<keyof ObjectAppsV1Api, Route>>;

const hpa = kind('/apis/autoscaling/v2', 'horizontalpodautoscalers', 'V2HorizontalPodAutoscaler');

export const autoscalingRoutes = {
  listNamespacedHorizontalPodAutoscaler: hpa.list,
  readNamespacedHorizontalPodAutoscaler: hpa.read,
  createNamespacedHorizontalPodAutoscaler: hpa.create,
  replaceNamespacedHorizontalPodAutoscaler: hpa.replace,
} satisfies Partial<Record<keyof ObjectAutoscalingV2Api, Route>>;

export const discoveryRoutes = {
  listNamespacedEndpointSlice: kind('/apis/discovery.k8s.io/v1', 'endpointslices', 'V1EndpointSlice').list,
} satisfies Partial<Record<keyof ObjectDiscoveryV1Api, Route>>;

const ingress = kind('/apis/networking.k8s.io/v1', 'ingresses', 'V1Ingress');

export const networkingRoutes = {
  listNamespacedIngress: ingress.list,
  readNamespacedIngress: ingress.read,
  createNamespacedIngress: ingress.create,
  patchNamespacedIngress: ingress.patch,
} satisfies Partial<Record<keyof ObjectNetworkingV1Api, Route>>;

/** GET /version/ (client-node's VersionApi.getCode). */
export const versionRoute = get('/version/', 'VersionInfo');

export type CoreApi = Pick<ObjectCoreV1Api, keyof typeof coreRoutes>;
export type AppsApi = Pick<ObjectAppsV1Api, keyof typeof appsRoutes>;
export type AutoscalingApi = Pick<ObjectAutoscalingV2Api, keyof typeof autoscalingRoutes>;
export type DiscoveryApi = Pick<ObjectDiscoveryV1Api, keyof typeof discoveryRoutes>;
export type NetworkingApi = Pick<ObjectNetworkingV1Api, keyof typeof networkingRoutes>;

export interface Groups {
  core: CoreApi;
  apps: AppsApi;
  autoscaling: AutoscalingApi;
  discovery: DiscoveryApi;
  networking: NetworkingApi;
  /** The apiserver's version (GET /version), e.g. v1.37.2. */
  version(): Promise<string>;
  /** One call outside the typed groups (a custom resource's subresource, say), by its route. */
  request(route: Route, params?: Params, options?: ConfigurationOptions): Promise<unknown>;
}

/** The groups on one Configuration (connect.ts's: counters, auth, signal, timeouts). */
export function makeGroups(configuration: Configuration): Groups {
  return {
    core: group<CoreApi>(configuration, coreRoutes),
    apps: group<AppsApi>(configuration, appsRoutes),
    autoscaling: group<AutoscalingApi>(configuration, autoscalingRoutes),
    discovery: group<DiscoveryApi>(configuration, discoveryRoutes),
    networking: group<NetworkingApi>(configuration, networkingRoutes),
    version: async () => ((await call(configuration, versionRoute)) as VersionInfo).gitVersion,
    request: (route, params, options) => call(configuration, route, params, options),
  };
}
