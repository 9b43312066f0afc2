// prepare: one service's bring-up decided from the namespace view, without a request — live color,
// template, replicas (HPA bounds), IRSA account, the versions of objects an earlier run left.
import type { V1Deployment, V1Service } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { memoryLog } from '@expeditor/shared/log';
import { Settings } from '@expeditor/shared/settings';
import type { DeployEksPlan } from '../../actions/deploy-eks/src/plan.ts';
import { prepare } from '../../actions/deploy-eks/src/prepare.ts';
import type { NamespaceView } from '../../actions/deploy-eks/src/read.ts';
import { colorService, ecr, liveDeployment, liveHpa, shopIngress, stableService, thrown } from './eks-fixtures.ts';

const newImage = `${ecr}/shop@sha256:${'c'.repeat(64)}`;
const stamp = { 'expeditor.dev/image': newImage };
const role = 'arn:aws:iam::222222222222:role/shop-pods';

function plan(over: Partial<DeployEksPlan> = {}): DeployEksPlan {
  return {
    image: newImage,
    repository: `${ecr}/shop`,
    images: { shop: newImage },
    byDigest: true,
    environment: 'prod',
    services: ['shop'],
    names: new Map(),
    namespace: 'prod',
    namespaceOrigin: { key: 'environments.prod.eks.namespace' },
    colorLabel: 'version',
    route: 'service',
    strategy: 'blue-green',
    ingress: undefined,
    ingressOrigin: { key: 'environments.prod.eks.ingress' },
    connect: { kind: 'eks', cluster: 'prod', region: 'us-west-2', stsEndpoint: undefined, origin: {} },
    manifests: undefined,
    manifestOrigin: { input: 'manifest' },
    documents: [],
    container: undefined,
    refs: { configMaps: [], secrets: [], serviceAccount: undefined, irsaRole: undefined, key: 'environments.prod.eks' },
    timeoutMs: 600_000,
    settings: new Settings(),
    warnings: [],
    source: { sha: 'c0ffee', runUrl: '' },
    ...over,
  };
}

const byName = <T extends { metadata?: { name?: string } }>(...items: T[]) => new Map(items.map((i) => [i.metadata?.name ?? '', i]));

function view(over: Partial<NamespaceView> = {}): NamespaceView {
  return {
    services: byName(stableService('blue')),
    deployments: byName(liveDeployment('blue', 3)),
    hpas: [],
    serviceAccounts: new Map(),
    ingresses: [],
    namespaceExists: true,
    ...over,
  };
}

const manifestOf = (name: string, replicas: number): { deployment: V1Deployment; where: string } => {
  const deployment = liveDeployment('blue', replicas);
  deployment.metadata = { name, labels: { app: 'shop' } };
  delete deployment.status;
  return { deployment, where: 'k8s/shop.yaml' };
};

function prepared(v: NamespaceView, p: DeployEksPlan) {
  const log = memoryLog();
  return { ...prepare(v, p, 'shop', log, stamp), lines: log.lines };
}

describe('prepare: colors and template', () => {
  it.each([
    ['blue live → green from the live Deployment', view(), plan(), 'blue', 'green', 'Deployment shop-blue (live)', 3],
    [
      'green live → blue',
      view({ services: byName(stableService('green')), deployments: byName(liveDeployment('green', 2)) }),
      plan(),
      'green',
      'blue',
      'Deployment shop-green (live)',
      2,
    ],
    [
      'first deploy from the manifest → blue',
      view({ services: new Map(), deployments: new Map() }),
      plan({ manifests: new Map([['shop', manifestOf('shop', 5)]]) }),
      undefined,
      'blue',
      'k8s/shop.yaml',
      5,
    ],
    [
      'the manifest wins over the live Deployment, its replicas too',
      view(),
      plan({ manifests: new Map([['shop', manifestOf('shop', 5)]]) }),
      'blue',
      'green',
      'k8s/shop.yaml',
      5,
    ],
    [
      'Ingress route: the Ingress says green although the stable Service says blue',
      view({ ingresses: [shopIngress('green')], deployments: byName(liveDeployment('green', 2)) }),
      plan({ route: 'ingress' }),
      'green',
      'blue',
      'Deployment shop-green (live)',
      2,
    ],
  ])('%s', (_, v, p, live, target, from, replicas) => {
    const r = prepared(v, p);
    expect([r.live, r.target, r.templateFrom, r.deployment.metadata?.name, r.deployment.spec?.replicas]).toEqual([
      live,
      target,
      from,
      `shop-${target}`,
      replicas,
    ]);
    expect(r.preview.spec?.selector).toEqual({ app: 'shop', version: target });
    expect(r.preview.metadata?.annotations?.['expeditor.dev/live-color']).toBe(live ?? '');
  });

  it.each([
    [
      'a stable Service without the color label',
      view({ services: byName(stableService(null)) }),
      plan(),
      'services',
      /Service prod\/shop is not set up for blue\/green: its selector \{"app":"shop"\} has no version=blue\|green/,
    ],
    [
      'a stable Service on another color',
      view({ services: byName(stableService('red')) }),
      plan(),
      'services',
      /has no version=blue\|green/,
    ],
    [
      'a live color without its Deployment',
      view({ deployments: new Map() }),
      plan(),
      'services',
      /Deployment prod\/shop-blue does not exist, but Service shop sends traffic to version=blue/,
    ],
    [
      'a first deploy without manifest',
      view({ services: new Map(), deployments: new Map() }),
      plan(),
      'manifest',
      /first deploy of shop in prod \(no Service shop yet\) needs a Deployment manifest/,
    ],
  ])('%s is an error before any write', (_, v, p, input, message) => {
    const error = thrown(() => prepared(v, p));
    expect(error.input).toBe(input);
    expect(error.message).toMatch(message);
  });
});

