// The typed REST layer (packages/kube/src/rest.ts, groups.ts) that stands in for client-node's
// generated API classes: every route sends what the generated method sends (method, path, query,
// headers, body) and answers what it answers (models with Dates, text, ApiException with the
// same code and body), checked against those classes through a recording HTTP library; plus the
// path and query rules, call-time options and the configuration's auth and middleware.
import * as k8s from '@kubernetes/client-node';
import type { ConfigurationParameters } from '@kubernetes/client-node/dist/gen/configuration.js';
import type { PromiseMiddleware } from '@kubernetes/client-node/dist/gen/middleware.js';
import { from } from '@kubernetes/client-node/dist/gen/rxjsStub.js';
import { describe, expect, it } from 'vitest';
import {
  appsRoutes,
  autoscalingRoutes,
  coreRoutes,
  discoveryRoutes,
  makeGroups,
  networkingRoutes,
  versionRoute,
} from '../../packages/kube/src/groups.ts';
import { call, fillPath, queryOf, type Route } from '../../packages/kube/src/rest.ts';

interface Answer {
  status: number;
  body: string;
  contentType?: string;
}

/** An HTTP library that records each request and answers `answer`. */
function recorder(answer: Answer) {
  const sent: k8s.RequestContext[] = [];
  const httpApi: k8s.HttpLibrary = {
    send(request) {
      sent.push(request);
      const body = { text: async () => answer.body, binary: async () => Buffer.from(answer.body), stream: () => null };
      const headers = { 'content-type': answer.contentType ?? 'application/json' };
      return from(Promise.resolve(new k8s.ResponseContext(answer.status, headers, body)));
    },
  };
  return { sent, httpApi };
}

function configuration(answer: Answer, extra: ConfigurationParameters = {}) {
  const { sent, httpApi } = recorder(answer);
  const config = k8s.createConfiguration({ baseServer: new k8s.ServerConfiguration('https://kube.example:6443', {}), httpApi, ...extra });
  return { sent, config };
}

/** What reaches the server, the query in a fixed order (servers do not care about it). */
function request(context: k8s.RequestContext | undefined) {
  if (!context) throw new Error('nothing was sent');
  const url = new URL(context.getUrl());
  return {
    method: context.getHttpMethod(),
    path: `${url.origin}${url.pathname}`,
    query: [...url.searchParams].sort(([a], [b]) => a.localeCompare(b)),
    headers: context.getHeaders(),
    body: context.getBody(),
  };
}

const stamp = '2026-11-30T12:00:00Z';
const object = JSON.stringify({
  apiVersion: 'v1',
  kind: 'Thing',
  metadata: { name: 'a', resourceVersion: '7', creationTimestamp: stamp },
  items: [{ metadata: { name: 'b', creationTimestamp: stamp } }],
  status: { conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: stamp }] },
});
const written = {
  apiVersion: 'v1',
  kind: 'Thing',
  metadata: { name: 'a b', labels: { app: 'shop' }, creationTimestamp: new Date(stamp) },
  spec: { replicas: 2, selector: { app: 'shop' } },
};

/** Parameters a call of this route takes: its path's, a body where it has one, and query options of its verb. */
function paramsFor(name: string, route: Route): Record<string, unknown> {
  const params: Record<string, unknown> = {};
  for (const [, key] of route.path.matchAll(/\{(\w+)\}/g)) params[key as string] = key === 'namespace' ? 'team a' : 'shop/blue';
  if (name === 'readNamespacedPodLog') return { ...params, container: 'app', tailLines: 20, timestamps: true };
  if (name === 'createNamespacedServiceAccountToken') return { ...params, body: { spec: { audiences: ['sts'], expirationSeconds: 600 } } };
  switch (route.method) {
    case 'GET':
      return name.startsWith('list')
        ? { ...params, labelSelector: 'app=shop,version in (blue,green)', fieldSelector: 'metadata.name=x', _continue: 'next/1', limit: 5 }
        : { ...params, pretty: 'true' };
    case 'POST':
    case 'PUT':
      return { ...params, body: written, dryRun: 'All', fieldManager: 'expeditor' };
    case 'PATCH':
      return { ...params, body: [{ op: 'replace', path: '/spec/replicas', value: 3 }], fieldManager: 'expeditor', force: true };
    case 'DELETE':
      return { ...params, gracePeriodSeconds: 0, propagationPolicy: 'Foreground', body: { propagationPolicy: 'Foreground' } };
  }
}

type Methods = Record<string, (params: unknown, options?: unknown) => Promise<unknown>>;
const tables: [string, Record<string, Route>, new (c: k8s.Configuration) => unknown][] = [
  ['core', coreRoutes, k8s.CoreV1Api],
  ['apps', appsRoutes, k8s.AppsV1Api],
  ['autoscaling', autoscalingRoutes, k8s.AutoscalingV2Api],
  ['discovery', discoveryRoutes, k8s.DiscoveryV1Api],
  ['networking', networkingRoutes, k8s.NetworkingV1Api],
];
const cases = tables.flatMap(([group, routes, Api]) => Object.entries(routes).map(([name, route]) => ({ group, name, route, Api })));

