// deploy-eks's Rollout parts without a cluster: which Rollout serves a service and what is refused
// (naming the key), and the state line a Rollout's status maps to while deploy-eks waits.
import { describe, expect, it } from 'vitest';
import type { V1Pod, V1ReplicaSet } from '@kubernetes/client-node';
import { thrownError } from './thrown.ts';
import { checkedRollout, rolloutFor } from '../../actions/deploy-eks/src/rollout-manifest.ts';
import { rolloutsOf } from '../../actions/deploy-eks/src/rollout-plan.ts';
import { rolloutState, type LiveRollout } from '../../actions/deploy-eks/src/rollout-status.ts';
import type { ManifestDocument } from '../../actions/deploy-eks/src/manifest.ts';

const origin = { input: 'manifest' };

function rolloutDoc(name: string, strategy: Record<string, unknown>, extra: Record<string, unknown> = {}): ManifestDocument {
  return {
    where: `${name}.yaml`,
    object: {
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'Rollout',
      metadata: { name, labels: { app: name } },
      spec: {
        replicas: 3,
        selector: { matchLabels: { app: name } },
        template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'app', image: 'registry.bed/shop:1' }] } },
        strategy,
        ...extra,
      },
    },
  };
}

const blueGreen = { blueGreen: { activeService: 'shop-active', previewService: 'shop-preview', autoPromotionEnabled: false } };

describe('the Rollout of a service', () => {
  it('is found by name, by app label, or as the only workload of a one-service manifest', () => {
    expect(rolloutFor([rolloutDoc('shop', blueGreen)], 'shop', 2, origin)?.activeService).toBe('shop-active');
    expect(rolloutFor([rolloutDoc('other', blueGreen)], 'shop', 1, origin)?.rollout.metadata.name).toBe('other');
    expect(rolloutFor([rolloutDoc('other', blueGreen)], 'shop', 2, origin)).toBeUndefined();
  });

  it('reads autoPromotionEnabled as Argo does: left out means true', () => {
    expect(checkedRollout(rolloutDoc('shop', blueGreen), origin).autoPromotion).toBe(false);
    expect(checkedRollout(rolloutDoc('shop', { blueGreen: { activeService: 'a' } }), origin).autoPromotion).toBe(true);
  });

  it.each([
    [
      { canary: { steps: [{ setWeight: 20 }] } },
      {},
      /shop\.yaml: Rollout shop: spec\.strategy\.canary: deploy-eks drives blue\/green Rollouts/,
    ],
    [{ blueGreen: { previewService: 'p' } }, {}, /spec\.strategy\.blueGreen\.activeService is missing/],
    [
      { blueGreen: { activeService: 'a', previewService: 'a' } },
      {},
      /spec\.strategy\.blueGreen\.previewService "a" must be another Service/,
    ],
    [{}, {}, /has no spec\.strategy\.blueGreen/],
    [blueGreen, { workloadRef: { kind: 'Deployment', name: 'shop' } }, /spec\.workloadRef points at a Deployment/],
  ])('refuses %j naming the key, before any request', (strategy, extra, message) => {
    const error = thrownError(() => checkedRollout(rolloutDoc('shop', strategy, extra), origin));
    expect(error.message).toMatch(message);
    expect(error.message).toMatch(/^input 'manifest': /);
    expect(error.input).toBe('manifest');
    expect(error.unchanged).toBe('nothing was changed');
  });

  it('refuses Rollouts and Deployments in one call', () => {
    const deployment: ManifestDocument = {
      where: 'api.yaml',
      object: { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'api' } },
    };
    const error = thrownError(() => rolloutsOf([rolloutDoc('shop', blueGreen), deployment], ['shop', 'api'], 'k8s/', origin));
    expect(error.message).toBe('k8s/ gives Rollouts for shop but not for api: one call deploys Rollouts or Deployments, not both');
    expect(rolloutsOf([deployment], ['api'], 'k8s/', origin)).toBeUndefined();
  });
});

const rs = (hash: string, uid: string, available: number): V1ReplicaSet => ({
  metadata: { name: `shop-${hash}`, uid, labels: { 'rollouts-pod-template-hash': hash } },
  status: { replicas: available, availableReplicas: available },
});

