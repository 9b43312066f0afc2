// The main bed scenarios of the actions, run through the committed bundles with a fault proxy
// (fault-proxy.ts) between them and the servers, each judged by its end state: completed, the
// state the same as without faults, and no duplicate write (task definition revision, CodeDeploy
// deployment, Kubernetes Deployment, switch). Shared by the fault test (a short run) and
// bench/faults.bench.ts (the matrix at 10 %).
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { parse, stringify } from 'yaml';
import { ListTaskDefinitionsCommand } from '@aws-sdk/client-ecs';
import { ListDeploymentsCommand } from '@aws-sdk/client-codedeploy';
import type { K8sPart, MotoPart } from '../bed/types.ts';
import { blueGreenService, blueGreenTarget, digestImage, rollingService, runBundle } from './deploy-ecs-bed.ts';
import { image, kubeconfigConnection, workspace } from './deploy-eks-bed.ts';
import { testCertificate } from './recording-proxy.ts';
import { faultProxy, once, type FaultPlan, type FaultProxy, type RequestInfo } from './fault-proxy.ts';

export interface Outcome {
  scenario: string;
  completed: boolean;
  duplicates: number;
  wrongEnd: string | undefined;
  faults: number;
  requests: number;
  log: string;
}

/** Lost answers of the writes that must not be repeated, on top of the random faults. */
export function lostWrites(plan: FaultPlan, ...operations: ((r: RequestInfo) => boolean)[]): FaultPlan {
  const picks = operations.map((m) => once(m, 'reset-after'));
  return { ...plan, pick: (r) => picks.map((p) => p(r)).find(Boolean) };
}
export const awsOperation = (name: string) => (r: RequestInfo) => r.operation === name || r.operation?.endsWith(`.${name}`) === true;
export const kubeWrite = (method: string, resource: string) => (r: RequestInfo) => r.method === method && r.path.includes(`/${resource}`);

let accounts = 0;
const nextAccount = (): string => String(810_000_000_000 + ++accounts * 7);

async function viaProxy<T>(
  upstream: string,
  flavor: 'aws' | 'kube',
  plan: FaultPlan,
  run: (proxy: FaultProxy) => Promise<T>,
  tls?: { key: string; cert: string },
): Promise<{ value: T; proxy: FaultProxy }> {
  const proxy = await faultProxy(upstream, flavor, plan, tls);
  try {
    return { value: await run(proxy), proxy };
  } finally {
    await proxy.close();
  }
}

/** deploy-ecs rolling: one new revision, the service on it, its rollout completed. */
export async function ecsRolling(moto: MotoPart, plan: FaultPlan): Promise<Outcome> {
  const account = nextAccount();
  const fx = await rollingService(moto, { account });
  const img = digestImage();
  const { value: run, proxy } = await viaProxy(moto.endpoint, 'aws', plan, (p) =>
    runBundle('deploy-ecs', { image: img, cluster: fx.cluster, service: fx.service }, { ...moto.env(account), AWS_ENDPOINT_URL: p.url }),
  );
  const revisions = (await fx.ecs.send(new ListTaskDefinitionsCommand({ familyPrefix: fx.family }))).taskDefinitionArns ?? [];
  const service = await fx.describe();
  const primary = service.deployments?.find((d) => d.status === 'PRIMARY');
  const wrong =
    primary?.taskDefinition !== revisions.at(-1)
      ? `the service runs ${primary?.taskDefinition}, not the newest revision`
      : primary?.rolloutState !== 'COMPLETED'
        ? `rollout ${primary?.rolloutState}`
        : undefined;
  return {
    scenario: 'deploy-ecs rolling',
    completed: run.status === 0,
    duplicates: Math.max(0, revisions.length - 2),
    wrongEnd: run.status === 0 ? wrong : undefined,
    faults: proxy.injected.length,
    requests: proxy.requests,
    log: run.log,
  };
}

/** deploy-ecs blue/green through CodeDeploy: one new revision, one deployment, Succeeded. */
export async function ecsBlueGreen(moto: MotoPart, plan: FaultPlan): Promise<Outcome> {
  const account = nextAccount();
  const fx = await blueGreenService(moto, { account });
  const { value: run, proxy } = await viaProxy(moto.endpoint, 'aws', plan, (p) =>
    runBundle(
      'deploy-ecs',
      { image: digestImage('127.0.0.1:5000/shop/web'), ...blueGreenTarget(fx) },
      { ...moto.env(account), AWS_ENDPOINT_URL: p.url },
    ),
  );
  const revisions = (await fx.ecs.send(new ListTaskDefinitionsCommand({ familyPrefix: fx.family }))).taskDefinitionArns ?? [];
  const deployments =
    (await fx.codedeploy.send(new ListDeploymentsCommand({ applicationName: fx.application, deploymentGroupName: fx.group })))
      .deployments ?? [];
  return {
    scenario: 'deploy-ecs blue/green',
    completed: run.status === 0,
    duplicates: Math.max(0, revisions.length - 2) + Math.max(0, deployments.length - 1),
    wrongEnd: run.status === 0 && run.outputs.status !== 'Succeeded' ? `status ${run.outputs.status}` : undefined,
    faults: proxy.injected.length,
    requests: proxy.requests,
    log: run.log,
  };
}

