// The bed's floor for a blue/green bring-up, with no action code: a bare HTTPS client (keep-alive,
// JSON, no client-node) opens two watches, writes the same objects deploy-eks writes for each
// service (the color's Deployment; the preview Service created, or its selector patched to the
// new color), and waits for the same end: every Deployment rolled out and every preview
// Service's EndpointSlices listing that many ready pods of the color. What remains between this
// and deploy-eks is the action's own cost.
import { Agent, request } from 'node:https';

interface Meta {
  name?: string;
  labels?: Record<string, string>;
  generation?: number;
}
interface Deployment {
  metadata?: Meta;
  spec?: { replicas?: number };
  status?: { observedGeneration?: number; replicas?: number; updatedReplicas?: number; availableReplicas?: number };
}
interface EndpointSlice {
  metadata?: Meta;
  endpoints?: { conditions?: { ready?: boolean }; targetRef?: { name?: string } }[];
}

export interface BareKube {
  call<T = unknown>(method: string, path: string, body?: unknown, contentType?: string): Promise<T>;
  /** Watches `path` from now; resolves once the server answered, with a function that stops it. */
  watch(path: string, onEvent: (type: string, object: unknown) => void): Promise<() => void>;
  close(): void;
}

export function bareKube(server: string, token: string, ca: string): BareKube {
  const agent = new Agent({ keepAlive: true, ca });
  const headers = { authorization: `Bearer ${token}`, accept: 'application/json' };
  return {
    call: (method, path, body, contentType = 'application/json') =>
      new Promise((resolve, reject) => {
        const payload = body === undefined ? undefined : JSON.stringify(body);
        const req = request(
          `${server}${path}`,
          { method, agent, headers: { ...headers, ...(payload ? { 'content-type': contentType } : {}) } },
          (res) => {
            const chunks: Buffer[] = [];
            res.on('data', (c: Buffer) => chunks.push(c));
            res.on('end', () => {
              const text = Buffer.concat(chunks).toString('utf8');
              if ((res.statusCode ?? 0) >= 300) reject(new Error(`${method} ${path}: ${res.statusCode} ${text.slice(0, 300)}`));
              else resolve(JSON.parse(text));
            });
          },
        );
        req.on('error', reject);
        req.end(payload);
      }),
    watch: (path, onEvent) =>
      new Promise((resolve, reject) => {
        const req = request(`${server}${path}${path.includes('?') ? '&' : '?'}watch=1`, { agent, headers }, (res) => {
          if (res.statusCode !== 200) return reject(new Error(`watch ${path}: ${res.statusCode}`));
          let rest = '';
          res.setEncoding('utf8');
          res.on('data', (text: string) => {
            const lines = (rest + text).split('\n');
            rest = lines.pop() ?? '';
            for (const line of lines) {
              if (!line) continue;
              const event = JSON.parse(line) as { type: string; object: unknown };
              onEvent(event.type, event.object);
            }
          });
          res.on('error', () => undefined);
          resolve(() => req.destroy());
        });
        req.on('error', (error) => reject(error));
        req.end();
      }),
    close: () => agent.destroy(),
  };
}

export interface FloorOptions {
  namespace: string;
  services: string[];
  color: 'blue' | 'green';
  /** The Deployment to write for a service (name `<service>-<color>`, labels app and version). */
  deployment: (service: string) => object;
  /** true: create `<service>-preview`; false: patch its selector to the color. */
  createPreview: boolean;
  ports: number[];
}

/** One bring-up by the bare client; resolves with its wall time in ms. */
export async function floorBringUp(kube: BareKube, o: FloorOptions): Promise<number> {
  const started = performance.now();
  const ns = encodeURIComponent(o.namespace);
  const replicas = new Map<string, number>();
  const rolledOut = new Set<string>();
  /** Ready endpoints of the color, per preview EndpointSlice. */
  const slices = new Map<string, { service: string; ready: number }>();
  let done: () => void = () => undefined;
  const finished = new Promise<void>((resolve) => (done = resolve));
  const check = () => {
    const ready = new Map<string, number>();
    for (const { service, ready: n } of slices.values()) ready.set(service, (ready.get(service) ?? 0) + n);
    if (o.services.every((s) => rolledOut.has(s) && ready.get(s) === replicas.get(s))) done();
  };
  const stops = await Promise.all([
    kube.watch(`/apis/apps/v1/namespaces/${ns}/deployments?labelSelector=version%3D${o.color}`, (_type, object) => {
      const d = object as Deployment;
      const service = d.metadata?.labels?.app ?? '';
      const want = d.spec?.replicas ?? 1;
      replicas.set(service, want);
      const s = d.status ?? {};
      if (
        (s.observedGeneration ?? 0) >= (d.metadata?.generation ?? 1) &&
        s.replicas === want &&
        s.updatedReplicas === want &&
        s.availableReplicas === want
      )
        rolledOut.add(service);
      check();
    }),
    kube.watch(`/apis/discovery.k8s.io/v1/namespaces/${ns}/endpointslices`, (type, object) => {
      const slice = object as EndpointSlice;
      const preview = slice.metadata?.labels?.['kubernetes.io/service-name'] ?? '';
      if (!preview.endsWith('-preview')) return;
      const service = preview.slice(0, -'-preview'.length);
      const ready = (slice.endpoints ?? []).filter(
        (e) => e.conditions?.ready && e.targetRef?.name?.startsWith(`${service}-${o.color}-`),
      ).length;
      if (type === 'DELETED') slices.delete(slice.metadata?.name ?? '');
      else slices.set(slice.metadata?.name ?? '', { service, ready });
      check();
    }),
  ]);
  try {
    await Promise.all(
      o.services.flatMap((service) => [
        kube.call('POST', `/apis/apps/v1/namespaces/${ns}/deployments`, o.deployment(service)),
        o.createPreview
          ? kube.call('POST', `/api/v1/namespaces/${ns}/services`, {
              metadata: { name: `${service}-preview`, labels: { app: service } },
              spec: {
                selector: { app: service, version: o.color },
                ports: o.ports.map((p) => ({ name: `http-${p}`, port: p, targetPort: p })),
              },
            })
          : kube.call(
              'PATCH',
              `/api/v1/namespaces/${ns}/services/${service}-preview`,
              { spec: { selector: { app: service, version: o.color } } },
              'application/merge-patch+json',
            ),
      ]),
    );
    await finished;
    return performance.now() - started;
  } finally {
    for (const stop of stops) stop();
  }
}
