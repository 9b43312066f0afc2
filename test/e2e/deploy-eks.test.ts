// deploy-eks's core on the bed's real apiserver, controllers and KWOK nodes: first deploy, blue →
// green → blue with the live color untouched, HPA copy, the environment's references and IRSA.
import { describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { useBed } from '../bed/vitest.ts';
import {
  deploymentManifest,
  image,
  kubeconfigConnection,
  newNamespace,
  runCore,
  setStable,
  workspace,
  writeManifest,
} from './deploy-eks-bed.ts';

const bed = useBed(['k8s']);

describe('deploy-eks on the bed', () => {
  it('first deploy: no Service yet → blue from the manifest, preview Service on its ready pods', async () => {
    const c = await kubeconfigConnection(bed.k8s);
    const ns = await newNamespace(c, 'first');
    const ws = workspace();
    const manifest = writeManifest(
      ws,
      'k8s/shop.yaml',
      { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'ignored' } },
      deploymentManifest('shop', { replicas: 3, ports: [8080] }),
    );
    const { result, lines } = await runCore(bed.k8s, {
      workspace: ws,
      inputs: { image: image(1), services: 'shop', namespace: ns, manifest },
    });
    expect(result.ready).toBe(true);
    expect(result.failure).toBeUndefined();
    const [r] = result.results;
    expect(r).toMatchObject({
      service: 'shop',
      live: null,
      target: 'blue',
      deployment: 'shop-blue',
      previewService: 'shop-preview',
      ready: true,
      replicas: 3,
      available: 3,
      reason: null,
    });
    const blue = await c.apps.readNamespacedDeployment({ name: 'shop-blue', namespace: ns });
    expect(blue.spec?.template.spec?.containers[0]?.image).toBe(image(1));
    expect(blue.spec?.selector.matchLabels).toEqual({ app: 'shop', version: 'blue' });
    expect(blue.metadata?.annotations?.['expeditor.dev/image']).toBe(image(1));
    expect(blue.metadata?.annotations?.['expeditor.dev/revision']).toBe('a'.repeat(40));
    const preview = await c.core.readNamespacedService({ name: 'shop-preview', namespace: ns });
    expect(preview.spec?.selector).toEqual({ app: 'shop', version: 'blue' });
    expect(preview.spec?.ports?.map((p) => p.port)).toEqual([8080]);
    // The endpoints the action saw are the real ones: exactly the three ready blue pods.
    const slices = await c.discovery.listNamespacedEndpointSlice({
      namespace: ns,
      labelSelector: 'kubernetes.io/service-name=shop-preview',
    });
    const pods = await c.core.listNamespacedPod({ namespace: ns, labelSelector: 'app=shop,version=blue' });
    expect(
      slices.items.flatMap((s) => (s.endpoints ?? []).filter((e) => e.conditions?.ready).map((e) => e.targetRef?.name)).sort(),
    ).toEqual(pods.items.map((p) => p.metadata?.name).sort());
    // No stable Service is made by deploy-eks: that is the switch's.
    await expect(c.core.readNamespacedService({ name: 'shop', namespace: ns })).rejects.toMatchObject({ code: 404 });
    // One line per change, the last one ready.
    expect(lines.some((l) => /blue: \d\/3 available/.test(l))).toBe(true);
    expect(lines.filter((l) => l.includes('blue: 3/3 available, preview endpoints ready'))).toHaveLength(1);
    expect(lines.some((l) => l.includes('blue: ready to switch'))).toBe(true);
  });

  it('blue → green → blue: the live color is the template and is never touched', async () => {
    const c = await kubeconfigConnection(bed.k8s);
    const ns = await newNamespace(c, 'cycle');
    const ws = workspace();
    const manifest = writeManifest(ws, 'shop.yaml', deploymentManifest('shop', { replicas: 2, ports: [8080] }));
    await runCore(bed.k8s, { workspace: ws, inputs: { image: image(1), services: 'shop', namespace: ns, manifest } });
    await setStable(c, ns, 'shop', 'blue');
    const blueBefore = await c.apps.readNamespacedDeployment({ name: 'shop-blue', namespace: ns });

    // blue → green, copying the live blue Deployment (no manifest).
    const toGreen = await runCore(bed.k8s, { inputs: { image: image(2), services: 'shop', namespace: ns } });
    expect(toGreen.result.results[0]).toMatchObject({
      live: 'blue',
      target: 'green',
      ready: true,
      replicas: 2,
      templateFrom: 'Deployment shop-blue (live)',
    });
    const green = await c.apps.readNamespacedDeployment({ name: 'shop-green', namespace: ns });
    expect(green.spec?.template.spec?.containers[0]?.image).toBe(image(2));
    expect(green.spec?.template.metadata?.labels).toMatchObject({ app: 'shop', version: 'green' });
    const blueAfter = await c.apps.readNamespacedDeployment({ name: 'shop-blue', namespace: ns });
    expect(blueAfter.metadata?.resourceVersion).toBe(blueBefore.metadata?.resourceVersion);
    expect((await c.core.readNamespacedService({ name: 'shop', namespace: ns })).spec?.selector).toEqual({ app: 'shop', version: 'blue' });
    expect((await c.core.readNamespacedService({ name: 'shop-preview', namespace: ns })).spec?.selector).toEqual({
      app: 'shop',
      version: 'green',
    });

    // The switch moves traffic to green; the next deploy brings blue up again with image 3.
    await setStable(c, ns, 'shop', 'green');
    const greenBefore = await c.apps.readNamespacedDeployment({ name: 'shop-green', namespace: ns });
    const toBlue = await runCore(bed.k8s, { inputs: { image: image(3), services: 'shop', namespace: ns } });
    expect(toBlue.result.results[0]).toMatchObject({ live: 'green', target: 'blue', ready: true });
    const blue = await c.apps.readNamespacedDeployment({ name: 'shop-blue', namespace: ns });
    expect(blue.spec?.template.spec?.containers[0]?.image).toBe(image(3));
    // Done means no pod of blue's old image is left.
    const bluePods = await c.core.listNamespacedPod({ namespace: ns, labelSelector: 'app=shop,version=blue' });
    expect(bluePods.items.filter((p) => !p.metadata?.deletionTimestamp).map((p) => p.spec?.containers[0]?.image)).toEqual([
      image(3),
      image(3),
    ]);
    expect((await c.apps.readNamespacedDeployment({ name: 'shop-green', namespace: ns })).metadata?.resourceVersion).toBe(
      greenBefore.metadata?.resourceVersion,
    );
  });

  it("copies the live color's HorizontalPodAutoscaler for the target", async () => {
    const c = await kubeconfigConnection(bed.k8s);
    const ns = await newNamespace(c, 'hpa');
    const ws = workspace();
    const manifest = writeManifest(ws, 'shop.yaml', deploymentManifest('shop', { replicas: 3, ports: [8080] }));
    await runCore(bed.k8s, { workspace: ws, inputs: { image: image(1), services: 'shop', namespace: ns, manifest } });
    await setStable(c, ns, 'shop', 'blue');
    await c.autoscaling.createNamespacedHorizontalPodAutoscaler({
      namespace: ns,
      body: {
        metadata: { name: 'shop-blue' },
        spec: {
          scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'shop-blue' },
          minReplicas: 2,
          maxReplicas: 7,
          metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 60 } } }],
        },
      },
    });
    const { result } = await runCore(bed.k8s, { inputs: { image: image(2), services: 'shop', namespace: ns } });
    expect(result.results[0]).toMatchObject({ target: 'green', ready: true, hpa: true, replicas: 3 });
    const hpa = await c.autoscaling.readNamespacedHorizontalPodAutoscaler({ name: 'shop-green', namespace: ns });
    expect(hpa.spec).toMatchObject({ minReplicas: 2, maxReplicas: 7, scaleTargetRef: { kind: 'Deployment', name: 'shop-green' } });
    expect(hpa.spec?.metrics?.[0]?.resource?.target.averageUtilization).toBe(60);
    expect(
      (await c.autoscaling.readNamespacedHorizontalPodAutoscaler({ name: 'shop-blue', namespace: ns })).spec?.scaleTargetRef.name,
    ).toBe('shop-blue');
  });

  it('Ingress route: the live color is the one the Ingress sends traffic to, not the stable Service', async () => {
    const c = await kubeconfigConnection(bed.k8s);
    const ns = await newNamespace(c, 'ingress');
    const ws = workspace();
    const manifest = writeManifest(ws, 'shop.yaml', deploymentManifest('shop', { replicas: 2, ports: [8080] }));
    const first = await runCore(bed.k8s, {
      workspace: ws,
      inputs: { image: image(1), services: 'shop', namespace: ns, manifest, route: 'ingress' },
    });
    expect(first.result.results[0]).toMatchObject({ live: null, target: 'blue', ready: true });
    // The color's own Service, for the Ingress backend, next to the preview.
    expect((await c.core.readNamespacedService({ name: 'shop-blue', namespace: ns })).spec?.selector).toEqual({
      app: 'shop',
      version: 'blue',
    });
    // A stable Service that says blue (and is never moved on this route), and the Ingress on blue.
    await setStable(c, ns, 'shop', 'blue');
    const backend = (name: string, port: { number?: number; name?: string } = { number: 8080 }) => ({ service: { name, port } });
    await c.networking.createNamespacedIngress({
      namespace: ns,
      body: {
        metadata: { name: 'shop' },
        spec: { rules: [{ http: { paths: [{ path: '/', pathType: 'Prefix', backend: backend('shop-blue') }] } }] },
      },
    });
    const toGreen = await runCore(bed.k8s, {
      inputs: { image: image(2), services: 'shop', namespace: ns, route: 'ingress', ingress: 'shop' },
    });
    expect(toGreen.result.results[0]).toMatchObject({ live: 'blue', target: 'green', ready: true });
    // bluegreen-switch moves the Ingress to green; the stable Service still says blue.
    const paths = (name: string, port?: { number?: number; name?: string }) => [
      { op: 'replace', path: '/spec/rules/0/http/paths/0/backend', value: backend(name, port) },
    ];
    await c.networking.patchNamespacedIngress(
      { name: 'shop', namespace: ns, body: paths('shop-green') },
      c.k8s.setHeaderOptions('Content-Type', 'application/json-patch+json'),
    );
    const greenBefore = await c.apps.readNamespacedDeployment({ name: 'shop-green', namespace: ns });
    const toBlue = await runCore(bed.k8s, { inputs: { image: image(3), services: 'shop', namespace: ns, route: 'ingress' } });
    expect(toBlue.result.results[0]).toMatchObject({ live: 'green', target: 'blue', ready: true });
    expect((await c.apps.readNamespacedDeployment({ name: 'shop-blue', namespace: ns })).spec?.template.spec?.containers[0]?.image).toBe(
      image(3),
    );
    expect((await c.apps.readNamespacedDeployment({ name: 'shop-green', namespace: ns })).metadata?.resourceVersion).toBe(
      greenBefore.metadata?.resourceVersion,
    );
    // A canary stopped half-way: both colors serve, neither may be overwritten.
    await c.networking.patchNamespacedIngress(
      {
        name: 'shop',
        namespace: ns,
        body: {
          metadata: {
            annotations: {
              'alb.ingress.kubernetes.io/actions.shop-canary': JSON.stringify({
                type: 'forward',
                forwardConfig: {
                  targetGroups: [
                    { serviceName: 'shop-green', servicePort: '8080', weight: 90 },
                    { serviceName: 'shop-blue', servicePort: '8080', weight: 10 },
                  ],
                },
              }),
            },
          },
        },
      },
      c.patchOptions('merge'),
    );
    await c.networking.patchNamespacedIngress(
      { name: 'shop', namespace: ns, body: paths('shop-canary', { name: 'use-annotation' }) },
      c.k8s.setHeaderOptions('Content-Type', 'application/json-patch+json'),
    );
    const blueBefore = await c.apps.readNamespacedDeployment({ name: 'shop-blue', namespace: ns });
    const refused = await runCore(bed.k8s, { inputs: { image: image(4), services: 'shop', namespace: ns, route: 'ingress' } }).catch(
      (e: unknown) => e,
    );
    expect((refused as Error).message).toMatch(
      /both colors of shop take traffic \(Ingress shop \*\/ \(canary action shop-canary\): blue 10, green 90\)/,
    );
    expect((await c.apps.readNamespacedDeployment({ name: 'shop-blue', namespace: ns })).metadata?.resourceVersion).toBe(
      blueBefore.metadata?.resourceVersion,
    );
  });

  it("applies the environment's ConfigMaps, Secrets, service account and IRSA role", async () => {
    const c = await kubeconfigConnection(bed.k8s);
    const ns = await newNamespace(c, 'refs');
    await c.core.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name: 'shop-config' }, data: { A: '1' } } });
    await c.core.createNamespacedSecret({ namespace: ns, body: { metadata: { name: 'shop-secrets' }, stringData: { B: '2' } } });
    const ws = workspace();
    const manifest = writeManifest(ws, 'shop.yaml', deploymentManifest('shop', { replicas: 1, ports: [8080] }));
    writeFileSync(
      join(ws, 'expeditor.yml'),
      [
        'app: shop',
        'image: { repository: registry.bed/shop }',
        'environments:',
        '  staging:',
        '    aws: { account: "222222222222", region: us-west-2, role: "arn:aws:iam::222222222222:role/deploy" }',
        `    eks: { cluster: unused, namespace: ${ns}, services: [shop], config-maps: [shop-config], secrets: [shop-secrets], service-account: shop-runtime, irsa-role: "arn:aws:iam::222222222222:role/shop-pods" }`,
        '',
      ].join('\n'),
    );
    // The kubeconfig input wins over the file's cluster; services and namespace come from the file.
    const { result } = await runCore(bed.k8s, {
      workspace: ws,
      inputs: { image: image(1), environment: 'staging', config: 'expeditor.yml', manifest, kubeconfig: bed.k8s.kubeconfig },
    });
    expect(result.results[0]).toMatchObject({ service: 'shop', namespace: ns, ready: true });
    const blue = await c.apps.readNamespacedDeployment({ name: 'shop-blue', namespace: ns });
    expect(blue.spec?.template.spec?.serviceAccountName).toBe('shop-runtime');
    expect(blue.spec?.template.spec?.containers[0]?.envFrom).toEqual([
      { configMapRef: { name: 'shop-config' } },
      { secretRef: { name: 'shop-secrets' } },
    ]);
    const sa = await c.core.readNamespacedServiceAccount({ name: 'shop-runtime', namespace: ns });
    expect(sa.metadata?.annotations?.['eks.amazonaws.com/role-arn']).toBe('arn:aws:iam::222222222222:role/shop-pods');
  });
});
