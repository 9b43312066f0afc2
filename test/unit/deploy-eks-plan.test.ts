// planDeployEks: explicit inputs over the environment file, where each value came from, how to
// connect, and the manifests read before any network call — in a temporary workspace.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { KubeRunnerContext } from '@expeditor/kube/runner';
import type { DeployEksInputs } from '../../actions/deploy-eks/src/inputs.ts';
import { planDeployEks } from '../../actions/deploy-eks/src/plan.ts';
import { ecr, thrown } from './eks-fixtures.ts';
import { deployEksInputs } from './eks-inputs.ts';

const root = mkdtempSync(join(tmpdir(), 'deploy-eks-plan-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const environmentFile = `# yaml-language-server: $schema=../schema/expeditor.schema.json
app: shop
image: { repository: ${ecr}/shop }
environments:
  dev:
    aws: { account: "111111111111", region: us-west-2, role: "arn:aws:iam::111111111111:role/deploy-dev" }
    ecs: { cluster: dev-cluster, service: shop }
  staging:
    aws: { account: "222222222222", region: eu-west-1, role: "arn:aws:iam::222222222222:role/deploy" }
    eks:
      cluster: shop-staging
      namespace: staging
      services: [shop, cart]
      color-label: track
      route: ingress
      ingress: web
      config-maps: [shop-config]
      secrets: [shop-db]
      service-account: shop-runtime
      irsa-role: "arn:aws:iam::222222222222:role/shop-pods"
  qa:
    aws: { account: "444444444444", region: us-east-2, role: "arn:aws:iam::444444444444:role/deploy" }
`;

const manifest = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: shop
  labels: { app: shop }
spec:
  replicas: 2
  selector: { matchLabels: { app: shop } }
  template:
    metadata: { labels: { app: shop } }
    spec:
      containers:
      - name: shop
        image: ${ecr}/shop:latest
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: cart
  labels: { app: cart }
spec:
  selector: { matchLabels: { app: cart } }
  template:
    metadata: { labels: { app: cart } }
    spec:
      containers:
      - name: cart
        image: ${ecr}/cart:latest
`;

function workspace(): string {
  const ws = mkdtempSync(join(root, 'ws-'));
  mkdirSync(join(ws, '.github'));
  writeFileSync(join(ws, '.github/expeditor.yml'), environmentFile);
  mkdirSync(join(ws, 'k8s'));
  writeFileSync(join(ws, 'k8s/app.yaml'), manifest);
  return ws;
}

const digestImage = `${ecr}/shop@sha256:${'b'.repeat(64)}`;

const inputs = (over: Partial<DeployEksInputs> = {}): DeployEksInputs => deployEksInputs(digestImage, over);

const noRunner: KubeRunnerContext = { kubeconfig: undefined, awsRegion: undefined, stsEndpoint: undefined };

function plan(over: Partial<DeployEksInputs>, runner: KubeRunnerContext = noRunner, ws = workspace()) {
  return planDeployEks(inputs(over), { workspace: ws, sha: 'c0ffee', runUrl: 'https://github.com/o/r/actions/runs/1', runner });
}

describe('planDeployEks: inputs over the environment file', () => {
  it('takes everything from the environment file, saying so', () => {
    const p = plan({ environment: 'staging' });
    expect(p).toMatchObject({
      services: ['shop', 'cart'],
      namespace: 'staging',
      namespaceOrigin: { key: 'environments.staging.eks.namespace' },
      colorLabel: 'track',
      route: 'ingress',
      ingress: 'web',
      ingressOrigin: { key: 'environments.staging.eks.ingress' },
      connect: { kind: 'eks', cluster: 'shop-staging', region: 'eu-west-1', origin: { key: 'environments.staging.eks.cluster' } },
      refs: {
        configMaps: ['shop-config'],
        secrets: ['shop-db'],
        serviceAccount: 'shop-runtime',
        irsaRole: 'arn:aws:iam::222222222222:role/shop-pods',
        key: 'environments.staging.eks',
      },
      repository: `${ecr}/shop`,
      byDigest: true,
      warnings: [],
      manifests: undefined,
      source: { sha: 'c0ffee', runUrl: 'https://github.com/o/r/actions/runs/1' },
    });
    expect(p.settings.rows()).toEqual([
      ['services', 'shop, cart', 'environments.staging.eks.services'],
      ['namespace', 'staging', 'environments.staging.eks.namespace'],
      ['color label', 'track', 'environments.staging.eks.color-label'],
      ['route', 'ingress', 'environments.staging.eks.route'],
      ['ingress', 'web', 'environments.staging.eks.ingress'],
      ['cluster', 'shop-staging', 'environments.staging.eks.cluster'],
      ['region', 'eu-west-1', 'environments.staging.aws.region'],
      ['template', 'the live color’s Deployment', 'default'],
    ]);
  });

  it.each([
    ['services', { services: ['shop'] }, (p: ReturnType<typeof plan>) => p.services, ['shop']],
    [
      'namespace',
      { namespace: 'canary' },
      (p: ReturnType<typeof plan>) => [p.namespace, p.namespaceOrigin],
      ['canary', { input: 'namespace' }],
    ],
    ['color-label', { colorLabel: 'color' }, (p: ReturnType<typeof plan>) => p.colorLabel, 'color'],
    ['route', { route: 'service' as const }, (p: ReturnType<typeof plan>) => [p.route, p.ingress], ['service', undefined]],
    ['ingress', { ingress: 'edge' }, (p: ReturnType<typeof plan>) => [p.ingress, p.ingressOrigin], ['edge', { input: 'ingress' }]],
    [
      'cluster',
      { cluster: 'other' },
      (p: ReturnType<typeof plan>) => p.connect,
      { kind: 'eks', cluster: 'other', origin: { input: 'cluster' } },
    ],
    ['region', { region: 'ap-south-1' }, (p: ReturnType<typeof plan>) => p.connect, { kind: 'eks', region: 'ap-south-1' }],
    [
      'kubeconfig',
      { kubeconfig: 'ci/kubeconfig' },
      (p: ReturnType<typeof plan>) => p.connect,
      { kind: 'kubeconfig', origin: { input: 'kubeconfig' } },
    ],
  ])('input %s wins over the file', (_, over, pick, expected) => {
    const picked = pick(plan({ environment: 'staging', ...over }));
    if (typeof expected === 'object' && expected !== null && !Array.isArray(expected)) expect(picked).toMatchObject(expected);
    else expect(picked).toEqual(expected);
  });

  it('without an environment: defaults, and the inputs alone', () => {
    const p = plan({ services: ['shop'], cluster: 'c1' }, { ...noRunner, awsRegion: 'us-east-1' });
    expect(p).toMatchObject({
      namespace: 'default',
      colorLabel: 'version',
      route: 'service',
      ingress: undefined,
      refs: { configMaps: [], secrets: [], key: undefined },
    });
    expect(p.connect).toMatchObject({ kind: 'eks', cluster: 'c1', region: 'us-east-1' });
    expect(p.settings.rows()).toContainEqual(['region', 'us-east-1', 'AWS_REGION']);
    expect(p.namespaceOrigin).toEqual({ input: 'namespace' });
  });

  it('an image by tag is a warning naming the input, not an error', () => {
    const p = plan({ services: ['shop'], cluster: 'c1', image: `${ecr}/shop:1.4.2` });
    expect(p.byDigest).toBe(false);
    expect(p.repository).toBe(`${ecr}/shop`);
    expect(p.warnings).toEqual([{ input: 'image', message: expect.stringMatching(/given by tag, not by digest/) }]);
  });
});

describe('planDeployEks: manifests', () => {
  it('finds each service’s Deployment in a multi-document file', () => {
    const p = plan({ environment: 'staging', manifest: 'k8s/app.yaml' });
    expect([...(p.manifests?.entries() ?? [])].map(([s, m]) => [s, m.deployment.metadata?.name, m.where])).toEqual([
      ['shop', 'shop', 'k8s/app.yaml#1'],
      ['cart', 'cart', 'k8s/app.yaml#2'],
    ]);
    expect(p.settings.rows()).toContainEqual(['template', 'k8s/app.yaml', "input 'manifest'"]);
  });

  it('a service without a Deployment in the manifest is an error naming the input', () => {
    const error = thrown(() => plan({ environment: 'staging', services: ['shop', 'orders'], manifest: 'k8s/app.yaml' }));
    expect(error.input).toBe('manifest');
    expect(error.message).toMatch(/k8s\/app\.yaml has no Deployment for service orders \(have: shop, cart\)/);
  });
});

describe('planDeployEks: refusals before any network call', () => {
  it.each([
    ['no service anywhere', { cluster: 'c1' }, 'services', /no service to deploy/],
    ['an ECS environment', { environment: 'dev' }, 'environment', /environment dev in \.github\/expeditor\.yml has no eks section/],
    ['an environment without eks or cluster', { environment: 'qa', services: ['shop'] }, undefined, /environment qa .* has no eks section/],
    [
      'an unknown environment',
      { environment: 'prod' },
      'environment',
      /environment "?prod"? is not in \.github\/expeditor\.yml \(have: dev, staging, qa\)/,
    ],
    ['no cluster, kubeconfig or KUBECONFIG', { services: ['shop'] }, 'cluster', /no cluster to connect to/],
    [
      'a manifest that does not exist',
      { services: ['shop'], cluster: 'c1', manifest: 'k8s/nope.yaml' },
      'manifest',
      /k8s\/nope\.yaml does not exist in the workspace/,
    ],
  ])('%s', (_, over, input, message) => {
    const error = thrown(() => plan(over));
    expect(error.input).toBe(input);
    expect(error.message).toMatch(message);
    expect(error.unchanged).toBe('nothing was changed');
  });

  it('an environment without eks is fine when the cluster is given', () => {
    expect(plan({ environment: 'qa', services: ['shop'], cluster: 'c1' }).connect).toMatchObject({
      kind: 'eks',
      cluster: 'c1',
      region: 'us-east-2',
    });
  });
});

describe('planDeployEks: the manifest says where and how', () => {
  const withNamespace = (ns: string, name = 'shop') =>
    manifest.replace(`metadata:\n  name: ${name}\n`, `metadata:\n  name: ${name}\n  namespace: ${ns}\n`);
  const ws = (text: string) => {
    const dir = workspace();
    writeFileSync(join(dir, 'k8s/app.yaml'), text);
    return dir;
  };

  it("takes the manifest's namespace over the environment file's and says so", () => {
    const p = plan({ environment: 'staging', services: ['shop'], manifest: 'k8s/app.yaml' }, noRunner, ws(withNamespace('search')));
    expect(p.namespace).toBe('search');
    expect(p.settings.rows()).toContainEqual(['namespace', 'search', 'k8s/app.yaml#1']);
  });

  it("refuses a namespace input that contradicts the manifest's, naming both", () => {
    const error = thrown(() =>
      plan(
        { services: ['shop'], cluster: 'c1', region: 'us-west-2', namespace: 'prod', manifest: 'k8s/app.yaml' },
        noRunner,
        ws(withNamespace('search')),
      ),
    );
    expect(error.input).toBe('namespace');
    expect(error.message).toMatch(/input 'namespace' is prod, but k8s\/app\.yaml.* namespace search/);
  });

  it('refuses Deployments of one call in different namespaces', () => {
    const text = withNamespace('cart-ns', 'cart')
      .replace(/^/, '')
      .replace(`metadata:\n  name: shop\n`, 'metadata:\n  name: shop\n  namespace: shop-ns\n');
    const error = thrown(() =>
      plan({ services: ['shop', 'cart'], cluster: 'c1', region: 'us-west-2', manifest: 'k8s/app.yaml' }, noRunner, ws(text)),
    );
    expect(error.input).toBe('manifest');
    expect(error.message).toMatch(/namespace shop-ns but .* in cart-ns/);
  });

  it('eks.strategy rolling plans an update in place, with no per-color documents', () => {
    const dir = workspace();
    writeFileSync(
      join(dir, '.github/expeditor.yml'),
      environmentFile.replace('namespace: staging', 'namespace: staging\n      strategy: rolling'),
    );
    const p = plan({ environment: 'staging' }, noRunner, dir);
    expect(p.strategy).toBe('rolling');
    expect(p.settings.rows()).toContainEqual([
      'strategy',
      'rolling (the Deployment updated in place)',
      'environments.staging.eks.strategy',
    ]);
  });
});
