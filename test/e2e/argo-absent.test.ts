// A cluster without Argo Rollouts (the bed's Kubernetes alone, no CRDs): deploy-eks with a Rollout
// manifest and bluegreen-switch with a rollout input say so before writing anything.
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { useBed } from '../bed/vitest.ts';
import { rolloutManifest, rolloutSwitchOptions } from './argo-bed.ts';
import { image, newNamespace, runCore, workspace, writeManifest } from './deploy-eks-bed.ts';
import { failure, useSwitchEks } from './switch-eks-fixture.ts';

const bed = useBed(['k8s']);
const { b, run } = useSwitchEks(bed);

describe('Argo Rollouts not installed', () => {
  it('deploy-eks refuses a Rollout manifest, naming the manifest input, and creates nothing', async () => {
    const ns = await newNamespace(b.connection, `no-argo-${randomBytes(3).toString('hex')}`);
    const ws = workspace();
    const manifest = writeManifest(ws, 'shop.yaml', ...rolloutManifest('shop', { image: 'registry.bed/shop:old' }));
    const error = await failure(
      runCore(bed.k8s, { inputs: { image: image(1), services: 'shop', namespace: ns, manifest }, workspace: ws }),
    );
    expect(error.message).toMatch(/does not serve argoproj\.io\/v1alpha1 Rollout: is Argo Rollouts installed there\?$/);
    expect(error.input).toBe('manifest');
    expect(error.unchanged).toBe('nothing was changed');
    expect((await b.connection.core.listNamespacedService({ namespace: ns })).items).toEqual([]);
  });

  it('bluegreen-switch refuses a rollout, naming the input', async () => {
    const error = await failure(run(rolloutSwitchOptions('default')).result);
    expect(error.message).toMatch(/does not serve argoproj\.io\/v1alpha1 Rollout: is Argo Rollouts installed there\?$/);
    expect(error.input).toBe('rollout');
  });
});