/** One call through the generated class and through ours, on the same answer: what each sent and answered. */
async function both(c: (typeof cases)[number], answer: Answer, options?: k8s.ConfigurationOptions) {
  const params = paramsFor(c.name, c.route);
  const theirs = configuration(answer);
  const ours = configuration(answer);
  const generated = new c.Api(theirs.config) as Methods;
  const mine = makeGroups(ours.config)[c.group as 'core'] as unknown as Methods;
  const settle = (p: Promise<unknown>) =>
    p.then(
      (value) => ({ value }),
      (error: unknown) => ({ error }),
    );
  const [a, b] = [
    await settle(generated[c.name]?.(params, options) as Promise<unknown>),
    await settle(mine[c.name]?.(params, options) as Promise<unknown>),
  ];
  return { theirs: { sent: request(theirs.sent[0]), ...a }, ours: { sent: request(ours.sent[0]), ...b } };
}

describe('every route against client-node generated method', () => {
  it.each(cases.map((c) => [`${c.group}.${c.name}`, c] as const))('%s: same request, same answer', async (_, c) => {
    const answer =
      c.route.returns === 'string' ? { status: 200, body: 'line 1\nline 2\n', contentType: 'text/plain' } : { status: 200, body: object };
    const { theirs, ours } = await both(c, answer);
    expect(ours.sent).toEqual(theirs.sent);
    expect('error' in ours ? ours.error : undefined).toBeUndefined();
    // Strict: the same model classes (deserialized as the same type), not only the same fields.
    expect(ours).toStrictEqual(theirs);
  });

  it.each(cases.map((c) => [`${c.group}.${c.name}`, c] as const))('%s: same ApiException for 404 and 401', async (_, c) => {
    const status = JSON.stringify({ kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'NotFound', code: 404 });
    for (const answer of [
      { status: 404, body: status },
      { status: 401, body: '{"kind":"Status","code":401}' },
    ]) {
      const { theirs, ours } = await both(c, answer);
      expect(ours).toEqual(theirs);
      const error = (ours as { error?: k8s.ApiException<unknown> }).error;
      expect(error).toBeInstanceOf(k8s.ApiException);
      expect(error?.code).toBe(answer.status);
      expect(error?.message).toBe((theirs as { error: Error }).error.message);
    }
  });

  it('the version route is VersionApi.getCode', async () => {
    const answer = { status: 200, body: JSON.stringify({ gitVersion: 'v1.37.2', major: '1', minor: '37' }) };
    const theirs = configuration(answer);
    const ours = configuration(answer);
    const info = await new k8s.VersionApi(theirs.config).getCode();
    expect(await call(ours.config, versionRoute)).toEqual(info);
    expect(request(ours.sent[0])).toEqual(request(theirs.sent[0]));
    expect(await makeGroups(ours.config).version()).toBe('v1.37.2');
  });
});

