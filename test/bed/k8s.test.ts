// Proves the bed's Kubernetes is real: the real controllers and scheduler act on what KWOK's
// simulated kubelets report, and each failure marker yields the status a kubelet would write.
import { beforeAll, describe, expect, it } from 'vitest';
import type * as K8s from '@kubernetes/client-node';
import { appendFileSync } from 'node:fs';
import { criLines } from './parts/k8s.ts';
import { useBed } from './vitest.ts';

const bed = useBed(['k8s']);
let k8s: typeof K8s;
let core: K8s.CoreV1Api;
let apps: K8s.AppsV1Api;
let discovery: K8s.DiscoveryV1Api;
let kc: K8s.KubeConfig;

beforeAll(async () => {
  // Loaded here, not at the top: it is ESM-only and heavy; the bed must be up first anyway.
  k8s = await import('@kubernetes/client-node');
  kc = new k8s.KubeConfig();
  kc.loadFromFile(bed.k8s.kubeconfig);
  core = kc.makeApiClient(k8s.CoreV1Api);
  apps = kc.makeApiClient(k8s.AppsV1Api);
  discovery = kc.makeApiClient(k8s.DiscoveryV1Api);
});

/** Polls `probe` until it returns something other than undefined; the test timeout is the guard. */
async function eventually<T>(probe: () => Promise<T | undefined>, what: string): Promise<T> {
  let last: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (error) {
      last = error;
    }
    await new Promise((r) => setTimeout(r, 100));
    if (last && process.env.BED_DEBUG) console.log(`waiting for ${what}:`, last);
  }
}

/**
 * Watches pods matching `labelSelector` until `accept` returns a value, re-watching from the last
 * resourceVersion when the server ends the watch (it does after an idle period).
 */
async function watchPods<T>(namespace: string, labelSelector: string, accept: (pod: K8s.V1Pod) => T | undefined): Promise<T> {
  const list = await core.listNamespacedPod({ namespace, labelSelector });
  for (const pod of list.items) {
    const found = accept(pod);
    if (found !== undefined) return found;
  }
  let resourceVersion = list.metadata?.resourceVersion;
  const watch = new k8s.Watch(kc);
  for (;;) {
    const result = await new Promise<{ found?: T }>((resolve, reject) => {
      let controller: AbortController | undefined;
      let settled = false;
      watch
        .watch(
          `/api/v1/namespaces/${namespace}/pods`,
          { labelSelector, resourceVersion, allowWatchBookmarks: true },
          (phase, obj: K8s.V1Pod) => {
            resourceVersion = obj.metadata?.resourceVersion ?? resourceVersion;
            if (settled || phase === 'BOOKMARK' || phase === 'DELETED') return;
            const found = accept(obj);
            if (found !== undefined) {
              settled = true;
              controller?.abort();
              resolve({ found });
            }
          },
          (err: unknown) => {
            if (settled) return;
            settled = true;
            if (err && (err as Error).name !== 'AbortError') reject(err as Error);
            else resolve({});
          },
        )
        .then((c) => {
          controller = c;
          if (settled) c.abort();
        }, reject);
    });
    if (result.found !== undefined) return result.found;
  }
}

let counter = 0;
async function namespace(): Promise<string> {
  const name = `bed-${process.pid}-${++counter}`;
  await core.createNamespace({ body: { metadata: { name } } });
  return name;
}

function deployment(name: string, image: string, replicas: number, extra: Partial<K8s.V1DeploymentSpec> = {}): K8s.V1Deployment {
  return {
    metadata: { name },
    spec: {
      replicas,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: { containers: [{ name: 'app', image, ports: [{ containerPort: 8080 }] }] },
      },
      ...extra,
    },
  };
}

const waiting = (pod: K8s.V1Pod): string | undefined => pod.status?.containerStatuses?.[0]?.state?.waiting?.reason;

