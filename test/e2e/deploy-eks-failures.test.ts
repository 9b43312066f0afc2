// deploy-eks when things go wrong, each produced for real on the bed: images KWOK is told to fail
// (pull, crash loop, config error), a pod no node fits (the real scheduler), a progress deadline
// (the real deployment controller), a pod that never becomes Ready past the run's deadline; and
// bad input detected before any write. The live color is never touched.
import { describe, expect, it } from 'vitest';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { KubeConnection } from '@expeditor/kube/connect';
import { ExpeditorError } from '../../packages/shared/src/errors.ts';
import { DeadlineError, withDeadline } from '../../packages/shared/src/deadline.ts';
import { useBed } from '../bed/vitest.ts';
import {
  deploymentManifest,
  image,
  kubeconfigConnection,
  newNamespace,
  runCore,
  setStable,
  workspace,
  writeManifest,
} from './deploy-eks-bed.ts';

const bed = useBed(['k8s']);
let count = 0;

/** A namespace with shop-blue live (image 1) behind the stable Service. */
async function withLiveBlue(
  c: KubeConnection,
  options: Parameters<typeof deploymentManifest>[1] = {},
): Promise<{ ns: string; blueVersion: string }> {
  const ns = await newNamespace(c, `fail-${++count}`);
  const ws = workspace();
  const manifest = writeManifest(ws, 'shop.yaml', deploymentManifest('shop', { replicas: 2, ports: [8080], ...options }));
  const first = await runCore(bed.k8s, { workspace: ws, inputs: { image: image(1), services: 'shop', namespace: ns, manifest } });
  expect(first.result.ready).toBe(true);
  await setStable(c, ns, 'shop', 'blue');
  const blue = await c.apps.readNamespacedDeployment({ name: 'shop-blue', namespace: ns });
  return { ns, blueVersion: blue.metadata?.resourceVersion ?? '' };
}

async function expectLiveUntouched(c: KubeConnection, ns: string, blueVersion: string): Promise<void> {
  expect((await c.apps.readNamespacedDeployment({ name: 'shop-blue', namespace: ns })).metadata?.resourceVersion).toBe(blueVersion);
  expect((await c.core.readNamespacedService({ name: 'shop', namespace: ns })).spec?.selector).toEqual({ app: 'shop', version: 'blue' });
}

