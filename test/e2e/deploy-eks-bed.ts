// Helpers for deploy-eks tests on the bed: run the core the way main.ts does (plan → connect →
// deploy) with a memory log, and build manifests and the stable Service a switch would own.
import { kubeconfigFromEnv } from '@expeditor/kube/kubeconfig-env';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import type { V1Deployment } from '@kubernetes/client-node';
import { connectKube, type KubeConnection } from '@expeditor/kube/connect';
import { memoryLog } from '../../packages/shared/src/log.ts';
import { ActionInputs, inputEnv } from '../../packages/shared/src/inputs.ts';
import { readDeployEksInputs } from '../../actions/deploy-eks/src/inputs.ts';
import { planDeployEks } from '../../actions/deploy-eks/src/plan.ts';
import { deployEks, type DeployEksResult } from '../../actions/deploy-eks/src/deploy.ts';
import type { GitHubContext } from '../../packages/shared/src/context.ts';
import type { K8sPart } from '../bed/types.ts';

export const digest = (n: number): string => `sha256:${n.toString(16).padStart(64, '0')}`;
export const image = (n: number, marker = 'shop'): string => `registry.bed/${marker}@${digest(n)}`;

export function workspace(): string {
  return mkdtempSync(join(process.env.TMPDIR ?? '/tmp', 'deploy-eks-ws-'));
}

export interface ManifestOptions {
  image?: string;
  replicas?: number;
  ports?: number[];
  progressDeadlineSeconds?: number;
  podAnnotations?: Record<string, string>;
  cpu?: string;
  containers?: number;
}

export function deploymentManifest(name: string, options: ManifestOptions = {}): V1Deployment & { apiVersion: string; kind: string } {
  const containers = Array.from({ length: options.containers ?? 1 }, (_, i) => ({
    name: i === 0 ? 'app' : `sidecar-${i}`,
    image: i === 0 ? (options.image ?? 'registry.bed/shop:old') : `registry.bed/sidecar:${i}`,
    ...(i === 0 && options.ports ? { ports: options.ports.map((p) => ({ name: `http-${p}`, containerPort: p })) } : {}),
    ...(options.cpu ? { resources: { requests: { cpu: options.cpu } } } : {}),
  }));
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, labels: { app: name } },
    spec: {
      replicas: options.replicas ?? 2,
      ...(options.progressDeadlineSeconds ? { progressDeadlineSeconds: options.progressDeadlineSeconds } : {}),
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name }, ...(options.podAnnotations ? { annotations: options.podAnnotations } : {}) },
        spec: { containers },
      },
    },
  };
}

/** Writes manifests (objects, YAML documents) to `<ws>/<file>`; returns the relative path. */
export function writeManifest(ws: string, file: string, ...objects: unknown[]): string {
  mkdirSync(join(ws, file, '..'), { recursive: true });
  writeFileSync(join(ws, file), objects.map((o) => stringify(o)).join('---\n'));
  return file;
}

export async function newNamespace(c: KubeConnection, name: string): Promise<string> {
  await c.core.createNamespace({ body: { metadata: { name } } });
  // Pods are refused until the namespace's default ServiceAccount exists.
  for (let i = 0; i < 100; i++) {
    try {
      await c.core.readNamespacedServiceAccount({ name: 'default', namespace: name });
      return name;
    } catch {
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  throw new Error(`namespace ${name}: no default ServiceAccount`);
}

/** The stable Service a switch owns, selecting `color`. */
export async function setStable(c: KubeConnection, ns: string, service: string, color: string, ports = [8080]): Promise<void> {
  const body = {
    metadata: { name: service, namespace: ns },
    spec: { selector: { app: service, version: color }, ports: ports.map((p) => ({ name: `http-${p}`, port: p, targetPort: p })) },
  };
  try {
    const existing = await c.core.readNamespacedService({ name: service, namespace: ns });
    await c.core.patchNamespacedService(
      { name: service, namespace: ns, body: { spec: { selector: body.spec.selector } } },
      c.patchOptions('merge'),
    );
    void existing;
  } catch {
    await c.core.createNamespacedService({ namespace: ns, body });
  }
}

export async function kubeconfigConnection(k8s: K8sPart): Promise<KubeConnection> {
  return connectKube({ kubeconfig: { path: k8s.kubeconfig } });
}

export interface RunOptions {
  inputs: Record<string, string>;
  workspace?: string;
  signal?: AbortSignal;
  runner?: { kubeconfig?: string; awsRegion?: string; stsEndpoint?: string };
  onReady?: (service: string, at: number) => void;
  watchTimeoutSeconds?: number;
}

/** plan → connect → deployEks, as the action does, with a memory log. */
export async function runCore(
  k8s: K8sPart,
  options: RunOptions,
): Promise<{ result: DeployEksResult; lines: string[]; connection: KubeConnection }> {
  const env = inputEnv(options.inputs);
  const inputs = readDeployEksInputs(new ActionInputs({ INPUT_KUBECONFIG: k8s.kubeconfig, ...env }));
  const plan = planDeployEks(inputs, {
    workspace: options.workspace ?? workspace(),
    sha: 'a'.repeat(40),
    runUrl: 'https://github.com/acme/shop/actions/runs/1',
    runner: {
      kubeconfig: kubeconfigFromEnv(options.runner?.kubeconfig),
      awsRegion: options.runner?.awsRegion,
      stsEndpoint: options.runner?.stsEndpoint,
      // The bed's kubeconfig lives under the machine's temporary directory, as a runner's RUNNER_TEMP.
      runnerTemp: tmpdir(),
    },
  });
  const log = memoryLog();
  const connection = await connectKube({
    kubeconfig: plan.connect.kind === 'kubeconfig' ? { path: plan.connect.path, input: 'kubeconfig' } : undefined,
    signal: options.signal,
    log,
  });
  const result = await deployEks(plan, connection, {
    log,
    signal: options.signal,
    ...(options.onReady ? { onReady: options.onReady } : {}),
    ...(options.watchTimeoutSeconds ? { watchTimeoutSeconds: options.watchTimeoutSeconds } : {}),
  });
  return { result, lines: log.lines, connection };
}

/** The workflow run runDeployEks sees: a push to main, its summary in `<ws>/summary.md`. */
export function githubContext(ws: string): GitHubContext {
  return {
    sha: 'a'.repeat(40),
    ref: 'refs/heads/main',
    repository: 'acme/shop',
    runId: '1',
    runAttempt: '1',
    serverUrl: 'https://github.com',
    workspace: ws,
    eventName: 'push',
    actor: 'bed',
    workflow: 'deploy',
    runUrl: 'https://github.com/acme/shop/actions/runs/1',
    stepSummaryPath: join(ws, 'summary.md'),
    oidc: undefined,
    isAct: false,
    runnerTemp: tmpdir(),
  } as GitHubContext;
}