describe('bed k8s', () => {
  it('serves the version it was built at, with Ready, untainted KWOK nodes', async () => {
    expect(bed.k8s.version).toMatch(/^v1\.\d+\.\d+$/);
    const version = await kc.makeApiClient(k8s.VersionApi).getCode();
    expect(version.gitVersion).toBe(bed.k8s.version);
    const nodes = await core.listNode();
    expect(nodes.items.map((n) => n.metadata?.name).sort()).toEqual([...bed.k8s.nodes].sort());
    for (const node of nodes.items) {
      expect(node.status?.conditions?.find((c) => c.type === 'Ready')?.status).toBe('True');
      expect(node.spec?.taints ?? []).toEqual([]);
      expect(node.status?.allocatable?.cpu).toBe(bed.k8s.nodeCapacity.cpu);
      expect(node.status?.allocatable?.pods).toBe(String(bed.k8s.nodeCapacity.pods));
    }
  });

  it('runs a Deployment through a ReplicaSet to Ready pods whose IPs are the Service endpoints', async () => {
    const ns = await namespace();
    await core.createNamespacedService({
      namespace: ns,
      body: { metadata: { name: 'web' }, spec: { selector: { app: 'web' }, ports: [{ port: 80, targetPort: 8080 }] } },
    });
    await apps.createNamespacedDeployment({ namespace: ns, body: deployment('web', 'bed.local/web:1', 3) });

    const done = await eventually(async () => {
      const d = await apps.readNamespacedDeployment({ name: 'web', namespace: ns });
      const s = d.status;
      return s?.observedGeneration === d.metadata?.generation && s?.availableReplicas === 3 && s?.updatedReplicas === 3 ? d : undefined;
    }, 'deployment web available');
    expect(done.status?.conditions?.find((c) => c.type === 'Available')?.status).toBe('True');

    const sets = await apps.listNamespacedReplicaSet({ namespace: ns });
    expect(sets.items).toHaveLength(1);
    const rs = sets.items[0]!;
    expect(rs.metadata?.ownerReferences?.[0]).toMatchObject({ kind: 'Deployment', name: 'web' });

    const pods = (await core.listNamespacedPod({ namespace: ns, labelSelector: 'app=web' })).items;
    expect(pods).toHaveLength(3);
    for (const pod of pods) {
      expect(pod.metadata?.ownerReferences?.[0]).toMatchObject({ kind: 'ReplicaSet', name: rs.metadata?.name });
      expect(bed.k8s.nodes).toContain(pod.spec?.nodeName);
      expect(pod.status?.phase).toBe('Running');
      expect(pod.status?.conditions?.find((c) => c.type === 'Ready')?.status).toBe('True');
      expect(pod.status?.podIP).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
    }
    const podIps = pods.map((p) => p.status!.podIP!).sort();
    expect(new Set(podIps).size).toBe(3);

    const endpointIps = await eventually(async () => {
      const ep = await core.readNamespacedEndpoints({ name: 'web', namespace: ns });
      const ips = (ep.subsets ?? []).flatMap((s) => (s.addresses ?? []).map((a) => a.ip)).sort();
      return ips.length === 3 ? ips : undefined;
    }, 'endpoints of web');
    expect(endpointIps).toEqual(podIps);

    const sliceIps = await eventually(async () => {
      const slices = await discovery.listNamespacedEndpointSlice({
        namespace: ns,
        labelSelector: 'kubernetes.io/service-name=web',
      });
      const ips = slices.items.flatMap((s) => (s.endpoints ?? []).filter((e) => e.conditions?.ready).flatMap((e) => e.addresses)).sort();
      return ips.length === 3 ? ips : undefined;
    }, 'endpoint slices of web');
    expect(sliceIps).toEqual(podIps);
  });

  it('holds 50 services x 3 replicas, every Service with its 3 ready endpoints', async () => {
    const ns = await namespace();
    const names = Array.from({ length: 50 }, (_, i) => `svc-${i}`);
    await Promise.all(
      names.map(async (name) => {
        await core.createNamespacedService({
          namespace: ns,
          body: { metadata: { name }, spec: { selector: { app: name }, ports: [{ port: 80, targetPort: 8080 }] } },
        });
        await apps.createNamespacedDeployment({ namespace: ns, body: deployment(name, `bed.local/${name}:1`, 3) });
      }),
    );
    const ready = await eventually(async () => {
      const list = await core.listNamespacedEndpoints({ namespace: ns });
      const full = list.items.filter((e) => (e.subsets ?? []).flatMap((s) => s.addresses ?? []).length === 3);
      return full.length === names.length ? full : undefined;
    }, '50 services with 3 endpoints each');
    const ips = ready.flatMap((e) => (e.subsets ?? []).flatMap((s) => (s.addresses ?? []).map((a) => a.ip)));
    expect(new Set(ips).size).toBe(150);
  });

  it('holds pods Pending for ready-after, each drawn up to ready-jitter, as readiness probes would', async () => {
    const ns = await namespace();
    const body = deployment('slow', 'bed.local/slow:1', 8);
    body.spec!.template.metadata!.annotations = { 'bed.expeditor.dev/ready-after': '1s', 'bed.expeditor.dev/ready-jitter': '3s' };
    const seen = new Map<string, number>();
    const readyAfter = new Map<string, number>();
    await apps.createNamespacedDeployment({ namespace: ns, body });
    await watchPods(ns, 'app=slow', (pod) => {
      const name = pod.metadata!.name!;
      if (!seen.has(name)) seen.set(name, performance.now());
      const ready = pod.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True');
      if (ready && !readyAfter.has(name)) readyAfter.set(name, performance.now() - seen.get(name)!);
      return readyAfter.size === 8 ? true : undefined;
    });
    const delays = [...readyAfter.values()];
    // No pod turned Ready before its second was up (load can only make them later), and they did
    // not all turn Ready together.
    for (const d of delays) expect(d).toBeGreaterThan(900);
    expect(Math.max(...delays) - Math.min(...delays)).toBeGreaterThan(300);
  });

  it('serves pod logs through the apiserver from the simulated kubelet', async () => {
    const ns = await namespace();
    await apps.createNamespacedDeployment({ namespace: ns, body: deployment('talk', 'bed.local/talk:1', 1) });
    const pod = await watchPods(ns, 'app=talk', (p) => (p.status?.phase === 'Running' ? p : undefined));
    appendFileSync(bed.k8s.containerLog, criLines([`hello from ${ns}`]));
    const log = await core.readNamespacedPodLog({ name: pod.metadata!.name!, namespace: ns, container: 'app' });
    expect(log).toContain(`hello from ${ns}`);
    const previous = await core.readNamespacedPodLog({ name: pod.metadata!.name!, namespace: ns, previous: true });
    expect(previous).toContain('exited with status 1');
  });

  describe.concurrent('failure markers', () => {
    it('bed-fail-pull: ErrImagePull, then ImagePullBackOff, with a Failed event', async () => {
      const ns = await namespace();
      await apps.createNamespacedDeployment({ namespace: ns, body: deployment('app', 'bed.local/app:bed-fail-pull', 1) });
      const first = await watchPods(ns, 'app=app', (p) => (waiting(p) === 'ErrImagePull' ? p : undefined));
      expect(first.status?.containerStatuses?.[0]?.state?.waiting?.message).toContain('bed-fail-pull');
      await watchPods(ns, 'app=app', (p) => (waiting(p) === 'ImagePullBackOff' ? p : undefined));
      const events = await eventually(async () => {
        const list = await core.listNamespacedEvent({ namespace: ns, fieldSelector: 'involvedObject.kind=Pod' });
        return list.items.some((e) => e.reason === 'Failed' && e.type === 'Warning') ? list.items : undefined;
      }, 'a Failed event');
      expect(events.some((e) => e.reason === 'BackOff')).toBe(true);
    });

    it('bed-crashloop: CrashLoopBackOff with restartCount increasing', async () => {
      const ns = await namespace();
      await apps.createNamespacedDeployment({ namespace: ns, body: deployment('app', 'bed.local/app:bed-crashloop', 1) });
      const once = await watchPods(ns, 'app=app', (p) => (waiting(p) === 'CrashLoopBackOff' ? p : undefined));
      const firstCount = once.status!.containerStatuses![0]!.restartCount;
      expect(firstCount).toBeGreaterThanOrEqual(1);
      expect(once.status?.containerStatuses?.[0]?.lastState?.terminated?.exitCode).toBe(1);
      expect(once.status?.phase).toBe('Running');
      const again = await watchPods(ns, 'app=app', (p) =>
        waiting(p) === 'CrashLoopBackOff' && p.status!.containerStatuses![0]!.restartCount > firstCount ? p : undefined,
      );
      expect(again.status?.conditions?.find((c) => c.type === 'Ready')?.status).toBe('False');
    });

    it('bed-never-ready: Running and started, listed only as a not-ready endpoint', async () => {
      const ns = await namespace();
      await core.createNamespacedService({
        namespace: ns,
        body: { metadata: { name: 'app' }, spec: { selector: { app: 'app' }, ports: [{ port: 80 }] } },
      });
      await apps.createNamespacedDeployment({ namespace: ns, body: deployment('app', 'bed.local/app:bed-never-ready', 1) });
      const pod = await watchPods(ns, 'app=app', (p) => (p.status?.phase === 'Running' ? p : undefined));
      const status = pod.status!.containerStatuses![0]!;
      expect(status.started).toBe(true);
      expect(status.ready).toBe(false);
      expect(status.state?.running).toBeDefined();
      expect(pod.status?.conditions?.find((c) => c.type === 'Ready')?.status).toBe('False');
      const notReady = await eventually(async () => {
        const ep = await core.readNamespacedEndpoints({ name: 'app', namespace: ns });
        const ips = (ep.subsets ?? []).flatMap((s) => (s.notReadyAddresses ?? []).map((a) => a.ip));
        return ips.length ? { ep, ips } : undefined;
      }, 'a not-ready endpoint');
      expect(notReady.ips).toEqual([pod.status?.podIP]);
      expect(notReady.ep.subsets?.flatMap((s) => s.addresses ?? [])).toEqual([]);
    });

    it('bed-config-error: CreateContainerConfigError', async () => {
      const ns = await namespace();
      await apps.createNamespacedDeployment({ namespace: ns, body: deployment('app', 'bed.local/app:bed-config-error', 1) });
      const pod = await watchPods(ns, 'app=app', (p) => (waiting(p) === 'CreateContainerConfigError' ? p : undefined));
      expect(pod.status?.phase).toBe('Pending');
      expect(pod.status?.containerStatuses?.[0]?.state?.waiting?.message).toContain('not found');
    });

    it('a pod asking for more CPU than any node has is Unschedulable (the real scheduler says so)', async () => {
      const ns = await namespace();
      const tooMuch = String(Number(bed.k8s.nodeCapacity.cpu) * 2);
      const body = deployment('big', 'bed.local/big:1', 1);
      body.spec!.template.spec!.containers[0]!.resources = { requests: { cpu: tooMuch } };
      await apps.createNamespacedDeployment({ namespace: ns, body });
      const pod = await watchPods(ns, 'app=big', (p) => {
        const c = p.status?.conditions?.find((x) => x.type === 'PodScheduled');
        return c?.status === 'False' && c.reason === 'Unschedulable' ? p : undefined;
      });
      expect(pod.spec?.nodeName).toBeUndefined();
      expect(pod.status?.conditions?.find((x) => x.type === 'PodScheduled')?.message).toMatch(/Insufficient cpu/);
    });

    it('a Deployment that cannot become available reports ProgressDeadlineExceeded', async () => {
      const ns = await namespace();
      await apps.createNamespacedDeployment({
        namespace: ns,
        body: deployment('slow', 'bed.local/slow:bed-never-ready', 1, { progressDeadlineSeconds: 2 }),
      });
      const condition = await eventually(async () => {
        const d = await apps.readNamespacedDeployment({ name: 'slow', namespace: ns });
        const c = d.status?.conditions?.find((x) => x.type === 'Progressing');
        return c?.reason === 'ProgressDeadlineExceeded' ? c : undefined;
      }, 'ProgressDeadlineExceeded');
      expect(condition.status).toBe('False');
    });
  });
});
