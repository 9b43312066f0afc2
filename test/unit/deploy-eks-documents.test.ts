// What deploy-eks does with each document of a manifest, decided before any request.
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { classifyDocuments, expandLists, type ClassifyOptions } from '../../actions/deploy-eks/src/documents.ts';
import type { ManifestDocument } from '../../actions/deploy-eks/src/manifest.ts';
import { ExpeditorError } from '../../packages/shared/src/errors.ts';
import { memoryLog } from '../../packages/shared/src/log.ts';
import { firstDeployWrites } from '../../actions/deploy-eks/src/manifest-apply.ts';
import type { DeployEksPlan } from '../../actions/deploy-eks/src/plan.ts';
import type { NamespaceView } from '../../actions/deploy-eks/src/read.ts';

const repository = '123456789012.dkr.ecr.us-west-2.amazonaws.com/cart';

function docs(text: string): ManifestDocument[] {
  return parseAllDocuments(text).map((d, i) => ({ object: d.toJS() as Record<string, unknown>, where: `k8s/all.yaml#${i + 1}` }));
}

function classify(text: string, over: Partial<ClassifyOptions> = {}) {
  const documents = expandLists(docs(text));
  const workloads = new Map(
    documents
      .filter((d) => d.object.kind === 'Deployment' && (d.object.metadata as { name: string }).name === 'cart')
      .map((d) => [d.object, 'cart'] as const),
  );
  return classifyDocuments(documents, {
    services: ['cart'],
    workloads,
    repositories: new Map([[repository, `${repository}@sha256:${'1'.repeat(64)}`]]),
    namespace: 'shop',
    route: 'service',
    colorLabel: 'version',
    origin: { input: 'manifest' },
    ...over,
  });
}

const deployment = (name: string, image: string) => `apiVersion: apps/v1
kind: Deployment
metadata: { name: ${name}, labels: { app: ${name} } }
spec:
  selector: { matchLabels: { app: ${name} } }
  template:
    metadata: { labels: { app: ${name} } }
    spec: { containers: [{ name: app, image: "${image}" }] }
`;