describe('prepare: the HPA and replicas', () => {
  it.each([
    ['by convention name, at its current replicas', [liveHpa('blue', 5)], 5],
    ['clamped to the minimum', [liveHpa('blue', 1)], 2],
    ['clamped to the maximum', [liveHpa('blue', 40)], 10],
    ['any HPA aiming at the live Deployment', [{ ...liveHpa('blue', 6), metadata: { name: 'shop-autoscaler' } }], 6],
  ])('copies the live HPA %s', (_, hpas, replicas) => {
    const r = prepared(view({ hpas }), plan());
    expect(r.hpa?.metadata?.name).toBe('shop-green');
    expect(r.hpa?.spec?.scaleTargetRef.name).toBe('shop-green');
    expect(r.deployment.spec?.replicas).toBe(replicas);
  });

  it('an HPA of the other service or of the idle color is not copied', () => {
    const other = liveHpa('blue');
    other.metadata!.name = 'cart-blue';
    other.spec!.scaleTargetRef.name = 'cart-blue';
    const r = prepared(view({ hpas: [other, liveHpa('green')] }), plan());
    expect(r.hpa).toBeUndefined();
    expect(r.deployment.spec?.replicas).toBe(3);
  });
});

describe('prepare: IRSA ServiceAccount', () => {
  const irsa = plan({ refs: { configMaps: [], secrets: [], serviceAccount: undefined, irsaRole: role, key: 'environments.prod.eks' } });

  it('creates a missing account with the role', () => {
    const r = prepared(view({ serviceAccounts: new Map([['shop', undefined]]) }), irsa);
    expect(r.serviceAccount).toEqual({
      apiVersion: 'v1',
      kind: 'ServiceAccount',
      metadata: { name: 'shop', namespace: 'prod', annotations: { 'eks.amazonaws.com/role-arn': role } },
    });
  });

  it.each([
    ['the same role: nothing to say', role, []],
    [
      'another role: left alone, with a warning naming the key',
      'arn:aws:iam::222222222222:role/old',
      [
        'warning (environments.prod.eks.irsa-role): ServiceAccount prod/shop has eks.amazonaws.com/role-arn=arn:aws:iam::222222222222:role/old, the environment says arn:aws:iam::222222222222:role/shop-pods; left as it is because the live color uses it too',
      ],
    ],
  ])('an existing account with %s', (_, existingRole, warnings) => {
    const account = { metadata: { name: 'shop', annotations: { 'eks.amazonaws.com/role-arn': existingRole } } };
    const r = prepared(view({ serviceAccounts: new Map([['shop', account]]) }), irsa);
    expect(r.serviceAccount).toBeUndefined();
    expect(r.lines.filter((l) => l.startsWith('warning'))).toEqual(warnings);
  });
});

