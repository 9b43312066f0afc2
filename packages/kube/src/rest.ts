// How one Kubernetes call is made from a route (method, path, body and answer models): what
// client-node's generated API classes do for each of their methods, written once. Those classes
// cannot be bundled one by one (each holds or imports every API group, about 0.9 MB of the
// bundle), so the typed groups (groups.ts) are tables of routes run by `call`. It goes through
// the same Configuration as the generated classes: its auth methods (request counters, tokens),
// its middleware (the run's signal and per-request timeout, call-time options such as a PATCH's
// content type) and its HTTP library (keep-alive dispatcher, proxy); answers are deserialized by
// client-node's ObjectSerializer and failures are the same ApiException.
import type { Configuration, ConfigurationOptions, ResponseContext } from './client-node.ts';
import { ApiException, ObjectSerializer, mergeConfiguration } from './client-node.ts';

export interface Route {
  readonly method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** E.g. '/api/v1/namespaces/{namespace}/pods/{name}': each {key} is filled from the parameter of that name. */
  readonly path: string;
  /** The model the body parameter is serialized as ('any' for a patch); without it the request has no body. */
  readonly body?: string;
  /** The model the answer is deserialized as ('string' for a pod's log). */
  readonly returns: string;
}

/** The parameter object of a call, as client-node's ObjectParamAPI takes it. */
export type Params = Readonly<Record<string, unknown>>;

// The generated methods' Accept header, and their content types: JSON for objects, JSON Patch
// for a PATCH (the caller's options replace it: KubeConnection.patchOptions).
const accept = 'application/json, */*;q=0.8';
const json = 'application/json';
const jsonPatch = 'application/json-patch+json';

/** The path with its parameters filled in (URI-encoded) and the names it used. */
export function fillPath(path: string, params: Params): { path: string; used: Set<string> } {
  const used = new Set<string>();
  const filled = path.replace(/\{(\w+)\}/g, (_, key: string) => {
    const value = params[key];
    if (value === undefined || value === null) throw new Error(`${path}: the parameter '${key}' is required`);
    used.add(key);
    return encodeURIComponent(String(value));
  });
  return { path: filled, used };
}

/**
 * Query parameters: every parameter that is not in the path and not the body, under its name in
 * the API (`_continue` is `continue`, a reserved word in the generated code).
 */
export function queryOf(params: Params, used: ReadonlySet<string>): [string, string][] {
  return Object.entries(params)
    .filter(([key, value]) => !used.has(key) && key !== 'body' && value !== undefined)
    .map(([key, value]) => [key.startsWith('_') ? key.slice(1) : key, String(value)]);
}

/** Sends one request of `route` and answers the deserialized body; a status outside 2xx is an ApiException. */
export async function call(
  configuration: Configuration,
  route: Route,
  params: Params = {},
  options?: ConfigurationOptions,
): Promise<unknown> {
  const config = mergeConfiguration(configuration, options);
  const { path, used } = fillPath(route.path, params);
  const request = config.baseServer.makeRequestContext(path, route.method);
  request.setHeaderParam('Accept', accept);
  for (const [name, value] of queryOf(params, used)) request.setQueryParam(name, value);
  if (route.body && (params.body !== undefined || route.method !== 'DELETE')) {
    if (params.body === undefined || params.body === null)
      throw new Error(`${route.method} ${route.path}: the parameter 'body' is required`);
    const contentType = route.method === 'PATCH' ? jsonPatch : json;
    request.setHeaderParam('Content-Type', contentType);
    request.setBody(ObjectSerializer.stringify(ObjectSerializer.serialize(params.body, route.body, ''), contentType));
  }
  // As the generated request factories: the BearerToken method, then the default one (ours).
  await config.authMethods.BearerToken?.applySecurityAuthentication(request);
  await config.authMethods.default?.applySecurityAuthentication(request);
  let sent = request;
  for (const middleware of config.middleware) sent = await middleware.pre(sent).toPromise();
  let response = await config.httpApi.send(sent).toPromise();
  // Post-processing runs in reverse order (the generated code reverses the array in place; a copy here).
  for (const middleware of [...config.middleware].reverse()) response = await middleware.post(response).toPromise();
  return answer(response, route.returns);
}

/** The generated response processors' rule: 2xx is the model, 401 has no body, anything else carries the body. */
export async function answer(response: ResponseContext, returns: string): Promise<unknown> {
  const status = response.httpStatusCode;
  if (status >= 200 && status <= 299) {
    const contentType = ObjectSerializer.normalizeMediaType(response.headers['content-type']);
    return ObjectSerializer.deserialize(ObjectSerializer.parse(await response.body.text(), contentType), returns, '');
  }
  if (status === 401) throw new ApiException(status, 'Unauthorized', undefined, response.headers);
  throw new ApiException(status, 'Unknown API Status Code!', await response.getBodyAsAny(), response.headers);
}

/** An object whose methods are the routes, each called as client-node's ObjectParamAPI: (params, options). */
export function group<Api>(configuration: Configuration, routes: Record<keyof Api & string, Route>): Api {
  const methods = Object.entries(routes).map(([name, route]) => [
    name,
    (params?: Params, options?: ConfigurationOptions) => call(configuration, route as Route, params, options),
  ]);
  // The one unchecked step: groups.ts types each table by client-node's own method signatures,
  // and test/unit/kube-rest.test.ts checks every route against the generated request factories.
  return Object.fromEntries(methods) as Api;
}
