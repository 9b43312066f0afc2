// Route `ingress` on the bed's real apiserver: backend switch and rollback of an Ingress path,
// AWS Load Balancer Controller canary weights in steps with a health check per step (a local
// HTTP server whose answers the test controls plays the probed application), rollback to 100 %
// live when a check fails or the run is cancelled, and bad input that changes nothing. No load
// balancer controller runs here: what is checked is what the switch writes on the Ingress.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { V1Ingress } from '@kubernetes/client-node';
import { useBed } from '../bed/vitest.ts';
import { sources, waitUntil } from '@expeditor/kube/watch';
import { CancelledError } from '../../packages/shared/src/deadline.ts';
import type { EksSwitchOptions } from '../../actions/bluegreen-switch/src/eks/types.ts';
import { canaryStepsProblem, forwardActionAnnotation, parsePathFilter } from '@expeditor/bluegreen/ingress';
import { options, setUpColors, type Colors } from './switch-eks-bed.ts';
import { failure, useSwitchEks } from './switch-eks-fixture.ts';

const bed = useBed(['k8s']);
const { b, run, readIngress } = useSwitchEks(bed);
const actionKey = 'alb.ingress.kubernetes.io/actions.shop-canary';

/** The probed application: answers with whatever `answer` says for the Ingress as it is at that moment. */
let answer: (ingress: V1Ingress) => number | Promise<number> = () => 200;
let probedIngress: { ns: string; name: string } | undefined;
const seen: { weights: string; backend: string; status: number }[] = [];
let server: Server;
let probeUrl = '';

