// The objects deploy-eks writes for the target color, from a template as kubectl prints the live
// color's Deployment: the container by repository, labels, selector, refs, IRSA account, the HPA
// copy and the color's Services.
import type { V1Deployment } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import type { EnvironmentRefs } from '../../actions/deploy-eks/src/plan.ts';
import { buildColorService, buildTargetDeployment, copyHpa, type TargetSpec } from '../../actions/deploy-eks/src/target.ts';
import { colorService, ecr, liveDeployment, liveHpa, stableService, thrown } from './eks-fixtures.ts';

const newImage = `${ecr}/shop@sha256:${'c'.repeat(64)}`;
const noRefs: EnvironmentRefs = { configMaps: [], secrets: [], serviceAccount: undefined, irsaRole: undefined, key: undefined };
const stamp = { 'expeditor.dev/image': newImage, 'expeditor.dev/deployed-at': '2025-12-01T09:00:00.000Z' };

function spec(over: Partial<TargetSpec> = {}): TargetSpec {
  return {
    service: 'shop',
    namespace: 'prod',
    color: 'green',
    colorLabel: 'version',
    image: newImage,
    repository: `${ecr}/shop`,
    container: undefined,
    replicas: 4,
    refs: noRefs,
    stamp,
    ...over,
  };
}

const containers = (d: V1Deployment) => d.spec?.template.spec?.containers.map((c) => [c.name, c.image]);