describe('deploy-eks stops early with a diagnosis', () => {
  it('ImagePullBackOff / ErrImagePull: reason, pull events, live untouched', async () => {
    const c = await kubeconfigConnection(bed.k8s);
    const { ns, blueVersion } = await withLiveBlue(c);
    const { result, lines } = await runCore(bed.k8s, {
      inputs: { image: 'registry.bed/shop:bed-fail-pull', services: 'shop', namespace: ns },
    });
    expect(result.ready).toBe(false);
    const [r] = result.results;
    expect(r?.diagnosis?.kind).toMatch(/^(ErrImagePull|ImagePullBackOff)$/);
    expect(r?.reason).toMatch(/bed-fail-pull marker/);
    expect(r?.diagnosis?.events.some((e) => e.includes('Failed to pull image'))).toBe(true);
    expect(result.failure?.message).toMatch(/1 of 1 service is not ready to switch: shop green/);
    expect(result.failure?.unchanged).toMatch(/shop: blue/);
    expect(lines.some((l) => l.includes('recent events:'))).toBe(true);
    // A tag, not a digest: warned about, not refused.
    expect(lines.some((l) => l.startsWith("warning (input 'image'): the image registry.bed/shop:bed-fail-pull is given by tag"))).toBe(
      true,
    );
    await expectLiveUntouched(c, ns, blueVersion);
  });

  it('CrashLoopBackOff: the crashed instance’s last log lines', async () => {
    const c = await kubeconfigConnection(bed.k8s);
    const { ns, blueVersion } = await withLiveBlue(c);
    const { result, lines } = await runCore(bed.k8s, {
      inputs: { image: 'registry.bed/shop:bed-crashloop', services: 'shop', namespace: ns },
    });
    const [r] = result.results;
    expect(r?.ready).toBe(false);
    expect(r?.diagnosis?.kind).toBe('CrashLoopBackOff');
    expect(r?.diagnosis?.container).toBe('app');
    expect(r?.diagnosis?.logs.join('\n')).toMatch(/exited with status 1|container started/);
    expect(r?.diagnosis?.events.some((e) => e.includes('Back-off restarting failed container'))).toBe(true);
    expect(lines.some((l) => /^last \d+ log lines:/.test(l.trim()))).toBe(true);
    await expectLiveUntouched(c, ns, blueVersion);
  });

  it('CreateContainerConfigError', async () => {
    const c = await kubeconfigConnection(bed.k8s);
    const { ns, blueVersion } = await withLiveBlue(c);
    const { result } = await runCore(bed.k8s, { inputs: { image: 'registry.bed/shop:bed-config-error', services: 'shop', namespace: ns } });
    expect(result.results[0]?.diagnosis?.kind).toBe('CreateContainerConfigError');
    expect(result.results[0]?.reason).toMatch(/configmap "bed-config-error" not found/);
    await expectLiveUntouched(c, ns, blueVersion);
  });

  it('Unschedulable: no node has the CPU the pod asks for (the real scheduler says so)', async () => {
    const c = await kubeconfigConnection(bed.k8s);
    const ns = await newNamespace(c, `fail-${++count}`);
    const ws = workspace();
    const manifest = writeManifest(ws, 'shop.yaml', deploymentManifest('shop', { replicas: 1, cpu: '1000' }));
    const { result } = await runCore(bed.k8s, { workspace: ws, inputs: { image: image(5), services: 'shop', namespace: ns, manifest } });
    const [r] = result.results;
    expect(r?.diagnosis?.kind).toBe('Unschedulable');
    expect(r?.reason).toMatch(/Insufficient cpu/);
    expect(r?.diagnosis?.events.some((e) => e.includes('FailedScheduling'))).toBe(true);
  });

  it('ProgressDeadlineExceeded from the deployment controller for a pod that never becomes Ready', async () => {
    const c = await kubeconfigConnection(bed.k8s);
    const { ns, blueVersion } = await withLiveBlue(c, { progressDeadlineSeconds: 2 });
    const { result } = await runCore(bed.k8s, { inputs: { image: 'registry.bed/shop:bed-never-ready', services: 'shop', namespace: ns } });
    const [r] = result.results;
    expect(r?.diagnosis?.kind).toBe('ProgressDeadlineExceeded');
    expect(r?.reason).toMatch(/has timed out progressing/);
    expect(r?.diagnosis?.pod).toMatch(/^shop-green-/);
    await expectLiveUntouched(c, ns, blueVersion);
  });

  it('the run deadline stops the wait, reports the state and leaves live alone', async () => {
    const c = await kubeconfigConnection(bed.k8s);
    const { ns, blueVersion } = await withLiveBlue(c);
    const signal = withDeadline(undefined, 3000);
    const { result } = await runCore(bed.k8s, {
      signal,
      inputs: { image: 'registry.bed/shop:bed-never-ready', services: 'shop', namespace: ns },
    });
    const [r] = result.results;
    expect(r?.ready).toBe(false);
    expect(r?.diagnosis).toBeUndefined();
    expect(r?.reason).toMatch(/^the deadline of 3\.0 s ran out; green: 0\/2 available$/);
    expect(result.failure?.cause).toBeInstanceOf(DeadlineError);
    await expectLiveUntouched(c, ns, blueVersion);
  });
});

