// What the Argo Rollouts tests share on the bed: a blue/green Rollout manifest in the shape of the
// seed (active and preview Services, autoPromotionEnabled false, scaleDownDelaySeconds), reading
// Rollouts and Services, and waiting on them by polling (the test's own timeout is the guard).
import type { KubeConnection } from '@expeditor/kube/connect';

export const rolloutApi = 'argoproj.io/v1alpha1';
export const hashLabel = 'rollouts-pod-template-hash';

export interface RolloutManifestOptions {
  image: string;
  replicas?: number;
  autoPromotionEnabled?: boolean;
  previewService?: string | null;
  activeService?: string;
  /** Pre-promotion analysis with this AnalysisTemplate. */
  prePromotionTemplate?: string;
  /** Post-promotion analysis with this AnalysisTemplate. */
  postPromotionTemplate?: string;
}

export interface BedRollout {
  metadata: { name: string; generation?: number; uid?: string };
  spec: Record<string, unknown>;
  status?: {
    phase?: string;
    message?: string;
    currentPodHash?: string;
    stableRS?: string;
    abort?: boolean;
    observedGeneration?: string;
    pauseConditions?: { reason: string }[];
    blueGreen?: { activeSelector?: string; previewSelector?: string };
  };
}

/** The Rollout and its two Services, as a team would write them (seed 003). */
export function rolloutManifest(name: string, o: RolloutManifestOptions): Record<string, unknown>[] {
  const active = o.activeService ?? `${name}-active`;
  const preview = o.previewService === null ? undefined : (o.previewService ?? `${name}-preview`);
  const svc = (svcName: string) => ({
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: svcName },
    spec: { selector: { app: name }, ports: [{ name: 'http', port: 8080, targetPort: 8080 }] },
  });
  const rollout = {
    apiVersion: rolloutApi,
    kind: 'Rollout',
    metadata: { name, labels: { app: name } },
    spec: {
      replicas: o.replicas ?? 2,
      revisionHistoryLimit: 3,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: { containers: [{ name: 'app', image: o.image, ports: [{ containerPort: 8080 }] }] },
      },
      strategy: {
        blueGreen: {
          activeService: active,
          ...(preview ? { previewService: preview } : {}),
          autoPromotionEnabled: o.autoPromotionEnabled ?? false,
          scaleDownDelaySeconds: 30,
          ...(o.prePromotionTemplate ? { prePromotionAnalysis: { templates: [{ templateName: o.prePromotionTemplate }] } } : {}),
          ...(o.postPromotionTemplate ? { postPromotionAnalysis: { templates: [{ templateName: o.postPromotionTemplate }] } } : {}),
        },
      },
    },
  };
  return [svc(active), ...(preview ? [svc(preview)] : []), rollout];
}

export async function readRollout(c: KubeConnection, namespace: string, name: string): Promise<BedRollout> {
  return (await c.objects.read({ apiVersion: rolloutApi, kind: 'Rollout', metadata: { name, namespace } })) as unknown as BedRollout;
}

/** The pod-template hash the Service selects (Argo adds it to the selectors it manages). */
export async function selectedHash(c: KubeConnection, namespace: string, service: string): Promise<string | undefined> {
  return (await c.core.readNamespacedService({ namespace, name: service })).spec?.selector?.[hashLabel];
}

/** Polls until `probe` gives a value; the test's timeout ends a wait that never does. */
export async function eventually<T>(probe: () => Promise<T | undefined>): Promise<T> {
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Waits until the Rollout satisfies `ok`, then returns it. */
export function rolloutWhen(c: KubeConnection, namespace: string, name: string, ok: (r: BedRollout) => boolean): Promise<BedRollout> {
  return eventually(async () => {
    const r = await readRollout(c, namespace, name);
    return ok(r) ? r : undefined;
  });
}

/** The names of the pods behind a Service's ready endpoints. */
export async function endpointPods(c: KubeConnection, namespace: string, service: string): Promise<string[]> {
  const slices = await c.discovery.listNamespacedEndpointSlice({ namespace, labelSelector: `kubernetes.io/service-name=${service}` });
  return slices.items.flatMap((s) => (s.endpoints ?? []).filter((e) => e.conditions?.ready !== false).map((e) => e.targetRef?.name ?? ''));
}