describe('prepare: what an earlier run left', () => {
  it('notes the versions (and cluster IPs) of the idle color’s objects to replace', () => {
    const idle = liveDeployment('green');
    const preview = colorService('shop-preview', 'green', '700');
    const r = prepared(
      view({
        deployments: byName(liveDeployment('blue'), idle),
        services: byName(stableService('blue'), preview),
        hpas: [liveHpa('blue'), liveHpa('green')],
      }),
      plan(),
    );
    expect(Object.fromEntries(r.existing)).toEqual({
      'Deployment/shop-green': { resourceVersion: '918273', clusterIP: undefined, clusterIPs: undefined },
      'Service/shop-preview': { resourceVersion: '700', clusterIP: '10.100.80.9', clusterIPs: ['10.100.80.9'] },
      'HorizontalPodAutoscaler/shop-green': { resourceVersion: '918350', clusterIP: undefined, clusterIPs: undefined },
    });
  });

  it('on the Ingress route also the color’s own Service, with ports from the live color’s Service', () => {
    const v = view({
      services: byName(colorService('shop-blue', 'blue'), colorService('shop-green', 'green', '555')),
      ingresses: [shopIngress('blue')],
    });
    const r = prepared(v, plan({ route: 'ingress' }));
    expect(r.colorService?.metadata?.name).toBe('shop-green');
    expect(r.colorService?.spec?.ports).toEqual([{ name: 'http', port: 80, targetPort: 8080, protocol: 'TCP' }]);
    expect(r.existing.get('Service/shop-green')?.resourceVersion).toBe('555');
    expect(r.existing.has('Service/shop-preview')).toBe(false);
  });
});

describe('prepare: live traffic is never rewritten', () => {
  const teamService = (name: string, selector: Record<string, string>): V1Service => ({
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, namespace: 'prod' },
    spec: { selector, ports: [{ port: 80 }] },
  });

  it('adopts a blue/green made by hand: shop-blue behind the team’s Service shop-web is live, so green is brought up', () => {
    const v = view({ services: byName(teamService('shop-web', { app: 'shop', version: 'blue' })) });
    const r = prepared(v, plan());
    expect([r.live, r.target, r.deployment.metadata?.name]).toEqual(['blue', 'green', 'shop-green']);
    expect(r.lines.join('\n')).toContain('no Service shop, but Service shop-web sends traffic to shop-blue: blue is live');
  });

  it('refuses when a Service of the team would select the new pods without the color (it would take traffic before any switch)', () => {
    const v = view({ services: byName(stableService('blue'), teamService('shop-metrics', { app: 'shop' })) });
    const error = thrown(() => prepared(v, plan()));
    expect(error.message).toBe(
      "Service shop-metrics would send traffic to green's new pods at once (its selector app=shop has no version), before any switch",
    );
    expect(error).toMatchObject({ input: 'services', unchanged: 'nothing was changed' });
  });

  // Configured names (stable-service / preview-service, or an eks.services entry).
  const named = (stable: string, preview: string) => plan({ names: new Map([['shop', { service: 'shop', stable, preview }]]) });

  it('reads the live color from the configured stable Service and writes the preview under its configured name', () => {
    const v = view({
      services: byName(teamService('shop-web', { app: 'shop', version: 'green' })),
      deployments: byName(liveDeployment('green', 3)),
    });
    const r = prepared(v, named('shop-web', 'shop-test'));
    expect([r.live, r.target, r.stable?.metadata?.name]).toEqual(['green', 'blue', 'shop-web']);
    expect(r.preview.metadata?.name).toBe('shop-test');
    expect(r.preview.spec?.selector).toEqual({ app: 'shop', version: 'blue' });
    expect(r.names).toEqual({ service: 'shop', stable: 'shop-web', preview: 'shop-test' });
  });

  it('a team Service already on the target color is refused, unless it is the configured preview', () => {
    const v = view({
      services: byName(
        teamService('shop-web', { app: 'shop', version: 'blue' }),
        teamService('shop-test', { app: 'shop', version: 'green' }),
      ),
    });
    const error = thrown(() => prepared(v, named('shop-web', 'shop-preview')));
    expect(error.message).toBe(
      "Service shop-test would send traffic to green's new pods at once (its selector app=shop,version=green is on green already), before any switch",
    );
    expect(error.next).toMatch(/make it the preview Service \(preview-service: shop-test/);
    const r = prepared(v, named('shop-web', 'shop-test'));
    expect([r.live, r.target, r.preview.metadata?.name]).toEqual(['blue', 'green', 'shop-test']);
  });

  it('a configured stable Service without the color label names the input that configured it', () => {
    const v = view({ services: byName(teamService('shop-web', { app: 'shop' })) });
    const error = thrown(() => prepared(v, named('shop-web', 'shop-preview')));
    expect(error.message).toMatch(/^Service prod\/shop-web is not set up for blue\/green/);
    expect(error.input).toBe('stable-service');
  });

  it('refuses when hand-made Services send traffic to both colors', () => {
    const v = view({
      services: byName(teamService('shop-a', { app: 'shop', version: 'blue' }), teamService('shop-b', { app: 'shop', version: 'green' })),
      deployments: byName(liveDeployment('blue', 2), liveDeployment('green', 2)),
    });
    expect(thrown(() => prepared(v, plan())).message).toMatch(
      /both shop-blue and shop-green take traffic .*: no color is idle to deploy to/,
    );
  });
});
