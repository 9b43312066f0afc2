// deploy-eks on the bed's real Kubernetes (apiserver, deployment/endpoint controllers, scheduler,
// KWOK pods), through the action's core:
//  - done-detection latency: from the moment the last target pod becomes Ready (seen by a watch
//    of this process's own, high-resolution clock) to the moment deploy-eks reports the service
//    ready to switch (rolled out + the preview Service's EndpointSlices on exactly those pods);
//    and from the moment the platform is done (this process's watches see the rollout and the
//    endpoints complete) to the report; pods are held Pending 1 s (bed.expeditor.dev/ready-after)
//    so they turn Ready mid-wait. Slow runs print what the action logged meanwhile;
//  - wall time of one call for 1, 10 and 50 services (first deploy, 2 replicas each);
//  - API requests and watches of each call, and while waiting;
//  - the bundle's size on disk (index.js + lazy chunks).
// EXPEDITOR_BENCH_RUNS latency runs (default 25, at least 20); EXPEDITOR_BENCH_CALLS calls per size (default 3).
import { readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { V1Deployment, V1EndpointSlice, V1Pod } from '@kubernetes/client-node';
import { startBed } from '../test/bed/index.ts';
import { connectKube, type KubeConnection } from '../packages/shared/src/kube/connect.ts';
import { consoleLog } from '../packages/shared/src/log.ts';
import { ActionInputs } from '../packages/shared/src/inputs.ts';
import { readDeployEksInputs } from '../actions/deploy-eks/src/inputs.ts';
import { planDeployEks } from '../actions/deploy-eks/src/plan.ts';
import { deployEks } from '../actions/deploy-eks/src/deploy.ts';
import { deploymentManifest, image, newNamespace, workspace, writeManifest } from '../test/e2e/deploy-eks-bed.ts';
import { kib, median, ms, percentile, printTable } from './stats.ts';

const root = resolve(import.meta.dirname, '..');
const latencyRuns = Math.max(20, Number(process.env.EXPEDITOR_BENCH_RUNS ?? 25));
const calls = Math.max(1, Number(process.env.EXPEDITOR_BENCH_CALLS ?? 3));

const bed = await startBed(['k8s']);
try {
  const connect = () => connectKube({ kubeconfig: { path: bed.k8s.kubeconfig } });
  const watcher = await connect();
  /** Deletes a namespace and waits until its pods are gone (the bed's two nodes hold 500 pods). */
  const deleteNamespace = async (name: string) => {
    await watcher.core.deleteNamespace({ name });
    for (let i = 0; i < 600; i++) {
      const pods = await watcher.core.listNamespacedPod({ namespace: name });
      if (pods.items.length === 0) return;
      await new Promise((r) => setTimeout(r, 200));
    }
  };

  /** One deploy-eks call: plan from inputs, a connection of its own, deployEks. */
  async function call(ns: string, services: string[], ws: string, manifest: string | undefined, onReady?: (service: string) => void, lines: { at: number; text: string }[] = []) {
    const env = { INPUT_IMAGE: image(7), INPUT_SERVICES: services.join(','), INPUT_NAMESPACE: ns, ...(manifest ? { INPUT_MANIFEST: manifest } : {}), INPUT_KUBECONFIG: bed.k8s.kubeconfig };
    const plan = planDeployEks(readDeployEksInputs(new ActionInputs(env)), { workspace: ws, sha: '', runUrl: '', runner: { kubeconfig: undefined, awsRegion: undefined, stsEndpoint: undefined } });
    const started = performance.now();
    const connection: KubeConnection = await connect();
    let atWait = { ...connection.stats };
    let waitStart = started;
    const result = await deployEks(plan, connection, {
      log: consoleLog((text) => lines.push({ at: performance.now(), text: text.trim() })),
      onReady: (service) => onReady?.(service),
      onWaitStart: () => {
        atWait = { ...connection.stats };
        waitStart = performance.now();
      },
    });
    const wall = performance.now() - started;
    if (!result.ready) throw new Error(`not ready: ${result.failure?.message}`);
    const s = connection.stats;
    return { wall, readWrite: waitStart - started, wait: performance.now() - waitStart, requests: s.requests, watches: s.watches, peakWatches: s.peakWatches, waitRequests: s.requests - atWait.requests, waitWatches: s.watches - atWait.watches };
  }

  // --- done-detection latency ---------------------------------------------------------------------
  const ns = await newNamespace(watcher, 'latency');
  const lastReady = new Map<string, number>();
  const readyPods = new Set<string>();
  // When the platform itself was done: the Deployment rolled out and the preview Service's
  // EndpointSlices listing all its pods as ready, as this process's own watches see them.
  const rolledOut = new Map<string, number>();
  const endpointsReady = new Map<string, number>();
  const watches: AbortController[] = [];
  const watchPath = async <T>(path: string, onEvent: (object: T) => void) => {
    const w = watcher.newWatch();
    (w as unknown as { requestTimeoutMs: number }).requestTimeoutMs = 3_600_000;
    watches.push(await w.watch(path, {}, (_type: string, object: T) => onEvent(object), () => undefined));
  };
  await watchPath(`/api/v1/namespaces/${ns}/pods`, (pod: V1Pod) => {
    const name = pod.metadata?.name ?? '';
    const ready = pod.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
    if (ready && !readyPods.has(name)) {
      readyPods.add(name);
      lastReady.set(pod.metadata?.labels?.app ?? '', performance.now());
    }
  });
  await watchPath(`/apis/apps/v1/namespaces/${ns}/deployments`, (d: V1Deployment) => {
    const app = d.metadata?.labels?.app ?? '';
    const st = d.status ?? {};
    const want = d.spec?.replicas ?? 1;
    if (!rolledOut.has(app) && (st.observedGeneration ?? 0) >= (d.metadata?.generation ?? 0) && st.updatedReplicas === want && st.availableReplicas === want && st.replicas === want) {
      rolledOut.set(app, performance.now());
    }
  });
  await watchPath(`/apis/discovery.k8s.io/v1/namespaces/${ns}/endpointslices`, (slice: V1EndpointSlice) => {
    const app = (slice.metadata?.labels?.['kubernetes.io/service-name'] ?? '').replace(/-preview$/, '');
    const ready = (slice.endpoints ?? []).filter((e) => e.conditions?.ready).length;
    if (!endpointsReady.has(app) && ready === 3) endpointsReady.set(app, performance.now());
  });
  const latencies: number[] = [];
  const detection: number[] = [];
  const slow: string[] = [];
  const ws = workspace();
  for (let i = 0; i < latencyRuns; i++) {
    const svc = `lat-${i}`;
    const manifest = writeManifest(ws, `${svc}.yaml`, deploymentManifest(svc, { replicas: 3, ports: [8080], podAnnotations: { 'bed.expeditor.dev/ready-after': '1s' } }));
    let doneAt = 0;
    const lines: { at: number; text: string }[] = [];
    await call(ns, [svc], ws, manifest, () => (doneAt = performance.now()), lines);
    // This process's own watches may deliver the last change a moment after the action's did.
    await new Promise((r) => setTimeout(r, 300));
    const podReadyAt = lastReady.get(svc);
    if (!podReadyAt || !doneAt) throw new Error(`run ${i}: no ready time seen`);
    latencies.push(doneAt - podReadyAt);
    const platformDone = Math.max(rolledOut.get(svc) ?? Number.NaN, endpointsReady.get(svc) ?? Number.NaN);
    if (Number.isFinite(platformDone)) detection.push(doneAt - platformDone);
    else console.log(`run ${i}: the bench's watches missed ${rolledOut.has(svc) ? '' : 'the rollout '}${endpointsReady.has(svc) ? '' : 'the endpoints'}`);
    // What the action saw last before done, relative to the last pod's Ready, for slow runs.
    if (doneAt - podReadyAt > 300) {
      slow.push(`run ${i} (${ms(doneAt - podReadyAt)}): ${lines.filter((l) => l.at >= podReadyAt - 50).map((l) => `+${ms(l.at - podReadyAt)} ${l.text}`).join(' | ')}`);
    }
  }
  for (const w of watches) w.abort();
  if (slow.length) console.log(`\nSlow runs: what the action logged after the last pod was Ready\n${slow.join('\n')}`);
  printTable(
    `Done-detection latency: last target pod Ready → deploy-eks reports ready to switch (${latencyRuns} runs, 3 replicas; goal p95 ≤ 1 s)`,
    ['from', 'p50', 'p95', 'max', 'min'],
    [
      ['last pod Ready', ms(median(latencies)), ms(percentile(latencies, 95)), ms(Math.max(...latencies)), ms(Math.min(...latencies))],
      [`platform done: rolled out + preview endpoints (${detection.length} runs; < 0: the action saw it first)`, ms(median(detection)), ms(percentile(detection, 95)), ms(Math.max(...detection)), ms(Math.min(...detection))],
    ],
  );
  await deleteNamespace(ns);

  // --- 1, 10, 50 services in one call: a first deploy (blue from a manifest, every object new)
  // and the next one (green copied from live blue behind a stable Service: the steady state) ----
  const rows: (string | number)[][] = [];
  const one: Record<string, number> = {};
  const setStable = (space: string, name: string) =>
    watcher.core.createNamespacedService({ namespace: space, body: { metadata: { name }, spec: { selector: { app: name, version: 'blue' }, ports: [{ name: 'http', port: 8080 }] } } });
  for (const count of [1, 10, 50]) {
    const runsOf: Record<string, Awaited<ReturnType<typeof call>>[]> = { first: [], next: [] };
    for (let k = 0; k < calls; k++) {
      const space = await newNamespace(watcher, `many-${count}-${k}`);
      const names = Array.from({ length: count }, (_, i) => `s${i}`);
      const manifest = writeManifest(ws, `many-${count}.yaml`, ...names.map((n) => deploymentManifest(n, { replicas: 2, ports: [8080] })));
      runsOf.first?.push(await call(space, names, ws, manifest));
      await Promise.all(names.map((n) => setStable(space, n)));
      runsOf.next?.push(await call(space, names, ws, undefined));
      await deleteNamespace(space);
    }
    for (const kind of ['first', 'next'] as const) {
      const list = runsOf[kind] ?? [];
      const wall = median(list.map((r) => r.wall));
      if (count === 1) one[kind] = wall;
      const last = list.at(-1);
      rows.push([
        `${count} service${count === 1 ? '' : 's'}, ${kind === 'first' ? 'first deploy' : 'next deploy (blue → green)'}`,
        ms(wall),
        `${(wall / (one[kind] ?? wall)).toFixed(2)}×`,
        ms(median(list.map((r) => r.readWrite))),
        ms(median(list.map((r) => r.wait))),
        last?.requests ?? '—',
        last?.waitRequests ?? '—',
        `${last?.watches} (${last?.waitWatches} while waiting)`,
        last?.peakWatches ?? '—',
      ]);
    }
  }
  printTable(
    `One call, 2 replicas per service (median of ${calls} calls; goal: 50 ≤ 2× one)`,
    ['services', 'wall', 'vs one', 'read + write', 'wait', 'API requests', 'requests while waiting', 'watch requests', 'open watches (peak)'],
    rows,
  );

  // The bed's own cost of the objects a first deploy writes: 100 Services or Deployments created
  // in parallel by a bare client, no action code (what a 50-service first deploy writes, twice over).
  const floor: (string | number)[][] = [];
  for (const kind of ['Service', 'Deployment (0 replicas)'] as const) {
    const space = await newNamespace(watcher, `floor-${kind === 'Service' ? 'svc' : 'dep'}`);
    const t = performance.now();
    await Promise.all(
      Array.from({ length: 100 }, (_, i) =>
        kind === 'Service'
          ? watcher.core.createNamespacedService({ namespace: space, body: { metadata: { name: `f${i}` }, spec: { selector: { app: `f${i}` }, ports: [{ port: 80 }] } } })
          : watcher.apps.createNamespacedDeployment({ namespace: space, body: deploymentManifest(`f${i}`, { replicas: 0 }) }),
      ),
    );
    floor.push([`100 × ${kind}`, ms(performance.now() - t)]);
  }
  printTable('The bed apiserver alone: 100 creates in parallel from a bare client', ['objects', 'wall'], floor);

  const dist = join(root, 'actions/deploy-eks/dist');
  const files = readdirSync(dist).filter((f) => f.endsWith('.js'));
  const total = files.reduce((sum, f) => sum + statSync(join(dist, f)).size, 0);
  console.log(`\ndeploy-eks bundle: index.js ${kib(statSync(join(dist, 'index.js')).size)}, with ${files.length - 1} lazy chunks ${kib(total)} on disk (start-up: bench/startup.bench.ts)`);
} finally {
  await bed.stop();
}
