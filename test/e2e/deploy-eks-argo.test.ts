// deploy-eks on an Argo Rollouts blue/green Rollout (seed 003), against the real controller on the
// bed: the first revision goes active, the next one waits paused for promotion behind the
// preview Service with the active Service left on the stable ReplicaSet; a Rollout naming a
// Service that exists nowhere is refused before anything is written; a pod that cannot pull its
// image fails the run early with the kubelet's reason; and the committed bundle does the same.
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { KubeConnection } from '@expeditor/kube/connect';
import { useBed } from '../bed/vitest.ts';
import { runBundle } from './bundle-run.ts';
import { image, kubeconfigConnection, newNamespace, runCore, workspace, writeManifest } from './deploy-eks-bed.ts';
import {
  endpointPods,
  hashLabel,
  readRollout,
  rolloutApi,
  rolloutManifest,
  selectedHash,
  successRateTemplate,
  verdictServer,
} from './argo-bed.ts';

const bed = useBed(['k8s', 'argo']);

async function setUp(prefix: string): Promise<{ c: KubeConnection; ns: string; ws: string }> {
  const c = await kubeconfigConnection(bed.k8s);
  const ns = await newNamespace(c, `${prefix}-${randomBytes(3).toString('hex')}`);
  return { c, ns, ws: workspace() };
}

const inputs = (ns: string, manifest: string, img: string): Record<string, string> => ({
  image: img,
  services: 'shop',
  namespace: ns,
  manifest,
});

