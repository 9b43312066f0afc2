// Set-ups on the bed's Kubernetes for the EKS side of bluegreen-switch: a service's two colors
// as deploy-eks leaves them (Deployments `<svc>-<color>`, the stable Service on the live color,
// the preview Service on the other, per-color Services and an Ingress for the ingress route),
// options as the action passes them, and a sampler of the stable Service's endpoints.
// Used by test/e2e/switch-eks*.test.ts and bench/switch-eks.bench.ts.
import type * as K8s from '@kubernetes/client-node';
import { connectKube, type KubeConnection } from '@expeditor/kube/connect';
import { sources, waitUntil } from '@expeditor/kube/watch';
import { createKube, type Kube } from '../../actions/bluegreen-switch/src/eks/kube.ts';
import type { EksSwitchOptions } from '../../actions/bluegreen-switch/src/eks/types.ts';
import type { Color } from '@expeditor/bluegreen/names';
import type { K8sPart } from '../bed/types.ts';

export interface Bedside {
  connection: KubeConnection;
  kube: Kube;
}

export async function bedside(k8s: K8sPart): Promise<Bedside> {
  const connection = await connectKube({ kubeconfig: { path: k8s.kubeconfig } });
  return { connection, kube: createKube(connection) };
}

let counter = 0;
export async function namespace(connection: KubeConnection, prefix = 'sw'): Promise<string> {
  const name = `${prefix}-${process.pid}-${++counter}`;
  await connection.core.createNamespace({ body: { metadata: { name } } });
  // Pods are refused until the namespace's default ServiceAccount exists.
  await waitUntil(connection, {
    sources: {
      sa: {
        path: `/api/v1/namespaces/${name}/serviceaccounts`,
        list: () => connection.core.listNamespacedServiceAccount({ namespace: name }),
      },
    },
    check: ({ sa }) => (sa.some((s) => s.metadata?.name === 'default') ? true : undefined),
  });
  return name;
}

export function deployment(svc: string, color: Color, image: string, replicas: number): K8s.V1Deployment {
  const labels = { app: svc, version: color };
  return {
    metadata: { name: `${svc}-${color}`, labels },
    spec: {
      replicas,
      selector: { matchLabels: labels },
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } },
      template: {
        metadata: { labels },
        spec: { containers: [{ name: 'app', image, ports: [{ containerPort: 8080, name: 'http' }] }] },
      },
    },
  };
}

export function service(name: string, selector: Record<string, string>): K8s.V1Service {
  return { metadata: { name }, spec: { selector, ports: [{ name: 'http', port: 80, targetPort: 'http' }] } };
}

export interface ColorsSetup {
  svc?: string;
  live?: Color;
  replicas?: number;
  /** Images per color; a bed marker (bed-crashloop, bed-never-ready) makes that color fail. */
  images?: Partial<Record<Color, string>>;
  /** Create the preview Service on the idle color (default true). */
  preview?: boolean;
  /** Create `<svc>-blue` and `<svc>-green` Services and an Ingress on the live one. */
  ingress?: boolean;
  /** Wait for these colors to be available (default: those without a bed marker). */
  waitFor?: Color[];
}

export interface Colors {
  ns: string;
  svc: string;
  live: Color;
  idle: Color;
  ingress: string;
}

/** Two colors as deploy-eks leaves them: live serving through the stable Service, idle behind the preview. */
export async function setUpColors(b: Bedside, setup: ColorsSetup = {}): Promise<Colors> {
  const { connection } = b;
  const ns = await namespace(connection);
  const svc = setup.svc ?? 'shop';
  const live = setup.live ?? 'blue';
  const idle: Color = live === 'blue' ? 'green' : 'blue';
  const replicas = setup.replicas ?? 3;
  const images = { blue: 'bed.local/shop:1', green: 'bed.local/shop:2', ...setup.images };
  for (const color of ['blue', 'green'] as const) {
    await connection.apps.createNamespacedDeployment({ namespace: ns, body: deployment(svc, color, images[color], replicas) });
  }
  await connection.core.createNamespacedService({ namespace: ns, body: service(svc, { app: svc, version: live }) });
  if (setup.preview !== false) {
    await connection.core.createNamespacedService({ namespace: ns, body: service(`${svc}-preview`, { app: svc, version: idle }) });
  }
  const ingress = `${svc}-web`;
  if (setup.ingress) {
    for (const color of ['blue', 'green'] as const) {
      await connection.core.createNamespacedService({ namespace: ns, body: service(`${svc}-${color}`, { app: svc, version: color }) });
    }
    await connection.networking.createNamespacedIngress({
      namespace: ns,
      body: {
        metadata: { name: ingress, annotations: { 'alb.ingress.kubernetes.io/scheme': 'internet-facing' } },
        spec: {
          ingressClassName: 'alb',
          rules: [
            {
              host: 'shop.example.com',
              http: {
                paths: [
                  { path: '/', pathType: 'Prefix', backend: { service: { name: `${svc}-${live}`, port: { number: 80 } } } },
                  { path: '/admin', pathType: 'Prefix', backend: { service: { name: 'admin', port: { number: 80 } } } },
                ],
              },
            },
          ],
        },
      },
    });
  }
  const waitFor = setup.waitFor ?? (['blue', 'green'] as const).filter((c) => !/bed-/.test(images[c]));
  await Promise.all(waitFor.map((c) => waitAvailable(b, ns, `${svc}-${c}`)));
  // The stable Service serves the live pods before any test switches it.
  await waitEndpoints(b, ns, svc, (names) => names.length === replicas && names.every((n) => n.startsWith(`${svc}-${live}-`)));
  if (setup.preview !== false && waitFor.includes(idle)) {
    await waitEndpoints(b, ns, `${svc}-preview`, (names) => names.length === replicas);
  }
  // The Ingress route checks each color's own Service: its endpoints must be there before a test starts.
  if (setup.ingress) {
    await Promise.all(waitFor.map((c) => waitEndpoints(b, ns, `${svc}-${c}`, (names) => names.length === replicas)));
  }
  return { ns, svc, live, idle, ingress };
}