let certs: { key: string; cert: string } | undefined;
/** A self-signed certificate for the proxy in front of the apiserver (the kubeconfig skips its check). */
export function proxyCertificate(): { key: string; cert: string } {
  certs ??= testCertificate(mkdtempSync(join(tmpdir(), 'fault-proxy-tls-')), ['127.0.0.1']);
  return certs;
}

/** The bed's kubeconfig, pointed at the proxy. */
export function kubeconfigVia(k8s: K8sPart, proxy: FaultProxy): string {
  const config = parse(readFileSync(k8s.kubeconfig, 'utf8')) as { clusters: { cluster: Record<string, unknown> }[] };
  for (const c of config.clusters) {
    c.cluster.server = proxy.url;
    delete c.cluster['certificate-authority-data'];
    c.cluster['insecure-skip-tls-verify'] = true;
  }
  const file = join(mkdtempSync(join(tmpdir(), 'fault-kubeconfig-')), 'kubeconfig');
  writeFileSync(file, stringify(config));
  return file;
}

const manifest = (ns: string) => `apiVersion: v1
kind: Service
metadata: { name: shop, namespace: ${ns} }
spec:
  selector: { app: shop }
  ports: [{ port: 80, targetPort: 8080 }]
---
apiVersion: apps/v1
kind: Deployment
metadata: { name: shop, namespace: ${ns}, labels: { app: shop } }
spec:
  replicas: 2
  selector: { matchLabels: { app: shop } }
  template:
    metadata: { labels: { app: shop } }
    spec: { containers: [{ name: shop, image: registry.bed/shop:0, ports: [{ containerPort: 8080 }] }] }
`;

/** deploy-eks twice (blue, then green) and a switch, through the proxy: one Deployment per color, the Service on green once. */
export async function eksDeployAndSwitch(k8s: K8sPart, plan: FaultPlan): Promise<Outcome> {
  const c = await kubeconfigConnection(k8s);
  const ns = `faults-${randomBytes(3).toString('hex')}`;
  await c.core.createNamespace({ body: { metadata: { name: ns } } });
  const ws = workspace();
  writeFileSync(join(ws, 'shop.yaml'), manifest(ns));
  const logs: string[] = [];
  const { value: ok, proxy } = await viaProxy(
    k8s.server,
    'kube',
    plan,
    async (p) => {
      const kubeconfig = kubeconfigVia(k8s, p);
      for (const n of [1, 2]) {
        const r = await runBundle(
          'deploy-eks',
          // A deadline well short of the test's: a wait that never ends says where it stood.
          { image: image(n), services: 'shop', manifest: 'shop.yaml', kubeconfig, timeout: '90s' },
          {},
          { workspace: ws },
        );
        logs.push(r.log);
        if (r.status !== 0) return false;
      }
      const s = await runBundle(
        'bluegreen-switch',
        { platform: 'eks', kubeconfig, namespace: ns, service: 'shop', 'target-color': 'green', timeout: '90s' },
        { GITHUB_SHA: 'c'.repeat(40) },
        { workspace: ws },
      );
      logs.push(s.log);
      return s.status === 0;
    },
    proxyCertificate(),
  );
  const deployments = (await c.apps.listNamespacedDeployment({ namespace: ns })).items.map((d) => d.metadata?.name).sort();
  const stable = await c.core.readNamespacedService({ name: 'shop', namespace: ns }).catch(() => undefined);
  const green = await c.apps.readNamespacedDeployment({ name: 'shop-green', namespace: ns }).catch(() => undefined);
  const wrong =
    stable?.spec?.selector?.version !== 'green'
      ? `Service shop selects ${stable?.spec?.selector?.version}`
      : green?.spec?.template.spec?.containers[0]?.image !== image(2)
        ? 'green does not run the second image'
        : undefined;
  return {
    scenario: 'deploy-eks ×2 + switch',
    completed: ok,
    duplicates: Math.max(0, deployments.length - 2),
    wrongEnd: ok ? wrong : undefined,
    faults: proxy.injected.length,
    requests: proxy.requests,
    log: logs.join('\n'),
  };
}