describe('deploy-eks with an Argo Rollout', () => {
  it('makes the first revision active, then brings the next one up paused for promotion behind the preview', async () => {
    const { c, ns, ws } = await setUp('argo');
    const manifest = writeManifest(ws, 'k8s/shop.yaml', ...rolloutManifest('shop', { image: 'registry.bed/shop:old', replicas: 3 }));
    const first = await runCore(bed.k8s, { inputs: inputs(ns, manifest, image(1)), workspace: ws });
    expect(first.result.failure, first.lines.join('\n')).toBeUndefined();
    const r1 = first.result.results[0]!;
    expect(r1).toMatchObject({ ready: true, live: null, target: null, deployment: 'shop', previewService: 'shop-preview' });
    expect(r1.rollout).toMatchObject({ name: 'shop', activeService: 'shop-active', phase: 'Healthy', paused: false });
    const stable = r1.rollout?.newHash as string;
    expect(await selectedHash(c, ns, 'shop-active')).toBe(stable);
    expect(first.lines.join('\n')).toMatch(/first revision \(Argo makes it active without a pause\)/);

    const second = await runCore(bed.k8s, { inputs: inputs(ns, manifest, image(2)), workspace: ws });
    expect(second.result.failure, second.lines.join('\n')).toBeUndefined();
    const r2 = second.result.results[0]!;
    expect(r2.rollout, second.lines.join('\n')).toMatchObject({ paused: true, stableHash: stable, phase: 'Paused' });
    const preview = r2.rollout?.newHash as string;
    expect(preview).not.toBe(stable);
    expect(r2).toMatchObject({ ready: true, replicas: 3, available: 3 });
    // Traffic is where it was; the preview Service shows the new pods.
    expect(await selectedHash(c, ns, 'shop-active')).toBe(stable);
    expect(await selectedHash(c, ns, 'shop-preview')).toBe(preview);
    const previewPods = await endpointPods(c, ns, 'shop-preview');
    expect(previewPods).toHaveLength(3);
    expect(previewPods.every((p) => p.startsWith(`shop-${preview}-`))).toBe(true);
    const live = await readRollout(c, ns, 'shop');
    const spec = live.spec as { template: { spec: { containers: { image: string }[] } } };
    expect(spec.template.spec.containers[0]?.image).toBe(image(2));
    // One line per change of state, ending paused for promotion.
    const log = second.lines.join('\n');
    expect(log).toMatch(/shop: Paused for promotion, preview ReplicaSet shop-\w+ 3\/3 available, active still on \w+/);
    expect(log).toMatch(/shop: ready to promote \(3\/3 available\)/);
    const stateLines = second.lines.filter((l) => l.startsWith('shop: '));
    expect(new Set(stateLines).size).toBe(stateLines.length);

    // Deployed again before anyone promoted: Argo replaces the preview; the active Service stays.
    const third = await runCore(bed.k8s, { inputs: inputs(ns, manifest, image(3)), workspace: ws });
    expect(third.result.failure, third.lines.join('\n')).toBeUndefined();
    const r3 = third.result.results[0]!;
    expect(r3.rollout).toMatchObject({ paused: true, stableHash: stable });
    expect(r3.rollout?.newHash).not.toBe(preview);
    expect(await selectedHash(c, ns, 'shop-preview')).toBe(r3.rollout?.newHash);
    expect(await selectedHash(c, ns, 'shop-active')).toBe(stable);
  });

  it('follows a Rollout that promotes itself (autoPromotionEnabled true) to Healthy on the new ReplicaSet, and says so', async () => {
    const { c, ns, ws } = await setUp('argo-auto');
    const manifest = writeManifest(
      ws,
      'shop.yaml',
      ...rolloutManifest('shop', { image: 'registry.bed/shop:old', autoPromotionEnabled: true }),
    );
    await runCore(bed.k8s, { inputs: inputs(ns, manifest, image(1)), workspace: ws });
    const second = await runCore(bed.k8s, { inputs: inputs(ns, manifest, image(2)), workspace: ws });
    expect(second.result.failure, second.lines.join('\n')).toBeUndefined();
    const r = second.result.results[0]!;
    expect(r.rollout).toMatchObject({ phase: 'Healthy', paused: false });
    expect(r.rollout?.stableHash).toBe(r.rollout?.newHash);
    expect(await selectedHash(c, ns, 'shop-active')).toBe(r.rollout?.newHash);
    expect(second.lines.join('\n')).toMatch(
      /autoPromotionEnabled is not false: Argo promotes by itself, so deploy-eks follows it to Healthy/,
    );
  });

  it('fails with Argo’s message and the analysis when the pre-promotion analysis fails; traffic stays on the stable ReplicaSet', async () => {
    const verdict = await verdictServer(false);
    try {
      const { c, ns, ws } = await setUp('argo-pre');
      const manifest = writeManifest(
        ws,
        'shop.yaml',
        successRateTemplate(verdict.url),
        ...rolloutManifest('shop', { image: 'registry.bed/shop:old', prePromotionTemplate: 'success-rate' }),
      );
      const first = await runCore(bed.k8s, { inputs: inputs(ns, manifest, image(1)), workspace: ws });
      const stable = first.result.results[0]?.rollout?.newHash;
      const failed = await runCore(bed.k8s, { inputs: inputs(ns, manifest, image(2)), workspace: ws });
      expect(failed.result.ready).toBe(false);
      expect(failed.result.failure?.message, failed.lines.join('\n')).toMatch(
        /1 of 1 Rollout is not ready to promote: shop \(Rollout shop Degraded: RolloutAborted: .*pre-promotion analysis shop-\w+-\d+-pre Failed/,
      );
      expect(await selectedHash(c, ns, 'shop-active')).toBe(stable);
    } finally {
      verdict.server.close();
    }
  });

  it('creates the namespace the manifest brings before anything in it is tried', async () => {
    const c = await kubeconfigConnection(bed.k8s);
    const ws = workspace();
    const ns = `argo-new-${randomBytes(3).toString('hex')}`;
    const manifest = writeManifest(
      ws,
      'shop.yaml',
      { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } },
      ...rolloutManifest('shop', { image: 'registry.bed/shop:old' }),
    );
    const first = await runCore(bed.k8s, { inputs: inputs(ns, manifest, image(1)), workspace: ws });
    expect(first.result.failure, first.lines.join('\n')).toBeUndefined();
    expect(first.result.results[0]?.rollout?.phase).toBe('Healthy');
    expect(await selectedHash(c, ns, 'shop-active')).toBe(first.result.results[0]?.rollout?.newHash);
  });

  it('refuses a Rollout whose activeService exists nowhere, naming the key, before writing anything', async () => {
    const { c, ns, ws } = await setUp('argo-bad');
    const [, preview, rollout] = rolloutManifest('shop', { image: 'registry.bed/shop:old' });
    const manifest = writeManifest(ws, 'shop.yaml', preview, rollout);
    const error = await runCore(bed.k8s, { inputs: inputs(ns, manifest, image(1)), workspace: ws }).then(
      () => undefined,
      (e: unknown) => e as Error & { input?: string },
    );
    expect(error?.message).toMatch(
      /shop\.yaml#2: Rollout shop: spec\.strategy\.blueGreen\.activeService names Service shop-active, which is neither in the manifest nor in namespace/,
    );
    expect(error?.input).toBe('manifest');
    const rollouts = await c.objects.list(rolloutApi, 'Rollout', ns);
    expect(rollouts.items).toEqual([]);
    expect((await c.core.listNamespacedService({ namespace: ns })).items).toEqual([]);
  });

  it('fails early with the kubelet’s reason when the new pods cannot pull their image; traffic stays on the stable ReplicaSet', async () => {
    const { c, ns, ws } = await setUp('argo-pull');
    const manifest = writeManifest(ws, 'shop.yaml', ...rolloutManifest('shop', { image: 'registry.bed/shop:old' }));
    const first = await runCore(bed.k8s, { inputs: inputs(ns, manifest, image(1)), workspace: ws });
    const stable = first.result.results[0]?.rollout?.newHash;
    const failed = await runCore(bed.k8s, { inputs: inputs(ns, manifest, 'registry.bed/shop:bed-fail-pull'), workspace: ws });
    expect(failed.result.ready).toBe(false);
    expect(failed.result.failure?.message).toMatch(
      /1 of 1 Rollout is not ready to promote: shop \((ErrImagePull|ImagePullBackOff) \(pod shop-/,
    );
    expect(await selectedHash(c, ns, 'shop-active')).toBe(stable);
  });

  it('through the bundle: outputs and summary of a Rollout paused for promotion', async () => {
    const { c, ns, ws } = await setUp('argo-bundle');
    const manifest = writeManifest(ws, 'shop.yaml', ...rolloutManifest('shop', { image: 'registry.bed/shop:old' }));
    const run = (img: string) =>
      runBundle(
        'deploy-eks',
        { ...inputs(ns, manifest, img), kubeconfig: bed.k8s.kubeconfig },
        { GITHUB_SHA: 'c'.repeat(40) },
        { workspace: ws },
      );
    const first = await run(image(1));
    expect(first.status, first.log).toBe(0);
    const second = await run(image(2));
    expect(second.status, second.log).toBe(0);
    expect(second.outputs).toMatchObject({ ready: 'true', 'live-color': '', 'target-color': '', 'preview-service': 'shop-preview' });
    const results = JSON.parse(second.outputs.results ?? '[]') as { rollout?: { paused: boolean; newHash: string; stableHash: string } }[];
    expect(results[0]?.rollout).toMatchObject({ paused: true });
    expect(await selectedHash(c, ns, 'shop-preview')).toBe(results[0]?.rollout?.newHash);
    expect(await selectedHash(c, ns, 'shop-active')).toBe(results[0]?.rollout?.stableHash);
    expect(second.summary).toContain('deploy-eks ready to promote');
    expect(second.summary).toMatch(/\| shop \| shop \| shop-active → \w+ \| \w+ \| 2\/2 \| paused for promotion, preview shop-preview \|/);
    const pods = await c.core.listNamespacedPod({ namespace: ns, labelSelector: `${hashLabel}=${results[0]?.rollout?.newHash}` });
    expect(pods.items).toHaveLength(2);
  });
});