export async function waitAvailable(b: Bedside, ns: string, name: string): Promise<void> {
  await waitUntil(b.connection, {
    sources: { d: sources(b.connection, ns).deployments(undefined, `metadata.name=${name}`) },
    check: ({ d }) => {
      const x = d[0];
      const want = x?.spec?.replicas ?? 1;
      const s = x?.status;
      return x &&
        (s?.observedGeneration ?? 0) >= (x.metadata?.generation ?? 0) &&
        s?.availableReplicas === want &&
        s.updatedReplicas === want &&
        s.replicas === want
        ? true
        : undefined;
    },
  });
}

/** Ready endpoint pod names of a Service, from its EndpointSlices. */
export function readyNames(slices: readonly K8s.V1EndpointSlice[]): string[] {
  return slices
    .flatMap((s) => s.endpoints ?? [])
    .filter((e) => e.conditions?.ready !== false)
    .map((e) => e.targetRef?.name ?? '')
    .sort();
}

export async function waitEndpoints(b: Bedside, ns: string, svc: string, done: (names: string[]) => boolean): Promise<string[]> {
  const { value } = await waitUntil(b.connection, {
    sources: { s: sources(b.connection, ns).endpointSlices(svc) },
    check: ({ s }) => {
      const names = readyNames(s);
      return done(names) ? names : undefined;
    },
  });
  return value;
}

export function options(c: Colors, overrides: Partial<EksSwitchOptions> = {}): EksSwitchOptions {
  // The Services by convention, of the service the overrides name (as the plan resolves them).
  const service = overrides.service ?? c.svc;
  return {
    action: 'switch',
    route: 'service',
    namespace: c.ns,
    service,
    stableService: service,
    previewService: `${service}-preview`,
    colorLabel: 'version',
    stepPauseMs: 0,
    keepMs: 0,
    removePreview: false,
    commit: 'c0ffee0000000000000000000000000000000001',
    runUrl: 'https://github.com/acme/shop/actions/runs/42',
    ...overrides,
  };
}

export interface SamplerResult {
  samples: number;
  /** Samples in which the Service had no ready endpoint (EndpointSlices or Endpoints). */
  empty: number;
  /** What each empty sample saw, for the failure message. */
  emptyDetails: string[];
}

/**
 * Reads the Service's EndpointSlices and its Endpoints object every `everyMs` (a new read starts on
 * time even while earlier ones are in flight, up to `inFlight`), until stopped, counting samples
 * with no ready address.
 */
export function sampleEndpoints(b: Bedside, ns: string, svc: string, everyMs = 3, inFlight = 6): { stop(): Promise<SamplerResult> } {
  const result: SamplerResult = { samples: 0, empty: 0, emptyDetails: [] };
  const pending = new Set<Promise<void>>();
  let failure: unknown;
  const sample = async (): Promise<void> => {
    const [slices, endpoints] = await Promise.all([
      b.connection.discovery.listNamespacedEndpointSlice({ namespace: ns, labelSelector: `kubernetes.io/service-name=${svc}` }),
      b.connection.core.readNamespacedEndpoints({ namespace: ns, name: svc }),
    ]);
    const fromSlices = readyNames(slices.items).length;
    const fromEndpoints = (endpoints.subsets ?? []).reduce((n, s) => n + (s.addresses?.length ?? 0), 0);
    result.samples++;
    if (fromSlices === 0 || fromEndpoints === 0) {
      result.empty++;
      result.emptyDetails.push(`slices ${fromSlices} ready, Endpoints ${fromEndpoints} addresses`);
    }
  };
  const timer = setInterval(() => {
    if (pending.size >= inFlight) return;
    const p = sample().catch((error: unknown) => {
      failure ??= error;
    });
    pending.add(p);
    void p.finally(() => pending.delete(p));
  }, everyMs);
  return {
    async stop() {
      clearInterval(timer);
      await Promise.all(pending);
      if (failure) throw failure;
      return result;
    },
  };
}
