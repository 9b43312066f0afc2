// Proves the bed's Argo Rollouts is the real controller acting on the bed's Kubernetes: a
// blue/green Rollout becomes Healthy behind its active Service, a new template pauses for
// promotion with the preview Service on the new ReplicaSet, and clearing the pause (what
// `kubectl argo rollouts promote` does) moves the active Service to it.
import { beforeAll, describe, expect, it } from 'vitest';
import { connectKube, type KubeConnection } from '@expeditor/kube/connect';
import { newNamespace } from '../e2e/deploy-eks-bed.ts';
import { endpointPods, hashLabel, readRollout, rolloutManifest, rolloutWhen, selectedHash } from '../e2e/argo-bed.ts';
import { useBed } from './vitest.ts';

const bed = useBed(['k8s', 'argo']);
let c: KubeConnection;

beforeAll(async () => {
  c = await connectKube({ kubeconfig: { path: bed.k8s.kubeconfig } });
});

describe('the bed’s Argo Rollouts', () => {
  it('installs the CRDs and runs the controller of the pinned release', () => {
    expect(bed.argo.version).toMatch(/^v1\.10\.\d+$/);
    expect(bed.argo.crds).toEqual(expect.arrayContaining(['rollouts.argoproj.io', 'analysisruns.argoproj.io']));
  });

  it('rolls a blue/green Rollout out, pauses a new template for promotion, and promotes it when the pause is cleared', async () => {
    const ns = await newNamespace(c, 'argo-bed');
    for (const object of rolloutManifest('shop', { image: 'registry.bed/shop:1' })) {
      await c.objects.create({ ...object, metadata: { ...(object.metadata as object), namespace: ns } } as never);
    }
    // The first revision is made active at once, with no pause.
    const first = await rolloutWhen(c, ns, 'shop', (r) => r.status?.phase === 'Healthy' && !!r.status.stableRS);
    const stable = first.status?.stableRS as string;
    expect(await selectedHash(c, ns, 'shop-active')).toBe(stable);
    const pods = await endpointPods(c, ns, 'shop-active');
    expect(pods).toHaveLength(2);

    const live = await readRollout(c, ns, 'shop');
    const spec = live.spec as { template: { spec: { containers: { image: string }[] } } };
    spec.template.spec.containers[0]!.image = 'registry.bed/shop:2';
    await c.objects.replace(live as never);
    const paused = await rolloutWhen(
      c,
      ns,
      'shop',
      (r) => r.status?.phase === 'Paused' && r.status.currentPodHash !== stable && !!r.status.pauseConditions?.length,
    );
    const next = paused.status?.currentPodHash as string;
    expect(paused.status?.pauseConditions?.[0]?.reason).toBe('BlueGreenPause');
    expect(await selectedHash(c, ns, 'shop-preview')).toBe(next);
    expect(await selectedHash(c, ns, 'shop-active')).toBe(stable);

    // Promote as the plugin does: clear the pause conditions through the status subresource.
    const raw = c.objects as unknown as {
      configuration: {
        baseServer: { makeRequestContext(p: string, m: string): { setHeaderParam(n: string, v: string): void; setBody(b: string): void } };
      };
      requestPromise(ctx: unknown, type?: string): Promise<unknown>;
    };
    const ctx = raw.configuration.baseServer.makeRequestContext(
      `/apis/argoproj.io/v1alpha1/namespaces/${ns}/rollouts/shop/status`,
      'PATCH',
    );
    ctx.setHeaderParam('Content-Type', 'application/merge-patch+json');
    ctx.setBody(JSON.stringify({ status: { pauseConditions: null } }));
    await raw.requestPromise(ctx, 'KubernetesObject');
    const promoted = await rolloutWhen(c, ns, 'shop', (r) => r.status?.phase === 'Healthy' && r.status.stableRS === next);
    expect(promoted.status?.blueGreen?.activeSelector).toBe(next);
    expect(await selectedHash(c, ns, 'shop-active')).toBe(next);
    const newPods = await c.core.listNamespacedPod({ namespace: ns, labelSelector: `${hashLabel}=${next}` });
    expect(newPods.items).toHaveLength(2);
  });
});