beforeAll(async () => {
  server = createServer((_req, res) => {
    void (async () => {
      let status = 200;
      if (probedIngress) {
        const ingress = await b.connection.networking.readNamespacedIngress({ namespace: probedIngress.ns, name: probedIngress.name });
        status = await answer(ingress);
        seen.push({ weights: weightsOf(ingress), backend: backendOf(ingress), status });
      }
      res.writeHead(status, { 'content-type': 'text/plain' }).end(status === 200 ? 'ok' : 'unhealthy');
    })();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  probeUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/healthz`;
});

afterAll(async () => {
  await new Promise((r) => server?.close(r));
});

function weightsOf(ingress: V1Ingress): string {
  const text = ingress.metadata?.annotations?.[actionKey];
  if (!text) return '';
  const groups = (JSON.parse(text) as { forwardConfig: { targetGroups: { serviceName: string; weight: number }[] } }).forwardConfig
    .targetGroups;
  return groups.map((g) => `${g.serviceName}=${g.weight}`).join(',');
}

function backendOf(ingress: V1Ingress, index = 0): string {
  const s = ingress.spec?.rules?.[0]?.http?.paths[index]?.backend.service;
  return `${s?.name}:${s?.port?.number ?? s?.port?.name}`;
}

const ingressOptions = (c: Colors, overrides: Partial<EksSwitchOptions> = {}): EksSwitchOptions =>
  options(c, { route: 'ingress', ingress: c.ingress, ...overrides });

describe('route ingress', () => {
  it('switches the path backend to the target color Service, records it, leaves other paths alone; rollback switches back', async () => {
    const c = await setUpColors(b, { ingress: true });
    const r = await run(ingressOptions(c)).result;
    expect(r).toMatchObject({ route: 'ingress', from: 'blue', to: 'green', switched: true });
    let ing = await readIngress(c);
    expect(backendOf(ing, 0)).toBe('shop-green:80');
    expect(backendOf(ing, 1)).toBe('admin:80');
    expect(ing.spec?.rules?.[0]?.http?.paths[0]?.pathType).toBe('Prefix');
    expect(ing.metadata?.annotations).toMatchObject({
      'alb.ingress.kubernetes.io/scheme': 'internet-facing',
      'expeditor.dev/previous-color': 'blue',
      'expeditor.dev/run-url': 'https://github.com/acme/shop/actions/runs/42',
    });
    expect(ing.metadata?.annotations?.[actionKey]).toBeUndefined();

    const back = await run(ingressOptions(c, { action: 'rollback' })).result;
    expect(back).toMatchObject({ from: 'green', to: 'blue', switched: true });
    ing = await readIngress(c);
    expect(backendOf(ing, 0)).toBe('shop-blue:80');
    expect(ing.metadata?.annotations?.['expeditor.dev/previous-color']).toBe('green');

    // Cleanup on the ingress route scales the color the Ingress does not use.
    const cleaned = await run(ingressOptions(c, { action: 'cleanup' })).result;
    expect(cleaned.scaledDown).toEqual({ deployment: 'shop-green', replicas: 3 });
    expect((await b.connection.apps.readNamespacedDeployment({ namespace: c.ns, name: 'shop-blue' })).spec?.replicas).toBe(3);
  });

  it('canary 10/50/100 with a probe that fails at 50: weights back to 100% live, the run fails naming the step', async () => {
    const c = await setUpColors(b, { ingress: true });
    probedIngress = { ns: c.ns, name: c.ingress };
    seen.length = 0;
    // Healthy while green has 10 %; unhealthy once it has 50 %.
    answer = (ing) => (weightsOf(ing).includes('shop-green=50') ? 503 : 200);
    const before = await readIngress(c);
    const { result, log } = run(ingressOptions(c, { canary: [10, 50, 100], stepPauseMs: 20, probeUrl }));
    const error = await failure(result);
    expect(error.message).toBe(
      `canary step 2 of 3 (50% to green) failed its health check: probe ${probeUrl} answered 503 Service Unavailable; traffic is back on blue (100%)`,
    );
    expect(error.unchanged).toMatch(/blue serves all traffic again/);
    // What the probed application saw at each step: the forward action with those weights.
    expect(seen).toEqual([
      { weights: 'shop-blue=90,shop-green=10', backend: 'shop-canary:use-annotation', status: 200 },
      { weights: 'shop-blue=50,shop-green=50', backend: 'shop-canary:use-annotation', status: 503 },
    ]);
    const after = await readIngress(c);
    expect(backendOf(after, 0)).toBe('shop-blue:80');
    expect(backendOf(after, 1)).toBe('admin:80');
    expect(after.metadata?.annotations?.[actionKey]).toBeUndefined();
    // The record is as it was before the run: no switch happened.
    expect(after.metadata?.annotations?.['expeditor.dev/previous-color']).toBe(
      before.metadata?.annotations?.['expeditor.dev/previous-color'],
    );
    expect(log.lines.join('\n')).toMatch(/restored: shop.example.com\/ → Service shop-blue \(100%\)/);
    probedIngress = undefined;
  });

  it('canary 10/50/100 that passes every step ends on a plain backend to the target, the forward action removed', async () => {
    const c = await setUpColors(b, { ingress: true });
    probedIngress = { ns: c.ns, name: c.ingress };
    seen.length = 0;
    answer = () => 200;
    const r = await run(ingressOptions(c, { canary: [10, 50, 100], stepPauseMs: 10, probeUrl })).result;
    expect(r).toMatchObject({ from: 'blue', to: 'green', switched: true });
    expect(r.canarySteps?.map((s) => [s.weight, s.outcome])).toEqual([
      [10, 'passed'],
      [50, 'passed'],
      [100, 'passed'],
    ]);
    expect(seen.map((s) => s.weights || s.backend)).toEqual(['shop-blue=90,shop-green=10', 'shop-blue=50,shop-green=50', 'shop-green:80']);
    const after = await readIngress(c);
    expect(backendOf(after, 0)).toBe('shop-green:80');
    expect(after.metadata?.annotations?.[actionKey]).toBeUndefined();
    expect(after.metadata?.annotations?.['expeditor.dev/previous-color']).toBe('blue');
    probedIngress = undefined;
  });

  it('a canary step fails when the target stops being ready between steps (no probe failure needed)', async () => {
    const c = await setUpColors(b, { ingress: true });
    probedIngress = { ns: c.ns, name: c.ingress };
    seen.length = 0;
    // While the probe of step 1 is being answered, green's pods are replaced by ones that never
    // become ready (Recreate: all old ones go); the answer waits until green is unavailable.
    answer = async (ing) => {
      if (weightsOf(ing) === 'shop-blue=90,shop-green=10') {
        await b.connection.apps.patchNamespacedDeployment(
          {
            namespace: c.ns,
            name: 'shop-green',
            body: {
              spec: {
                strategy: { type: 'Recreate', rollingUpdate: null },
                template: { spec: { containers: [{ name: 'app', image: 'bed.local/shop:9-bed-never-ready' }] } },
              },
            },
          },
          b.connection.patchOptions('strategic'),
        );
        await waitUntil(b.connection, {
          sources: { d: sources(b.connection, c.ns).deployments(undefined, 'metadata.name=shop-green') },
          check: ({ d }) =>
            (d[0]?.status?.availableReplicas ?? 0) === 0 && (d[0]?.status?.observedGeneration ?? 0) >= (d[0]?.metadata?.generation ?? 1)
              ? true
              : undefined,
        });
      }
      return 200;
    };
    const error = await failure(run(ingressOptions(c, { canary: [10, 50, 100], stepPauseMs: 10, probeUrl })).result);
    expect(error.message).toMatch(
      /^canary step 2 of 3 \(50% to green\) failed its health check: green is no longer ready: .*Deployment shop-green: \d of 3 replicas/,
    );
    expect(error.message).toMatch(/traffic is back on blue \(100%\)$/);
    // Step 2's readiness check failed before its probe: the application was probed once.
    expect(seen.map((x) => x.weights)).toEqual(['shop-blue=90,shop-green=10']);
    expect(backendOf(await readIngress(c), 0)).toBe('shop-blue:80');
    probedIngress = undefined;
  });

  it('cancelled mid-canary: weights back to live, the run fails saying so', async () => {
    const c = await setUpColors(b, { ingress: true });
    const controller = new AbortController();
    const { result } = run(ingressOptions(c, { canary: [10, 50, 100], stepPauseMs: 60_000 }), controller.signal);
    await untilIngress(c, (ing) => weightsOf(ing) === 'shop-blue=90,shop-green=10');
    controller.abort(new CancelledError('SIGTERM'));
    const error = await failure(result);
    expect(error.message).toBe('the canary on Ingress shop-web stopped: the run was cancelled (SIGTERM); traffic is back on blue (100%)');
    const after = await readIngress(c);
    expect(backendOf(after, 0)).toBe('shop-blue:80');
    expect(after.metadata?.annotations?.[actionKey]).toBeUndefined();
  });

  it('bad input: unknown Ingress, a path that does not exist, a path that is not the service’s, a target that is not ready — each named, nothing changed', async () => {
    const c = await setUpColors(b, { ingress: true, images: { green: 'bed.local/shop:2-bed-crashloop' } });
    const before = (await readIngress(c)).metadata?.resourceVersion;
    const missing = await failure(run(ingressOptions(c, { ingress: 'nope' })).result);
    expect(missing.message).toBe(`Ingress nope does not exist in namespace ${c.ns}`);
    expect(missing.input).toBe('ingress');

    const noPath = await failure(run(ingressOptions(c, { ingressPath: '/api' })).result);
    expect(noPath.message).toBe('Ingress shop-web has no path /api (its paths: shop.example.com/, shop.example.com/admin)');
    expect(noPath.input).toBe('ingress-path');

    const foreign = await failure(run(ingressOptions(c, { ingressPath: 'shop.example.com/admin' })).result);
    expect(foreign.message).toMatch(/path shop.example.com\/admin routes to Service admin, not to shop-blue or shop-green/);

    const otherService = await failure(run(ingressOptions(c, { service: 'cart' })).result);
    expect(otherService.message).toMatch(/no path of Ingress shop-web routes to cart-blue or cart-green/);

    const notReady = await failure(run(ingressOptions(c, { ingressPath: '/' })).result);
    expect(notReady.message).toMatch(/refusing to switch Ingress shop-web to green: green is not ready/);
    expect(notReady.unchanged).toBe('Ingress shop-web still sends blue all traffic; nothing was changed');

    const noop = await run(ingressOptions(c, { targetColor: 'blue' })).result;
    expect(noop).toMatchObject({ switched: false, from: 'blue', to: 'blue' });
    expect((await readIngress(c)).metadata?.resourceVersion).toBe(before);
  });

  it('renders the forward action and parses paths and steps', () => {
    expect(JSON.parse(forwardActionAnnotation('shop', 'blue', 'green', 10, { number: 80 }))).toEqual({
      type: 'forward',
      forwardConfig: {
        targetGroups: [
          { serviceName: 'shop-blue', servicePort: '80', weight: 90 },
          { serviceName: 'shop-green', servicePort: '80', weight: 10 },
        ],
        targetGroupStickinessConfig: { enabled: false },
      },
    });
    expect(
      JSON.parse(forwardActionAnnotation('shop', 'green', 'blue', 50, { name: 'http' })).forwardConfig.targetGroups[0].servicePort,
    ).toBe('http');
    expect(parsePathFilter('/api')).toEqual({ host: undefined, path: '/api' });
    expect(parsePathFilter('shop.example.com/api')).toEqual({ host: 'shop.example.com', path: '/api' });
    expect(canaryStepsProblem([10, 50, 100])).toBeUndefined();
    expect(canaryStepsProblem([50, 10, 100])).toMatch(/increasing/);
    expect(canaryStepsProblem([10, 50])).toMatch(/last weight to be 100/);
  });
});

async function untilIngress(c: Colors, done: (ing: V1Ingress) => boolean): Promise<void> {
  await waitUntil(b.connection, {
    sources: {
      i: {
        path: `/apis/networking.k8s.io/v1/namespaces/${c.ns}/ingresses`,
        fieldSelector: `metadata.name=${c.ingress}`,
        list: () => b.connection.networking.listNamespacedIngress({ namespace: c.ns, fieldSelector: `metadata.name=${c.ingress}` }),
      },
    },
    check: ({ i }) => (i[0] && done(i[0]) ? true : undefined),
  });
}