describe('buildTargetDeployment', () => {
  it('names, labels and selects the target color; image, replicas and annotations of this run', () => {
    const d = buildTargetDeployment(liveDeployment('blue', 3), spec());
    expect(d.metadata).toEqual({
      name: 'shop-green',
      namespace: 'prod',
      labels: { app: 'shop', tier: 'web', version: 'green', 'expeditor.dev/service': 'shop' },
      // The server's and last run's annotations are dropped, the team's are kept.
      annotations: { 'team.example.com/owner': 'payments', ...stamp },
    });
    expect(d.spec?.replicas).toBe(4);
    expect(d.spec?.selector).toEqual({ matchLabels: { app: 'shop', version: 'green' } });
    expect(d.spec?.template.metadata).toEqual({
      annotations: { 'prometheus.io/scrape': 'true' },
      labels: { app: 'shop', tier: 'web', version: 'green', 'expeditor.dev/service': 'shop' },
    });
    expect(containers(d)).toEqual([
      ['shop', newImage],
      ['log-router', 'public.ecr.aws/aws-observability/aws-for-fluent-bit:2.32.0'],
    ]);
    expect(d.spec?.strategy?.type).toBe('RollingUpdate');
    expect(d).not.toHaveProperty('status');
  });

  it('keeps the user’s labels and selector terms: only the color is added (an app label naming something else stays)', () => {
    const template = liveDeployment('blue', 3);
    template.spec!.selector = { matchLabels: { app: 'demo-app', version: 'blue' } };
    template.spec!.template.metadata!.labels = { app: 'demo-app', tier: 'web', version: 'blue' };
    const d = buildTargetDeployment(template, spec());
    expect(d.spec?.selector).toEqual({ matchLabels: { app: 'demo-app', version: 'green' } });
    expect(d.spec?.template.metadata?.labels).toEqual({ app: 'demo-app', tier: 'web', version: 'green', 'expeditor.dev/service': 'shop' });
  });

  it('leaves its template alone', () => {
    const template = liveDeployment('blue');
    const before = structuredClone(template);
    buildTargetDeployment(template, spec({ refs: { ...noRefs, configMaps: ['shop-config'] } }));
    expect(template).toEqual(before);
  });

  it.each([
    [
      'by repository among several',
      undefined,
      [
        ['shop', newImage],
        ['log-router', 'public.ecr.aws/aws-observability/aws-for-fluent-bit:2.32.0'],
      ],
    ],
    [
      'by the container input',
      'log-router',
      [
        ['shop', `${ecr}/shop@sha256:${'a'.repeat(64)}`],
        ['log-router', newImage],
      ],
    ],
  ])('the container: %s', (_, container, expected) => {
    expect(containers(buildTargetDeployment(liveDeployment(), spec({ container })))).toEqual(expected);
  });

  it('a single container of another repository keeps its image unless the container input names it', () => {
    const template = liveDeployment();
    template.spec!.template.spec!.containers = [{ name: 'web', image: 'nginx:1.27' }];
    const error = thrown(() => buildTargetDeployment(template, spec()));
    expect(error.input).toBe('container');
    expect(error.message).toMatch(/the only container of shop's Deployment template \(web\) runs nginx:1\.27, not .*: refusing/);
    expect(containers(buildTargetDeployment(template, spec({ container: 'web' })))).toEqual([['web', newImage]]);
  });

  it.each([
    ['a container input the template lacks', { container: 'api' }, [], /has no container "api" \(have: shop, log-router\)/],
    [
      'several containers, none of the repository',
      { repository: `${ecr}/cart` },
      [],
      /has 2 containers and none runs .*\/cart: which one gets the new image\?/,
    ],
    [
      'several containers of the repository',
      {},
      [{ name: 'shop-worker', image: `${ecr}/shop:worker` }],
      /has 3 containers and several run .*\/shop/,
    ],
  ])('%s is an error naming the container input', (_, over, extra, message) => {
    const template = liveDeployment();
    template.spec!.template.spec!.containers.push(...extra);
    const error = thrown(() => buildTargetDeployment(template, spec(over)));
    expect(error.input).toBe('container');
    expect(error.message).toMatch(message);
  });

  it('adds the environment’s ConfigMaps and Secrets to every container, once', () => {
    const template = liveDeployment();
    template.spec!.template.spec!.containers[0]!.envFrom = [{ configMapRef: { name: 'shop-config' } }];
    const d = buildTargetDeployment(template, spec({ refs: { ...noRefs, configMaps: ['shop-config', 'shared'], secrets: ['shop-db'] } }));
    expect(d.spec?.template.spec?.containers.map((c) => c.envFrom)).toEqual([
      [{ configMapRef: { name: 'shop-config' } }, { configMapRef: { name: 'shared' } }, { secretRef: { name: 'shop-db' } }],
      [{ configMapRef: { name: 'shop-config' } }, { configMapRef: { name: 'shared' } }, { secretRef: { name: 'shop-db' } }],
    ]);
    expect(buildTargetDeployment(liveDeployment(), spec()).spec?.template.spec?.containers[0]).not.toHaveProperty('envFrom');
  });

  it.each([
    ['no IRSA, no account', noRefs, undefined, undefined],
    ['the environment’s account', { ...noRefs, serviceAccount: 'shop-runtime' }, 'default', 'shop-runtime'],
    ['IRSA without an account: one named after the service', { ...noRefs, irsaRole: 'arn:aws:iam::1:role/r' }, undefined, 'shop'],
    ['IRSA keeps the template’s account', { ...noRefs, irsaRole: 'arn:aws:iam::1:role/r' }, 'shop-sa', 'shop-sa'],
    [
      'the environment’s account wins over the template’s',
      { ...noRefs, serviceAccount: 'shop-runtime', irsaRole: 'arn:aws:iam::1:role/r' },
      'shop-sa',
      'shop-runtime',
    ],
  ])('service account: %s', (_, refs, inTemplate, expected) => {
    const template = liveDeployment();
    if (inTemplate) template.spec!.template.spec!.serviceAccountName = inTemplate;
    expect(buildTargetDeployment(template, spec({ refs })).spec?.template.spec?.serviceAccountName).toBe(expected);
  });

  it.each([
    ['a manifest with only app in its selector', { app: 'shop' }, { app: 'shop', version: 'green' }],
    ['a template selecting the other color', { app: 'shop', version: 'blue' }, { app: 'shop', version: 'green' }],
    ['extra selector labels kept', { app: 'shop', tier: 'web' }, { app: 'shop', tier: 'web', version: 'green' }],
  ])('selector from %s', (_, matchLabels, expected) => {
    const template = liveDeployment();
    template.spec!.selector = { matchLabels };
    expect(buildTargetDeployment(template, spec()).spec?.selector.matchLabels).toEqual(expected);
  });

  it('a pod-template-hash label of a copied template is dropped; another color label key is used', () => {
    const template = liveDeployment();
    template.spec!.template.metadata!.labels!['pod-template-hash'] = '5d8f7c9b6';
    const d = buildTargetDeployment(template, spec({ colorLabel: 'track' }));
    expect(d.spec?.template.metadata?.labels).toEqual({
      app: 'shop',
      tier: 'web',
      version: 'blue',
      track: 'green',
      'expeditor.dev/service': 'shop',
    });
    expect(d.spec?.selector.matchLabels).toEqual({ app: 'shop', version: 'blue', track: 'green' });
  });
});

describe('copyHpa', () => {
  it('keeps bounds and metrics, aims at the target Deployment, drops status and server fields', () => {
    const hpa = copyHpa(liveHpa('blue'), { service: 'shop', namespace: 'prod', color: 'green', colorLabel: 'version', stamp });
    expect(hpa).toEqual({
      apiVersion: 'autoscaling/v2',
      kind: 'HorizontalPodAutoscaler',
      metadata: {
        name: 'shop-green',
        namespace: 'prod',
        labels: { app: 'shop', version: 'green', 'expeditor.dev/service': 'shop' },
        annotations: stamp,
      },
      spec: {
        minReplicas: 2,
        maxReplicas: 10,
        metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 70 } } }],
        scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'shop-green' },
      },
    });
  });
});