describe('what a call sends', () => {
  it('fills the path URI-encoded and puts every other parameter but the body in the query, continue without its underscore', async () => {
    const { sent, config } = configuration({ status: 200, body: object });
    await makeGroups(config).core.listNamespacedPod({
      namespace: 'shop',
      labelSelector: 'app=shop,version=blue',
      _continue: 'abc',
      limit: 2,
    });
    expect(sent[0]?.getUrl()).toBe(
      'https://kube.example:6443/api/v1/namespaces/shop/pods?labelSelector=app%3Dshop%2Cversion%3Dblue&continue=abc&limit=2',
    );
    expect(sent[0]?.getHttpMethod()).toBe('GET');
    expect(sent[0]?.getBody()).toBeUndefined();
    expect(fillPath('/a/{namespace}/b/{name}', { namespace: 'x y', name: 'p/q' }).path).toBe('/a/x%20y/b/p%2Fq');
    expect(queryOf({ namespace: 'n', body: {}, pretty: undefined, force: true, _continue: 't' }, new Set(['namespace']))).toEqual([
      ['force', 'true'],
      ['continue', 't'],
    ]);
  });

  it('refuses a call without a path parameter or a required body, sending nothing', async () => {
    const { sent, config } = configuration({ status: 200, body: object });
    const { core } = makeGroups(config);
    await expect(core.readNamespacedService({ namespace: 'shop' } as never)).rejects.toThrow(/'name' is required/);
    await expect(core.createNamespacedService({ namespace: 'shop' } as never)).rejects.toThrow(/'body' is required/);
    // A delete's body is optional.
    await core.deleteNamespacedService({ namespace: 'shop', name: 'a' });
    expect(sent.map((s) => [s.getHttpMethod(), s.getBody()])).toEqual([['DELETE', undefined]]);
  });

  it('serializes a body by its model (Dates as RFC 3339) and a patch as JSON Patch unless the options say otherwise', async () => {
    const { sent, config } = configuration({ status: 201, body: object });
    const { apps } = makeGroups(config);
    const deployment = { ...written, spec: { selector: { matchLabels: { app: 'shop' } }, template: {} } };
    await apps.createNamespacedDeployment({ namespace: 'shop', body: deployment });
    expect(sent[0]?.getHeaders()['Content-Type']).toBe('application/json');
    expect(JSON.parse(String(sent[0]?.getBody())).metadata.creationTimestamp).toBe('2026-11-30T12:00:00.000Z');
    await apps.patchNamespacedDeployment({ namespace: 'shop', name: 'a', body: [{ op: 'remove', path: '/x' }] });
    expect(sent[1]?.getHeaders()['Content-Type']).toBe('application/json-patch+json');
    const merge = k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch);
    await apps.patchNamespacedDeployment({ namespace: 'shop', name: 'a', body: { spec: { replicas: 0 } } }, merge);
    expect(sent[2]?.getHeaders()['Content-Type']).toBe('application/merge-patch+json');
    expect(sent[2]?.getBody()).toBe('{"spec":{"replicas":0}}');
  });

  it('goes through the configuration: its auth once per call, then its middleware (pre in order, post in reverse)', async () => {
    const seen: string[] = [];
    let authenticated = 0;
    const middleware = (name: string): PromiseMiddleware => ({
      pre: async (context) => {
        seen.push(`pre ${name}`);
        context.setHeaderParam(`X-${name}`, String(authenticated));
        return context;
      },
      post: async (response) => {
        seen.push(`post ${name}`);
        return response;
      },
    });
    const auth = {
      getName: () => 'test',
      applySecurityAuthentication: async (context: k8s.RequestContext) => {
        authenticated++;
        context.setHeaderParam('Authorization', 'Bearer t');
      },
    };
    const { sent, config } = configuration(
      { status: 200, body: object },
      { authMethods: { default: auth }, promiseMiddleware: [middleware('a'), middleware('b')] },
    );
    await makeGroups(config).networking.readNamespacedIngress({ namespace: 'shop', name: 'web' });
    expect(authenticated).toBe(1);
    expect(seen).toEqual(['pre a', 'pre b', 'post b', 'post a']);
    expect(sent[0]?.getHeaders()).toMatchObject({ Authorization: 'Bearer t', 'X-a': '1', 'X-b': '1' });
    // The configuration's own list is left as it was (the generated code reverses it in place).
    await makeGroups(config).networking.readNamespacedIngress({ namespace: 'shop', name: 'web' });
    expect(seen.slice(4)).toEqual(['pre a', 'pre b', 'post b', 'post a']);
  });
});

describe('what a call answers', () => {
  it('a model with Dates, a list, a pod log as text', async () => {
    const { config } = configuration({ status: 200, body: object });
    const { apps, core } = makeGroups(config);
    const d = await apps.readNamespacedDeployment({ namespace: 'shop', name: 'a' });
    expect(d.metadata?.creationTimestamp).toEqual(new Date(stamp));
    expect(d.metadata?.resourceVersion).toBe('7');
    const list = await core.listNamespacedPod({ namespace: 'shop' });
    expect(list.items[0]?.metadata?.creationTimestamp).toBeInstanceOf(Date);
    const logs = configuration({ status: 200, body: 'started\nlistening on 8080\n', contentType: 'text/plain; charset=utf-8' });
    expect(await makeGroups(logs.config).core.readNamespacedPodLog({ namespace: 'shop', name: 'p', tailLines: 5 })).toBe(
      'started\nlistening on 8080\n',
    );
  });

  it('an ApiException with the code and the body callers read (404, 409, 410), and none for 401', async () => {
    for (const code of [404, 409, 410, 422, 500]) {
      const body = { kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'X', code };
      const { config } = configuration({ status: code, body: JSON.stringify(body) });
      const error = await makeGroups(config)
        .core.patchNamespacedService({ namespace: 'shop', name: 'a', body: {} })
        .catch((e: unknown) => e as k8s.ApiException<string>);
      expect(error).toBeInstanceOf(k8s.ApiException);
      expect(error).toMatchObject({ code });
      expect(JSON.parse(String((error as k8s.ApiException<string>).body))).toEqual(body);
    }
    const { config } = configuration({ status: 401, body: '{"kind":"Status"}' });
    const unauthorized = await makeGroups(config)
      .discovery.listNamespacedEndpointSlice({ namespace: 'shop' })
      .catch((e: unknown) => e);
    expect(unauthorized).toMatchObject({ code: 401, body: undefined });
    expect((unauthorized as Error).message).toMatch(/^HTTP-Code: 401\nMessage: Unauthorized/);
  });
});