describe('deploy-eks refuses bad input before writing anything', () => {
  async function deployments(c: KubeConnection, ns: string): Promise<string[]> {
    return (await c.apps.listNamespacedDeployment({ namespace: ns })).items.map((d) => d.metadata?.name ?? '').sort();
  }

  it('require-digest refuses an image by tag as an input error (raised by the input layer, before connecting)', async () => {
    const c = await kubeconfigConnection(bed.k8s);
    const ns = await newNamespace(c, `bad-${++count}`);
    const error = await runCore(bed.k8s, {
      inputs: { image: 'registry.bed/shop:1.2', 'require-digest': 'true', services: 'shop', namespace: ns },
    }).catch((e: unknown) => e);
    expect((error as ExpeditorError).input).toBe('image');
    expect((error as Error).message).toBe(
      `input 'image': must name the image by digest (repo@sha256:…) because require-digest is true, got "registry.bed/shop:1.2"`,
    );
    expect(await deployments(c, ns)).toEqual([]);
  });

  it('an unknown namespace names the namespace input', async () => {
    const error = await runCore(bed.k8s, { inputs: { image: image(1), services: 'shop', namespace: 'no-such-ns' } }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ExpeditorError);
    expect((error as ExpeditorError).input).toBe('namespace');
    expect((error as Error).message).toMatch(/namespace no-such-ns does not exist/);
  });

  it('a Service that sends traffic to a Deployment that does not exist', async () => {
    const c = await kubeconfigConnection(bed.k8s);
    const ns = await newNamespace(c, `bad-${++count}`);
    await setStable(c, ns, 'shop', 'blue');
    const error = await runCore(bed.k8s, { inputs: { image: image(1), services: 'shop', namespace: ns } }).catch((e: unknown) => e);
    expect((error as Error).message).toMatch(
      new RegExp(`Deployment ${ns}/shop-blue does not exist, but Service shop sends traffic to version=blue`),
    );
    expect(await deployments(c, ns)).toEqual([]);
  });

  it('a Service selector without the color label', async () => {
    const c = await kubeconfigConnection(bed.k8s);
    const ns = await newNamespace(c, `bad-${++count}`);
    await c.core.createNamespacedService({
      namespace: ns,
      body: { metadata: { name: 'shop' }, spec: { selector: { app: 'shop' }, ports: [{ port: 80 }] } },
    });
    const error = await runCore(bed.k8s, { inputs: { image: image(1), services: 'shop', namespace: ns } }).catch((e: unknown) => e);
    expect((error as Error).message).toMatch(/is not set up for blue\/green: its selector \{"app":"shop"\} has no version=blue\|green/);
  });

  it('a manifest that is not a Deployment names the manifest input; a first deploy without one too', async () => {
    const c = await kubeconfigConnection(bed.k8s);
    const ns = await newNamespace(c, `bad-${++count}`);
    const ws = workspace();
    const manifest = writeManifest(ws, 'svc.yaml', { apiVersion: 'v1', kind: 'Service', metadata: { name: 'shop' } });
    const error = await runCore(bed.k8s, { workspace: ws, inputs: { image: image(1), services: 'shop', namespace: ns, manifest } }).catch(
      (e: unknown) => e,
    );
    expect((error as ExpeditorError).input).toBe('manifest');
    expect((error as Error).message).toBe("input 'manifest': svc.yaml has no Deployment (found: Service)");
    const none = await runCore(bed.k8s, { inputs: { image: image(1), services: 'shop', namespace: ns } }).catch((e: unknown) => e);
    expect((none as ExpeditorError).input).toBe('manifest');
    expect((none as Error).message).toMatch(/first deploy of shop .* needs a Deployment manifest/);
    expect(await deployments(c, ns)).toEqual([]);
  });

  it('a ConfigMap of the environment that does not exist names the config key', async () => {
    const c = await kubeconfigConnection(bed.k8s);
    const ns = await newNamespace(c, `bad-${++count}`);
    const ws = workspace();
    const manifest = writeManifest(ws, 'shop.yaml', deploymentManifest('shop'));
    writeFileSync(
      join(ws, 'expeditor.yml'),
      `app: shop\nimage: { repository: registry.bed/shop }\nenvironments:\n  dev:\n    aws: { account: "111111111111", region: us-west-2, role: "arn:aws:iam::111111111111:role/d" }\n    eks: { cluster: c, namespace: ${ns}, config-maps: [missing-config] }\n`,
    );
    const error = await runCore(bed.k8s, {
      workspace: ws,
      inputs: { image: image(1), services: 'shop', environment: 'dev', config: 'expeditor.yml', manifest, kubeconfig: bed.k8s.kubeconfig },
    }).catch((e: unknown) => e);
    expect((error as Error).message).toBe(`ConfigMap missing-config does not exist in namespace ${ns}`);
    expect((error as ExpeditorError).key).toBe('environments.dev.eks.config-maps');
    expect(await deployments(c, ns)).toEqual([]);
  });

  it('a cluster that does not answer names the kubeconfig input', async () => {
    const ws = workspace();
    const dead = join(ws, 'dead.kubeconfig');
    writeFileSync(dead, readFileSync(bed.k8s.kubeconfig, 'utf8').replace(/server: .*/, 'server: https://127.0.0.1:1'));
    const error = await runCore(bed.k8s, { workspace: ws, inputs: { image: image(1), services: 'shop', kubeconfig: dead } }).catch(
      (e: unknown) => e,
    );
    expect((error as ExpeditorError).input).toBe('kubeconfig');
    expect((error as Error).message).toMatch(/does not answer at https:\/\/127\.0\.0\.1:1/);
  });
});