describe('classifyDocuments', () => {
  it('kustomize output: every document gets a disposition', () => {
    const out = classify(
      [
        'apiVersion: v1\nkind: ConfigMap\nmetadata: { name: cart-config-7h2g9k5m4t, namespace: shop }\ndata: { A: "1" }',
        'apiVersion: v1\nkind: Service\nmetadata: { name: cart, namespace: shop }\nspec: { selector: { app: cart }, ports: [{ port: 80 }] }',
        'apiVersion: v1\nkind: Service\nmetadata: { name: cart-preview }\nspec: { selector: { app: cart }, ports: [{ port: 80 }] }',
        deployment('cart', `${repository}:1.4.0`),
        'apiVersion: autoscaling/v2\nkind: HorizontalPodAutoscaler\nmetadata: { name: cart }\nspec: { scaleTargetRef: { apiVersion: apps/v1, kind: Deployment, name: cart }, minReplicas: 2, maxReplicas: 5 }',
        'apiVersion: policy/v1\nkind: PodDisruptionBudget\nmetadata: { name: cart }\nspec: { maxUnavailable: 1, selector: { matchLabels: { app: cart } } }',
        deployment('redis', 'redis:7'),
        'apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata: { name: cart }\nspec: { rules: [] }',
      ].join('\n---\n'),
    );
    expect(out.map((d) => [d.kind, d.name, d.disposition.kind])).toEqual([
      ['ConfigMap', 'cart-config-7h2g9k5m4t', 'apply'],
      ['Service', 'cart', 'stable-service'],
      ['Service', 'cart-preview', 'ours'],
      ['Deployment', 'cart', 'workload'],
      ['HorizontalPodAutoscaler', 'cart', 'per-color'],
      ['PodDisruptionBudget', 'cart', 'per-color'],
      // Another image: applied as it is, like any shared object.
      ['Deployment', 'redis', 'apply'],
      // On the service route an Ingress does not move, so it is applied like any shared object.
      ['Ingress', 'cart', 'apply'],
    ]);
  });

  it('with configured names: the stable Service of that name is never applied as it is, the preview of that name is ours', () => {
    const service = (name: string, selector: string) =>
      `apiVersion: v1\nkind: Service\nmetadata: { name: ${name} }\nspec: { selector: ${selector}, ports: [{ port: 80 }] }`;
    const out = classify(
      [
        // Its selector names blue: applied again, it would move live traffic back to blue.
        service('cart-svc', '{ app: cart, version: blue }'),
        service('cart-test', '{ app: cart, version: green }'),
        // The convention's names are nobody's now: a plain document of the team.
        service('cart', '{ app: billing }'),
        service('cart-preview', '{ app: billing }'),
        deployment('cart', `${repository}:1.4.0`),
      ].join('\n---\n'),
      { names: new Map([['cart', { service: 'cart', stable: 'cart-svc', preview: 'cart-test' }]]) },
    );
    expect(out.map((d) => [d.name, d.disposition.kind])).toEqual([
      ['cart-svc', 'stable-service'],
      ['cart-test', 'ours'],
      ['cart', 'apply'],
      ['cart-preview', 'apply'],
      ['cart', 'workload'],
    ]);
  });

  it('opens a kind: List (kubectl get -o yaml) and finds the image in a CronJob and its init containers', () => {
    const out = classify(`apiVersion: v1
kind: List
items:
  - apiVersion: batch/v1
    kind: CronJob
    metadata: { name: cart-cleanup }
    spec:
      schedule: "@daily"
      jobTemplate:
        spec:
          template:
            spec:
              initContainers: [{ name: wait, image: "${repository}:1.4.0" }]
              containers: [{ name: cleanup, image: "${repository}:1.4.0" }, { name: proxy, image: envoy:1.30 }]
`);
    expect(out).toEqual([
      expect.objectContaining({
        kind: 'CronJob',
        where: 'k8s/all.yaml#1 items[0]',
        disposition: { kind: 'apply', images: ['wait', 'cleanup'] },
      }),
    ]);
  });

  it.each([
    [
      'a document of another namespace',
      'apiVersion: v1\nkind: ConfigMap\nmetadata: { name: x, namespace: search }',
      /k8s\/all\.yaml#1: ConfigMap x is in namespace search, but this deploy goes to shop/,
    ],
    [
      'a Deployment of the image that is not a service of the call',
      deployment('cart-worker', `${repository}:1`),
      /Deployment cart-worker runs .*\/cart but is not one of the services deployed \(cart\)/,
    ],
    [
      'a DaemonSet of the image',
      deployment('cart-agent', `${repository}:1`).replace('kind: Deployment', 'kind: DaemonSet'),
      /DaemonSet cart-agent runs .*, and a DaemonSet cannot be brought up blue\/green/,
    ],
    ['a document without kind', 'metadata: { name: x }', /k8s\/all\.yaml#1: is not a Kubernetes object/],
    [
      'a cluster-wide kind',
      'apiVersion: storage.k8s.io/v1\nkind: StorageClass\nmetadata: { name: fast }',
      /StorageClass fast is cluster-wide/,
    ],
  ])('refuses %s, naming it', (_, text, message) => {
    let error: unknown;
    try {
      classify(text);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ExpeditorError);
    expect((error as Error).message).toMatch(message);
    expect(error).toMatchObject({ input: 'manifest' });
  });
});

describe('firstDeployWrites with configured names', () => {
  it('a first deploy creates the stable Service of its configured name on the target, and the Ingress backends to it go to the color Service', () => {
    const names = new Map([['cart', { service: 'cart', stable: 'cart-svc', preview: 'cart-test' }]]);
    const documents = classify(
      [
        'apiVersion: v1\nkind: Service\nmetadata: { name: cart-svc }\nspec: { selector: { app: cart }, ports: [{ port: 80 }] }',
        'apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata: { name: web }\nspec:\n  rules:\n  - http:\n      paths:\n      - { path: /, pathType: Prefix, backend: { service: { name: cart-svc, port: { number: 80 } } } }',
        deployment('cart', `${repository}:1.4.0`),
      ].join('\n---\n'),
      { names, route: 'ingress' },
    );
    const plan = { services: ['cart'], names, namespace: 'shop', colorLabel: 'version', documents } as unknown as DeployEksPlan;
    const view = { services: new Map(), ingresses: [] } as unknown as NamespaceView;
    const writes = firstDeployWrites(plan, view, new Map([['cart', 'blue']]), memoryLog());
    expect(writes.map((w) => w.line)).toEqual([
      'created Service cart-svc → version=blue (first deploy; k8s/all.yaml#1)',
      'created Ingress web, backends cart-svc → cart-blue (first deploy; k8s/all.yaml#2)',
    ]);
    // Once it exists, the stable Service is left to bluegreen-switch.
    const log = memoryLog();
    const existing = { ...view, services: new Map([['cart-svc', {}]]) } as unknown as NamespaceView;
    expect(firstDeployWrites(plan, existing, new Map([['cart', 'green']]), log).map((w) => w.document.name)).toEqual(['web']);
    expect(log.lines.join('\n')).toContain('Service cart-svc (k8s/all.yaml#1): exists, left as it is');
  });
});
