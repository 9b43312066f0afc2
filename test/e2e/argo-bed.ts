// What the Argo Rollouts tests share on the bed: a blue/green Rollout manifest in the shape of the
// seed (active and preview Services, autoPromotionEnabled false, scaleDownDelaySeconds), reading
// Rollouts and Services, and waiting on them by polling (the test's own timeout is the guard).
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { KubeConnection } from '@expeditor/kube/connect';
import { expect } from 'vitest';
import type { EksSwitchOptions } from '../../actions/bluegreen-switch/src/eks/types.ts';
import type { K8sPart } from '../bed/types.ts';
import { image, newNamespace, runCore, workspace, writeManifest } from './deploy-eks-bed.ts';

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

/** An HTTP server the controller's `web` metric asks: it answers whether the new revision is healthy (or neither). */
export async function verdictServer(ok: boolean | 'unsure'): Promise<{ server: Server; url: string }> {
  const server = createServer((_req, res) => {
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ ok }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/health` };
}

/**
 * An AnalysisTemplate `success-rate` with one measurement of a `web` metric at `url`: {ok: true}
 * passes, {ok: false} fails, anything else is inconclusive.
 */
export function successRateTemplate(url: string): Record<string, unknown> {
  return {
    apiVersion: rolloutApi,
    kind: 'AnalysisTemplate',
    metadata: { name: 'success-rate' },
    spec: {
      metrics: [
        {
          name: 'success-rate',
          count: 1,
          successCondition: 'result.ok == true',
          failureCondition: 'result.ok == false',
          provider: { web: { url, jsonPath: '{$}' } },
        },
      ],
    },
  };
}

let deployed = 0;

/**
 * A Rollout `shop` deployed twice with deploy-eks (the core) in a new namespace: the first revision
 * active, the second paused for promotion. `extra` documents (an AnalysisTemplate) go in the manifest.
 */
export async function deployedPaused(
  k8s: K8sPart,
  c: KubeConnection,
  prefix: string,
  extra: Record<string, unknown>[] = [],
  manifest: Partial<RolloutManifestOptions> = {},
) {
  const ns = await newNamespace(c, `${prefix}-${process.pid}-${++deployed}`);
  const ws = workspace();
  const path = writeManifest(ws, 'shop.yaml', ...extra, ...rolloutManifest('shop', { image: 'registry.bed/shop:old', ...manifest }));
  const deploy = async (n: number) => {
    const { result, lines } = await runCore(k8s, {
      inputs: { image: image(n), services: 'shop', namespace: ns, manifest: path },
      workspace: ws,
    });
    expect(result.failure, lines.join('\n')).toBeUndefined();
    return result.results[0]?.rollout;
  };
  const stable = (await deploy(1))?.newHash as string;
  const paused = await deploy(2);
  expect(paused?.paused).toBe(true);
  return { ns, stable, next: paused?.newHash as string, deploy };
}

/** bluegreen-switch's options for the Rollout `shop` in `ns` (action switch unless overridden). */
export function rolloutSwitchOptions(ns: string, overrides: Partial<EksSwitchOptions> = {}): EksSwitchOptions {
  return {
    action: 'switch',
    route: 'service',
    namespace: ns,
    service: '',
    stableService: '',
    previewService: '',
    rollout: 'shop',
    colorLabel: 'version',
    stepPauseMs: 0,
    keepMs: 0,
    removePreview: false,
    commit: 'c0ffee0000000000000000000000000000000003',
    runUrl: 'https://github.com/acme/shop/actions/runs/43',
    ...overrides,
  };
}