describe('buildColorService', () => {
  const deployment = buildTargetDeployment(liveDeployment('blue'), spec());
  const base = { service: 'shop', namespace: 'prod', color: 'green' as const, colorLabel: 'version', deployment, stamp };

  it('the preview Service: the stable Service’s selector and ports on the target color, and both colors noted', () => {
    const preview = buildColorService({ ...base, live: 'blue', stable: stableService('blue') });
    expect(preview).toEqual({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: {
        name: 'shop-preview',
        namespace: 'prod',
        labels: { 'expeditor.dev/service': 'shop', 'expeditor.dev/role': 'preview' },
        annotations: { ...stamp, 'expeditor.dev/target-color': 'green', 'expeditor.dev/live-color': 'blue' },
      },
      spec: {
        type: 'ClusterIP',
        selector: { app: 'shop', version: 'green' },
        ports: [{ name: 'http', port: 80, targetPort: 'http', protocol: 'TCP' }],
      },
    });
  });

  it.each([
    [
      'a first deploy: ports from the containers',
      undefined,
      undefined,
      { ports: [{ name: 'http', port: 8080, targetPort: 8080, protocol: 'TCP' }] },
    ],
    [
      'the Ingress route: the live color Service’s ports',
      'blue' as const,
      colorService('shop-blue', 'blue'),
      { ports: [{ name: 'http', port: 80, targetPort: 8080, protocol: 'TCP' }] },
    ],
  ])('%s', (_, live, stable, expected) => {
    const preview = buildColorService({ ...base, live, stable });
    expect(preview.spec).toMatchObject({ type: 'ClusterIP', selector: { app: 'shop', version: 'green' }, ...expected });
    expect(preview.metadata?.annotations?.['expeditor.dev/live-color']).toBe(live ?? '');
  });

  it('without any port known the preview is headless', () => {
    const bare = structuredClone(deployment);
    for (const c of bare.spec?.template.spec?.containers ?? []) delete c.ports;
    expect(buildColorService({ ...base, deployment: bare, live: undefined, stable: undefined }).spec).toEqual({
      type: 'ClusterIP',
      selector: { app: 'shop', version: 'green' },
      clusterIP: 'None',
    });
  });

  it('the color’s own Service (Ingress route) carries no preview annotations', () => {
    const own = buildColorService(
      { ...base, live: 'blue', stable: colorService('shop-blue', 'blue') },
      { name: 'shop-green', role: 'color' },
    );
    expect(own.metadata).toEqual({
      name: 'shop-green',
      namespace: 'prod',
      labels: { 'expeditor.dev/service': 'shop', 'expeditor.dev/role': 'color' },
      annotations: stamp,
    });
    expect(own.spec?.selector).toEqual({ app: 'shop', version: 'green' });
  });
});
