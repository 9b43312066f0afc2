// readManifests and deploymentFor: the Deployment of each service found in a file, a kustomize
// build's output or a directory, before any network call; what is wrong names the input.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { deploymentFor, readManifests } from '../../actions/deploy-eks/src/manifest.ts';
import { ecr, thrown } from './eks-fixtures.ts';

const root = mkdtempSync(join(tmpdir(), 'deploy-eks-manifest-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const origin = { input: 'manifest' };

function ws(files: Record<string, string>): string {
  const dir = mkdtempSync(join(root, 'ws-'));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(dir, path, '..'), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return dir;
}

const deployment = (name: string, app = name, extra = '') => `apiVersion: apps/v1
kind: Deployment
metadata:
  labels:
    app: ${app}
  name: ${name}
spec:
  selector:
    matchLabels:
      app: ${app}
  template:
    metadata:
      labels:
        app: ${app}
    spec:
      containers:
      - image: ${ecr}/${app}:latest
        name: ${app}${extra}
`;

// `kustomize build k8s/overlays/prod`: kinds in kustomize's order, names with the overlay's suffix
// and hash, so the Deployment is found by its app label.
const kustomized = `apiVersion: v1
kind: Namespace
metadata:
  name: prod
---
apiVersion: v1
data:
  LOG_LEVEL: info
kind: ConfigMap
metadata:
  labels:
    app: shop
  name: shop-config-prod-7g2h9kt5bc
  namespace: prod
---
apiVersion: v1
kind: Service
metadata:
  labels:
    app: shop
  name: shop-prod
  namespace: prod
spec:
  ports:
  - name: http
    port: 80
    targetPort: 8080
  selector:
    app: shop
    version: blue
---
apiVersion: apps/v1
kind: Deployment
metadata:
  labels:
    app: shop
  name: shop-prod
  namespace: prod
spec:
  replicas: 3
  selector:
    matchLabels:
      app: shop
  template:
    metadata:
      labels:
        app: shop
    spec:
      containers:
      - envFrom:
        - configMapRef:
            name: shop-config-prod-7g2h9kt5bc
        image: ${ecr}/shop:latest
        name: shop
        ports:
        - containerPort: 8080
          name: http
---
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata:
  labels:
    app: shop
  name: shop-prod
  namespace: prod
spec:
  maxReplicas: 10
  minReplicas: 3
  scaleTargetRef:
    apiVersion: apps/v1
    kind: Deployment
    name: shop-prod
`;

describe('readManifests', () => {
  it.each([
    ['a single document', { 'k8s/shop.yaml': deployment('shop') }, 'k8s/shop.yaml', [['Deployment', 'k8s/shop.yaml']]],
    [
      'several documents, empty ones skipped',
      { 'k8s/all.yaml': `---\n${deployment('shop')}---\n# nothing here\n---\n${deployment('cart')}` },
      'k8s/all.yaml',
      [
        ['Deployment', 'k8s/all.yaml#1'],
        ['Deployment', 'k8s/all.yaml#3'],
      ],
    ],
    [
      'a kustomize build',
      { 'out/prod.yaml': kustomized },
      'out/prod.yaml',
      [
        ['Namespace', 'out/prod.yaml#1'],
        ['ConfigMap', 'out/prod.yaml#2'],
        ['Service', 'out/prod.yaml#3'],
        ['Deployment', 'out/prod.yaml#4'],
        ['HorizontalPodAutoscaler', 'out/prod.yaml#5'],
      ],
    ],
    [
      'a directory: .yaml, .yml and .json in name order, other files and subdirectories left out',
      {
        'k8s/b-shop.yml': deployment('shop'),
        'k8s/a-cart.json': JSON.stringify({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'cart' } }),
        'k8s/c-svc.yaml': 'apiVersion: v1\nkind: Service\nmetadata:\n  name: shop\n',
        'k8s/README.md': '# not a manifest',
        'k8s/base/kustomization.yaml': 'resources: []\n',
      },
      'k8s',
      [
        ['Deployment', 'k8s/a-cart.json'],
        ['Deployment', 'k8s/b-shop.yml'],
        ['Service', 'k8s/c-svc.yaml'],
      ],
    ],
  ])('%s', (_, files, path, expected) => {
    const docs = readManifests(ws(files), path, origin);
    expect(docs.map((d) => [d.object.kind, d.where])).toEqual(expected);
  });

  it.each([
    ['a path that does not exist', {}, 'k8s/shop.yaml', /input 'manifest': k8s\/shop\.yaml does not exist in the workspace/],
    ['a directory without manifests', { 'k8s/README.md': 'x' }, 'k8s', /k8s holds no \.yaml, \.yml or \.json file/],
    [
      'broken YAML, with its line',
      { 'k8s/shop.yaml': 'kind: Deployment\nmetadata:\n  name: [shop\n' },
      'k8s/shop.yaml',
      /k8s\/shop\.yaml:\d+: /,
    ],
    [
      'a document that is a list',
      { 'k8s/shop.yaml': '- kind: Deployment\n' },
      'k8s/shop.yaml',
      /k8s\/shop\.yaml is not a Kubernetes object/,
    ],
    [
      'a scalar second document',
      { 'k8s/shop.yaml': `${deployment('shop')}---\njust text\n` },
      'k8s/shop.yaml',
      /k8s\/shop\.yaml#2 is not a Kubernetes object/,
    ],
  ])('%s is an error naming the input', (_, files, path, message) => {
    const error = thrown(() => readManifests(ws(files), path, origin));
    expect(error.input).toBe('manifest');
    expect(error.message).toMatch(message);
    expect(error.unchanged).toBe('nothing was changed');
  });
});

describe('deploymentFor', () => {
  const docs = (files: Record<string, string>, path: string) => readManifests(ws(files), path, origin);
  const all = `${deployment('cart')}---\n${deployment('shop-green', 'shop')}---\n${deployment('web', 'shop')}---\n${deployment('orders-v2', 'orders')}`;

  it.each([
    ['by name', `${deployment('cart')}---\n${deployment('shop')}`, 'shop', 2, 'shop', 'k8s/app.yaml#2'],
    ['by <service>-<color> name before the app label', all, 'shop', 3, 'shop-green', 'k8s/app.yaml#2'],
    ['by the app label', all, 'orders', 3, 'orders-v2', 'k8s/app.yaml#4'],
    ['the only Deployment of a one-service run, whatever its name', deployment('frontend'), 'shop', 1, 'frontend', 'k8s/app.yaml'],
  ])('%s', (_, text, service, count, name, where) => {
    const found = deploymentFor(docs({ 'k8s/app.yaml': text }, 'k8s/app.yaml'), service, count, 'k8s/app.yaml', origin);
    expect([found.deployment.metadata?.name, found.where]).toEqual([name, where]);
  });

  it('finds the Deployment of a kustomize build by its app label, and hands back a copy', () => {
    const documents = docs({ 'out/prod.yaml': kustomized }, 'out/prod.yaml');
    const found = deploymentFor(documents, 'shop', 2, 'out/prod.yaml', origin);
    expect(found.where).toBe('out/prod.yaml#4');
    expect(found.deployment.spec?.template.spec?.containers[0]?.envFrom).toEqual([
      { configMapRef: { name: 'shop-config-prod-7g2h9kt5bc' } },
    ]);
    found.deployment.spec!.replicas = 99;
    expect((documents[3]?.object.spec as { replicas?: number } | undefined)?.replicas).toBe(3);
  });

  it.each([
    [
      'no Deployment',
      'apiVersion: v1\nkind: Service\nmetadata:\n  name: shop\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n',
      'shop',
      1,
      /has no Deployment \(found: Service, ConfigMap\)/,
    ],
    [
      'none for the service among several',
      `${deployment('cart')}---\n${deployment('web')}`,
      'shop',
      2,
      /has no Deployment for service shop \(have: cart, web\)/,
    ],
    [
      'the only Deployment of a two-service run is not taken for another',
      deployment('cart'),
      'shop',
      2,
      /has no Deployment for service shop \(have: cart\)/,
    ],
    [
      'extensions/v1beta1',
      deployment('shop').replace('apps/v1', 'extensions/v1beta1'),
      'shop',
      1,
      /Deployment shop has apiVersion "extensions\/v1beta1", expected apps\/v1/,
    ],
    [
      'no containers',
      'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: shop\nspec:\n  template:\n    spec: {}\n',
      'shop',
      1,
      /k8s\/app\.yaml: Deployment shop has no spec\.template\.spec\.containers/,
    ],
  ])('%s is an error naming the input', (_, text, service, count, message) => {
    const error = thrown(() => deploymentFor(docs({ 'k8s/app.yaml': text }, 'k8s/app.yaml'), service, count, 'k8s/app.yaml', origin));
    expect(error.input).toBe('manifest');
    expect(error.message).toMatch(message);
  });
});