function rollout(status: LiveRollout['status'], generation = 2): LiveRollout {
  const doc = rolloutDoc('shop', blueGreen).object as unknown as LiveRollout;
  return { ...doc, metadata: { ...doc.metadata, generation }, status };
}

describe('rolloutState', () => {
  it('waits while the controller has not taken the new generation', () => {
    const state = rolloutState({ rollout: rollout({ observedGeneration: '1', phase: 'Healthy' }), replicaSets: [], pods: [] });
    expect(state.outcome).toBe('waiting');
    expect(state.line).toBe('shop: waiting for the Argo Rollouts controller to take generation 2 (it has seen 1)');
  });

  it('is done when paused for promotion with the preview ReplicaSet available and selected', () => {
    const state = rolloutState({
      rollout: rollout({
        observedGeneration: '2',
        phase: 'Paused',
        message: 'BlueGreenPause',
        currentPodHash: 'new1',
        stableRS: 'old1',
        pauseConditions: [{ reason: 'BlueGreenPause' }],
        blueGreen: { activeSelector: 'old1', previewSelector: 'new1' },
      }),
      replicaSets: [rs('new1', 'u1', 3), rs('old1', 'u0', 3)],
      pods: [],
    });
    expect(state).toMatchObject({ outcome: 'paused', newHash: 'new1', stableHash: 'old1', available: 3, desired: 3 });
    expect(state.line).toBe('shop: Paused for promotion, preview ReplicaSet shop-new1 3/3 available, active still on old1');
  });

  it('is not done while the preview ReplicaSet is short of replicas', () => {
    const state = rolloutState({
      rollout: rollout({
        observedGeneration: '2',
        phase: 'Progressing',
        message: 'more replicas need to be updated',
        currentPodHash: 'new1',
        stableRS: 'old1',
      }),
      replicaSets: [rs('new1', 'u1', 1)],
      pods: [],
    });
    expect(state.outcome).toBe('waiting');
    expect(state.line).toBe('shop: Progressing (more replicas need to be updated), ReplicaSet shop-new1 1/3 available');
  });

  it('is done when Healthy on the new ReplicaSet (first revision, or auto-promotion)', () => {
    const state = rolloutState({
      rollout: rollout({
        observedGeneration: '2',
        phase: 'Healthy',
        currentPodHash: 'h1',
        stableRS: 'h1',
        blueGreen: { activeSelector: 'h1' },
      }),
      replicaSets: [rs('h1', 'u1', 3)],
      pods: [],
    });
    expect(state.outcome).toBe('healthy');
  });

  it('fails on a Degraded or aborted Rollout with its message and the analysis that decided it', () => {
    const state = rolloutState({
      rollout: rollout({
        observedGeneration: '2',
        phase: 'Degraded',
        message: 'RolloutAborted: Rollout aborted update to revision 2',
        abort: true,
        currentPodHash: 'new1',
        stableRS: 'old1',
        blueGreen: { prePromotionAnalysisRunStatus: { name: 'shop-new1-2-pre', status: 'Failed', message: 'Metric "ok" assessed Failed' } },
      }),
      replicaSets: [],
      pods: [],
    });
    expect(state.outcome).toBe('failed');
    expect(state.failure?.message).toBe(
      'Rollout shop Degraded: RolloutAborted: Rollout aborted update to revision 2, pre-promotion analysis shop-new1-2-pre Failed (Metric "ok" assessed Failed)',
    );
  });

  it('fails at once on a new pod the kubelet cannot start', () => {
    const pod: V1Pod = {
      metadata: { name: 'shop-new1-abcde', ownerReferences: [{ uid: 'u1', apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'shop-new1' }] },
      status: {
        containerStatuses: [
          {
            name: 'app',
            ready: false,
            restartCount: 0,
            image: 'x',
            imageID: '',
            state: { waiting: { reason: 'ImagePullBackOff', message: 'Back-off pulling image' } },
          },
        ],
      },
    };
    const state = rolloutState({
      rollout: rollout({ observedGeneration: '2', phase: 'Progressing', currentPodHash: 'new1', stableRS: 'old1' }),
      replicaSets: [rs('new1', 'u1', 0)],
      pods: [pod],
    });
    expect(state.outcome).toBe('failed');
    expect(state.failure).toMatchObject({ kind: 'ImagePullBackOff', pod: 'shop-new1-abcde' });
  });
});
