// deploy-eks on the bed's real Kubernetes (apiserver, deployment/endpoint controllers, scheduler,
// KWOK pods), through the action's core:
//  - done-detection latency: from the moment the last target pod becomes Ready (seen by a watch
//    of this process's own, high-resolution clock) to the moment deploy-eks reports the service
//    ready to switch (rolled out + the preview Service's EndpointSlices on exactly those pods);
//    and from the moment the platform is done (this process's watches see the rollout and the
//    endpoints complete) to the report; pods are held Pending 1 s (bed.expeditor.dev/ready-after)
//    so they turn Ready mid-wait. Slow runs print what the action logged meanwhile;
//  - wall time of one call for 1, 10 and 50 services (first and next deploy, 2 replicas each),
//    beside the bed's floor (the same objects written and waited for by a bare client), with the
//    CPU each bed server, deploy-eks and other work on the machine used meanwhile;
//  - API requests and watches of each call, and while waiting;
//  - the bundle's size on disk (index.js + lazy chunks).
// The 1/10/50 calls run twice: with KWOK's pods Ready as soon as they start (the bed's control
// plane alone: on 2 cores its CPU, not the action, sets the time), and with each pod Ready 8–12 s
// after it starts, as a container start and a readiness probe make it on a real cluster
// (EXPEDITOR_BENCH_EKS_POD_START=8s-12s, or 'off').
// EXPEDITOR_BENCH_RUNS latency runs (default 25, at least 20); EXPEDITOR_BENCH_CALLS calls per size
// (default 3; at least 7 for one service).
import { tmpdir } from 'node:os';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { V1Deployment, V1EndpointSlice, V1Pod } from '@kubernetes/client-node';
import { startBed } from '../test/bed/index.ts';
import { connectKube, type KubeConnection } from '@expeditor/kube/connect';
import { consoleLog } from '../packages/shared/src/log.ts';
import { ActionInputs } from '../packages/shared/src/inputs.ts';
import { readDeployEksInputs } from '../actions/deploy-eks/src/inputs.ts';
import { planDeployEks } from '../actions/deploy-eks/src/plan.ts';
import { deployEks } from '../actions/deploy-eks/src/deploy.ts';
import { deploymentManifest, image, newNamespace, workspace, writeManifest } from '../test/e2e/deploy-eks-bed.ts';
import { kib, median, ms, percentile, printTable } from './stats.ts';
import { childServers, cpuMeter, type CpuUse } from './cpu.ts';
import { bareKube, floorBringUp } from './kube-floor.ts';

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
  async function call(
    ns: string,
    services: string[],
    ws: string,
    manifest: string | undefined,
    onReady?: (service: string) => void,
    lines: { at: number; text: string }[] = [],
  ) {
    const env = {
      INPUT_IMAGE: image(7),
      INPUT_SERVICES: services.join(','),
      INPUT_NAMESPACE: ns,
      ...(manifest ? { INPUT_MANIFEST: manifest } : {}),
      INPUT_KUBECONFIG: bed.k8s.kubeconfig,
    };
    const plan = planDeployEks(readDeployEksInputs(new ActionInputs(env)), {
      workspace: ws,
      sha: '',
      runUrl: '',
      runner: { kubeconfig: undefined, awsRegion: undefined, stsEndpoint: undefined, runnerTemp: tmpdir() },
    });
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
    return {
      wall,
      readWrite: waitStart - started,
      wait: performance.now() - waitStart,
      requests: s.requests,
      watches: s.watches,
      peakWatches: s.peakWatches,
      waitRequests: s.requests - atWait.requests,
      waitWatches: s.watches - atWait.watches,
    };
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
    watches.push(
      await w.watch(
        path,
        {},
        (_type: string, object: T) => onEvent(object),
        () => undefined,
      ),
    );
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
    if (
      !rolledOut.has(app) &&
      (st.observedGeneration ?? 0) >= (d.metadata?.generation ?? 0) &&
      st.updatedReplicas === want &&
      st.availableReplicas === want &&
      st.replicas === want
    ) {
      rolledOut.set(app, performance.now());
    }
  });
  await watchPath(`/apis/discovery.k8s.io/v1/namespaces/${ns}/endpointslices`, (slice: V1EndpointSlice) => {
    const app = (slice.metadata?.labels?.['kubernetes.io/service-name'] ?? '').replace(/-preview$/, '');
    const ready = (slice.endpoints ?? []).filter((e) => e.conditions?.ready).length;
    if (!endpointsReady.has(app) && ready === 3) endpointsReady.set(app, performance.now());
  });
  // Two ways pods turn Ready: all three in the same instant 1 s after they start (KWOK's timing is
  // exact, which is what meets the endpointslice controller's back-off below most often), and
  // spread between 1 and 2 s, as pods passing a readiness probe on a real cluster do.
  const modes: { name: string; label: string; annotations: Record<string, string> }[] = [
    { name: 'together', label: 'pods Ready together (1 s)', annotations: { 'bed.expeditor.dev/ready-after': '1s' } },
    {
      name: 'spread',
      label: 'pods Ready spread over 1–2 s',
      annotations: { 'bed.expeditor.dev/ready-after': '1s', 'bed.expeditor.dev/ready-jitter': '2s' },
    },
  ];
  const ws = workspace();
  const latencyRows: (string | number)[][] = [];
  const slow: string[] = [];
  for (const mode of modes) {
    const latencies: number[] = [];
    const detection: number[] = [];
    for (let i = 0; i < latencyRuns; i++) {
      const svc = `lat-${mode.name}-${i}`;
      const manifest = writeManifest(
        ws,
        `${svc}.yaml`,
        deploymentManifest(svc, { replicas: 3, ports: [8080], podAnnotations: mode.annotations }),
      );
      let doneAt = 0;
      const lines: { at: number; text: string }[] = [];
      await call(ns, [svc], ws, manifest, () => (doneAt = performance.now()), lines);
      // This process's own watches may deliver the last change a moment after the action's did.
      await new Promise((r) => setTimeout(r, 300));
      const podReadyAt = lastReady.get(svc);
      if (!podReadyAt || !doneAt) throw new Error(`run ${svc}: no ready time seen`);
      latencies.push(doneAt - podReadyAt);
      const platformDone = Math.max(rolledOut.get(svc) ?? Number.NaN, endpointsReady.get(svc) ?? Number.NaN);
      if (Number.isFinite(platformDone)) detection.push(doneAt - platformDone);
      else
        console.log(
          `run ${svc}: the bench's watches missed ${rolledOut.has(svc) ? '' : 'the rollout '}${endpointsReady.has(svc) ? '' : 'the endpoints'}`,
        );
      // What the action saw last before done, relative to the last pod's Ready, for slow runs.
      if (doneAt - podReadyAt > 300) {
        slow.push(
          `${svc} (${ms(doneAt - podReadyAt)}): ${lines
            .filter((l) => l.at >= podReadyAt - 50)
            .map((l) => `+${ms(l.at - podReadyAt)} ${l.text}`)
            .join(' | ')}`,
        );
      }
    }
    // The endpointslice controller retries a Service whose slices it just wrote but does not see
    // in its informer cache yet ("informer cache is out of date") after a fixed 1 s back-off: its
    // log, read once this way's runs are done, says which runs met it.
    const controllerLog = readFileSync(join(bed.dir, 'logs', 'kube-controller-manager.log'), 'utf8');
    const stale = Array.from({ length: latencyRuns }, (_, i) => `lat-${mode.name}-${i}`).filter((svc) =>
      controllerLog.includes(`key="${ns}/${svc}-preview" err="EndpointSlice informer cache is out of date"`),
    ).length;
    latencyRows.push(
      [
        `${mode.label}: from the last pod Ready`,
        ms(median(latencies)),
        ms(percentile(latencies, 95)),
        ms(Math.max(...latencies)),
        ms(Math.min(...latencies)),
        `${stale} of ${latencyRuns}`,
      ],
      [
        `${mode.label}: from platform done (rolled out + preview endpoints; ${detection.length} runs; < 0: the action saw it first)`,
        ms(median(detection)),
        ms(percentile(detection, 95)),
        ms(Math.max(...detection)),
        ms(Math.min(...detection)),
        '',
      ],
    );
  }
  for (const w of watches) w.abort();
  if (slow.length) console.log(`\nSlow runs: what the action logged after the last pod was Ready\n${slow.join('\n')}`);
  printTable(
    `Done-detection latency: last target pod Ready → deploy-eks reports ready to switch (${latencyRuns} runs per way, 3 replicas; goal p95 ≤ 1 s)`,
    ['from', 'p50', 'p95', 'max', 'min', 'runs the endpointslice controller put off 1 s'],
    latencyRows,
  );
  await deleteNamespace(ns);

  // --- 1, 10, 50 services in one call: a first deploy (blue from a manifest, every object new)
  // and the next one (green copied from live blue behind a stable Service: the steady state).
  // Each call is paired with the bed's floor: the same objects written and waited for by a bare
  // client (bench/kube-floor.ts), in a namespace of its own, the order alternating per pair. The
  // CPU each bed server, this process and the rest of the machine used during each call says
  // where the time went: the machine has 2 cores shared with other work.
  type Kind = 'first' | 'next';
  type Who = 'action' | 'floor';
  interface Sample {
    wall: number;
    cpu: CpuUse;
    namespace: string;
    from: number;
    to: number;
    action?: Awaited<ReturnType<typeof call>>;
  }
  const setStable = (space: string, name: string) =>
    watcher.core.createNamespacedService({
      namespace: space,
      body: { metadata: { name }, spec: { selector: { app: name, version: 'blue' }, ports: [{ name: 'http', port: 8080 }] } },
    });
  const servers = childServers(/^(etcd|kube-|kwok)/);
  const bare = bareKube(bed.k8s.server, bed.k8s.token, bed.k8s.caData);
  /**
   * One call and its floor for 1, 10 and 50 services, first and next deploy, and the tables of
   * them. `podStart` holds each pod Pending a while (the bed's ready-after/ready-jitter
   * annotations), as a container start and a readiness probe would; without it KWOK's pods turn
   * Ready at once, and the calls measure the bed's control plane alone.
   */
  async function sizeTables(podStart: { after: string; jitter: string } | undefined): Promise<void> {
    const podAnnotations = podStart
      ? { 'bed.expeditor.dev/ready-after': podStart.after, 'bed.expeditor.dev/ready-jitter': podStart.jitter }
      : undefined;
    const colored = (service: string, color: 'blue' | 'green') => {
      const d = deploymentManifest(service, { replicas: 2, ports: [8080], image: image(7), ...(podAnnotations ? { podAnnotations } : {}) });
      const labels = { app: service, version: color };
      return {
        ...d,
        metadata: { name: `${service}-${color}`, labels },
        spec: {
          ...d.spec,
          selector: { matchLabels: labels },
          template: { ...d.spec?.template, metadata: { ...d.spec?.template?.metadata, labels } },
        },
      };
    };
    const sizes = [1, 10, 50];
    // One service is cheap and its time is bimodal (the endpointslice back-off below): more calls.
    const callsFor = (count: number) => (count === 1 ? Math.max(calls, 7) : calls);
    const samples = new Map<string, Sample[]>();
    const key = (who: Who, count: number, kind: Kind) => `${who}/${count}/${kind}`;
    for (const count of sizes) {
      const names = Array.from({ length: count }, (_, i) => `s${i}`);
      const manifest = writeManifest(
        ws,
        `many-${count}${podStart ? '-slow' : ''}.yaml`,
        ...names.map((n) => deploymentManifest(n, { replicas: 2, ports: [8080], ...(podAnnotations ? { podAnnotations } : {}) })),
      );
      for (let k = 0; k < callsFor(count); k++) {
        for (const who of k % 2 === 0 ? (['action', 'floor'] as const) : (['floor', 'action'] as const)) {
          const space = await newNamespace(watcher, `${who}-${count}-${k}${podStart ? '-slow' : ''}`);
          for (const kind of ['first', 'next'] as const) {
            if (kind === 'next') {
              await Promise.all(names.map((n) => setStable(space, n)));
              await new Promise((r) => setTimeout(r, 500)); // the stable Services' slices settle first
            }
            const measure = cpuMeter(servers);
            const from = Date.now();
            let sample: Omit<Sample, 'cpu' | 'to'>;
            if (who === 'action') {
              const action = await call(space, names, ws, kind === 'first' ? manifest : undefined);
              sample = { wall: action.wall, namespace: space, from, action };
            } else {
              const color = kind === 'first' ? 'blue' : 'green';
              const wall = await floorBringUp(bare, {
                namespace: space,
                services: names,
                color,
                deployment: (s) => colored(s, color),
                createPreview: kind === 'first',
                ports: [8080],
              });
              sample = { wall, namespace: space, from };
            }
            const list = samples.get(key(who, count, kind)) ?? [];
            list.push({ ...sample, cpu: measure(), to: Date.now() });
            samples.set(key(who, count, kind), list);
          }
          await deleteNamespace(space);
        }
      }
    }
    // Preview Services whose EndpointSlice sync the controller put off by its 1 s back-off during a
    // call (klog lines carry local time to the microsecond; the log is read once all is done).
    const controllerLines = readFileSync(join(bed.dir, 'logs', 'kube-controller-manager.log'), 'utf8').split('\n');
    const retried = (sample: Sample) => {
      const keys = new Set<string>();
      const year = new Date().getFullYear();
      for (const line of controllerLines) {
        const m = /^I(\d\d)(\d\d) (\d\d):(\d\d):(\d\d)\.(\d{3}).*key="([^"]+)" err="EndpointSlice informer cache is out of date"/.exec(
          line,
        );
        if (!m?.[7]?.startsWith(`${sample.namespace}/`)) continue;
        const at = new Date(year, Number(m[1]) - 1, Number(m[2]), Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6])).getTime();
        if (at >= sample.from && at <= sample.to) keys.add(m[7]);
      }
      return keys.size;
    };
    const label = (count: number, kind: Kind) =>
      `${count} service${count === 1 ? '' : 's'}, ${kind === 'first' ? 'first deploy' : 'next deploy (blue → green)'}`;
    const list = (who: Who, count: number, kind: Kind) => samples.get(key(who, count, kind)) ?? [];
    const wallOf = (who: Who, count: number, kind: Kind) => median(list(who, count, kind).map((r) => r.wall));
    const x = (n: number) => `${n.toFixed(2)}×`;
    const rows: (string | number)[][] = [];
    const cpuRows: (string | number)[][] = [];
    for (const count of sizes) {
      for (const kind of ['first', 'next'] as const) {
        const runs = list('action', count, kind);
        const last = runs.at(-1)?.action;
        const wall = wallOf('action', count, kind);
        const floor = wallOf('floor', count, kind);
        const backoffs = (who: Who) => list(who, count, kind).map(retried).join(' ');
        rows.push([
          label(count, kind),
          ms(wall),
          x(wall / wallOf('action', 1, kind)),
          ms(floor),
          x(floor / wallOf('floor', 1, kind)),
          x(wall / floor),
          `${backoffs('action')} | ${backoffs('floor')}`,
          ms(median(runs.map((r) => r.action?.readWrite ?? Number.NaN))),
          ms(median(runs.map((r) => r.action?.wait ?? Number.NaN))),
          last?.requests ?? '—',
          `${last?.watches} (${last?.waitWatches} while waiting)`,
        ]);
        for (const who of ['action', 'floor'] as const) {
          const cpu = (pick: (c: CpuUse) => number) => median(list(who, count, kind).map((r) => pick(r.cpu))).toFixed(2);
          const server = (name: string) => cpu((c) => Object.entries(c.servers).find(([n]) => n.startsWith(name))?.[1] ?? Number.NaN);
          const bedTotal = (c: CpuUse) => Object.values(c.servers).reduce((a, b) => a + b, 0);
          cpuRows.push([
            `${label(count, kind)}: ${who === 'action' ? 'deploy-eks' : 'floor'}`,
            ms(wallOf(who, count, kind)),
            cpu((c) => c.capacity),
            cpu(bedTotal),
            server('kube-apiserver'),
            server('etcd'),
            server('kube-controller'),
            server('kube-scheduler'),
            server('kwok'),
            cpu((c) => c.self),
            cpu((c) => c.others),
          ]);
        }
      }
    }
    printTable(
      `One call, 2 replicas per service, ${podStart ? `pods Ready ${podStart.after}–${podStart.jitter} after they start (as with a readiness probe)` : 'pods Ready as soon as they start (KWOK)'} (median of ${calls} calls, ${callsFor(1)} for one service; goal: 50 ≤ 2× one). Floor: the same objects written and waited for by a bare client, no action code`,
      [
        'services',
        'deploy-eks',
        'vs one',
        'floor',
        'floor vs one',
        'deploy-eks ÷ floor',
        'slices put off 1 s, per call: deploy-eks | floor',
        'read + write',
        'wait',
        'API requests',
        'watch requests',
      ],
      rows,
    );
    printTable(
      `Where the CPU went during each call${podStart ? ` (pods Ready ${podStart.after}–${podStart.jitter} after they start)` : ''} (CPU-seconds, median; 2 cores shared with other work: capacity = 2 × wall)`,
      [
        'call',
        'wall',
        'capacity',
        'bed',
        'apiserver',
        'etcd',
        'controllers',
        'scheduler',
        'kwok',
        'this process',
        'other work on the machine',
      ],
      cpuRows,
    );
  }
  await sizeTables(undefined);
  const podStart = process.env.EXPEDITOR_BENCH_EKS_POD_START ?? '8s-12s';
  if (podStart !== 'off') {
    const [after, jitter] = podStart.split('-');
    await sizeTables({ after: after!, jitter: jitter ?? after! });
  }
  bare.close();

  // The bed's own cost of the objects a first deploy writes: 100 objects created in parallel by a
  // bare client, no action code. A Service with a cluster IP waits for the apiserver's ClusterIP
  // allocator, which takes one lock per allocation across a round trip to create an IPAddress
  // object: those creates run one after another, whatever the client does.
  const floor: (string | number)[][] = [];
  for (const kind of ['Service (cluster IP)', 'Service (headless: no IP to allocate)', 'Deployment (0 replicas)'] as const) {
    const space = await newNamespace(watcher, `floor-${floor.length}`);
    const t = performance.now();
    await Promise.all(
      Array.from({ length: 100 }, (_, i) =>
        kind.startsWith('Service')
          ? watcher.core.createNamespacedService({
              namespace: space,
              body: {
                metadata: { name: `f${i}` },
                spec: { ...(kind.includes('headless') ? { clusterIP: 'None' } : {}), selector: { app: `f${i}` }, ports: [{ port: 80 }] },
              },
            })
          : watcher.apps.createNamespacedDeployment({ namespace: space, body: deploymentManifest(`f${i}`, { replicas: 0 }) }),
      ),
    );
    floor.push([`100 × ${kind}`, ms(performance.now() - t)]);
    await deleteNamespace(space);
  }
  printTable('The bed apiserver alone: 100 creates in parallel from one client', ['objects', 'wall'], floor);

  const dist = join(root, 'actions/deploy-eks/dist');
  const files = readdirSync(dist).filter((f) => f.endsWith('.js'));
  const total = files.reduce((sum, f) => sum + statSync(join(dist, f)).size, 0);
  console.log(
    `\ndeploy-eks bundle: index.js ${kib(statSync(join(dist, 'index.js')).size)}, with ${files.length - 1} lazy chunks ${kib(total)} on disk (start-up: bench/startup.bench.ts)`,
  );
} finally {
  await bed.stop();
}
