// bluegreen-switch's Rollout decisions without a cluster: what promote and abort write (the
// kubectl plugin's patches) or why they refuse, when the controller has done it, the AnalysisRun
// lines, and the inputs that have no meaning with `rollout`.
import { describe, expect, it } from 'vitest';
import { thrownError } from './thrown.ts';
import { analysisRunLine, failedRuns, ownedRuns, type AnalysisRun } from '../../actions/bluegreen-switch/src/eks/argo-analysis.ts';
import { rolloutInputProblems } from '../../actions/bluegreen-switch/src/eks/argo-plan.ts';
import {
  abortDecision,
  abortProgress,
  promotionDecision,
  promotionProgress,
  type SwitchRollout,
} from '../../actions/bluegreen-switch/src/eks/argo-rollout.ts';
import type { EksSwitchInputs } from '../../actions/bluegreen-switch/src/eks/inputs.ts';

type Status = NonNullable<SwitchRollout['status']>;

function rollout(status: Status, spec: SwitchRollout['spec'] = {}): SwitchRollout {
  return {
    metadata: { name: 'shop', uid: 'u1', generation: 3, resourceVersion: '100' },
    spec: { strategy: { blueGreen: { activeService: 'shop-active', previewService: 'shop-preview' } }, ...spec },
    status: { observedGeneration: '3', ...status },
  };
}

const pausedStatus: Status = {
  phase: 'Paused',
  message: 'BlueGreenPause',
  currentPodHash: 'new1',
  stableRS: 'old1',
  controllerPause: true,
  pauseConditions: [{ reason: 'BlueGreenPause' }],
  blueGreen: { activeSelector: 'old1', previewSelector: 'new1' },
};

describe('promotionDecision (switch)', () => {
  it('clears the pause conditions of a Rollout paused for promotion, as kubectl argo rollouts promote', () => {
    expect(promotionDecision(rollout(pausedStatus))).toEqual({
      kind: 'patch',
      status: { pauseConditions: null },
      spec: undefined,
      from: 'old1',
      to: 'new1',
      activeService: 'shop-active',
    });
  });

  it('also unpauses spec.paused when a person paused it', () => {
    const decision = promotionDecision(rollout({ ...pausedStatus, pauseConditions: [] }, { paused: true }));
    expect(decision).toMatchObject({ kind: 'patch', status: undefined, spec: { paused: false } });
  });

  it('has nothing to do when the new ReplicaSet is already stable', () => {
    const decision = promotionDecision(rollout({ phase: 'Healthy', currentPodHash: 'h1', stableRS: 'h1' }));
    expect(decision).toEqual({
      kind: 'nothing',
      from: 'h1',
      to: 'h1',
      note: 'Rollout shop is already promoted: ReplicaSet h1 is stable and active; nothing to switch',
    });
  });

  it('has nothing to do when another promote just cleared the pause', () => {
    const decision = promotionDecision(rollout({ ...pausedStatus, pauseConditions: [] }));
    expect(decision).toMatchObject({ kind: 'nothing', from: 'old1', to: 'new1' });
  });

  it.each([
    [
      { ...pausedStatus, pauseConditions: [], controllerPause: false, phase: 'Progressing', message: 'more replicas need to be updated' },
      {},
      /^Rollout shop is not paused for promotion \(phase Progressing: more replicas need to be updated\)/,
    ],
    [{ ...pausedStatus, abort: true, message: 'RolloutAborted: x' }, {}, /^Rollout shop is aborted \(RolloutAborted: x\)/],
    [{ ...pausedStatus, observedGeneration: '2' }, {}, /has not yet seen generation 3 of Rollout shop \(it has seen 2\)/],
    [pausedStatus, { strategy: { canary: {} } }, /^Rollout shop has spec\.strategy\.canary/],
  ])('refuses %#, naming the rollout input and changing nothing', (status, spec, message) => {
    const error = thrownError(() => promotionDecision(rollout(status as Status, spec as SwitchRollout['spec'])));
    expect(error.message).toMatch(message);
    expect(error).toMatchObject({ input: 'rollout', unchanged: 'nothing was changed' });
  });
});

describe('abortDecision (rollback)', () => {
  it('sets status.abort on an update in progress, as kubectl argo rollouts abort', () => {
    expect(abortDecision(rollout(pausedStatus))).toMatchObject({ kind: 'patch', status: { abort: true }, from: 'old1', to: 'old1' });
  });

  it('takes traffic back from a promoted revision still in post-promotion analysis', () => {
    const status = { ...pausedStatus, pauseConditions: [], blueGreen: { activeSelector: 'new1' } };
    expect(abortDecision(rollout(status))).toMatchObject({ from: 'new1', to: 'old1' });
  });

  it('has nothing to do when already aborted, and refuses when no update is in progress', () => {
    expect(abortDecision(rollout({ ...pausedStatus, abort: true })).kind).toBe('nothing');
    const error = thrownError(() => abortDecision(rollout({ phase: 'Healthy', currentPodHash: 'h1', stableRS: 'h1' })));
    expect(error.message).toBe('Rollout shop has no update in progress: ReplicaSet h1 is stable and active, so there is nothing to abort');
  });
});

describe('progress after the write', () => {
  it('a promotion is done when Healthy with the target stable and active', () => {
    const healthy = rollout({ phase: 'Healthy', currentPodHash: 'new1', stableRS: 'new1', blueGreen: { activeSelector: 'new1' } });
    expect(promotionProgress(healthy, 'new1')).toEqual({
      done: true,
      failure: undefined,
      line: 'Rollout shop: Healthy, active new1, stable new1',
    });
    // Cleared by us, not yet taken by the controller: still unpausing.
    const unpausing = rollout({
      ...pausedStatus,
      phase: 'Healthy',
      stableRS: 'new1',
      pauseConditions: [],
      blueGreen: { activeSelector: 'new1' },
    });
    expect(promotionProgress(unpausing, 'new1').done).toBe(false);
  });

  it('a promotion that ends aborted is a failure with Argo’s message; the line shows the post-promotion analysis', () => {
    const aborted = rollout({
      phase: 'Degraded',
      message: 'RolloutAborted: metric "success-rate" assessed Failed',
      abort: true,
      currentPodHash: 'new1',
      stableRS: 'old1',
      blueGreen: { activeSelector: 'new1', postPromotionAnalysisRunStatus: { name: 'shop-new1-3-post', status: 'Failed' } },
    });
    expect(promotionProgress(aborted, 'new1').line).toMatch(/; post-promotion AnalysisRun shop-new1-3-post Failed$/);
    expect(promotionProgress(aborted, 'new1').failure).toBe(
      'Rollout shop was aborted: RolloutAborted: metric "success-rate" assessed Failed',
    );
  });

  it('a promotion paused on an inconclusive analysis is a failure that leaves traffic where it is', () => {
    const held = rollout({
      phase: 'Paused',
      currentPodHash: 'new1',
      stableRS: 'old1',
      controllerPause: true,
      pauseConditions: [{ reason: 'InconclusiveAnalysisRun' }],
      blueGreen: { activeSelector: 'new1', postPromotionAnalysisRunStatus: { name: 'shop-new1-3-post', status: 'Inconclusive' } },
    });
    expect(promotionProgress(held, 'new1')).toMatchObject({
      done: false,
      held: true,
      failure:
        'Rollout shop is paused: an AnalysisRun was inconclusive; post-promotion AnalysisRun shop-new1-3-post Inconclusive; the active Service is on new1',
    });
  });

  it('an abort is done when the controller took it and the active Service is on the stable ReplicaSet', () => {
    const done = rollout({
      phase: 'Degraded',
      abort: true,
      currentPodHash: 'new1',
      stableRS: 'old1',
      blueGreen: { activeSelector: 'old1' },
    });
    expect(abortProgress(done, 'old1').done).toBe(true);
    expect(abortProgress(rollout({ ...pausedStatus, abort: true }), 'old1').done).toBe(false);
  });
});

describe('AnalysisRuns', () => {
  const run: AnalysisRun = {
    metadata: { name: 'shop-new1-3-post', ownerReferences: [{ uid: 'u1' }] },
    status: {
      phase: 'Failed',
      message: 'Metric "success-rate" assessed Failed due to failed (1) > failureLimit (0)',
      metricResults: [{ name: 'success-rate', phase: 'Failed', measurements: [{ phase: 'Failed', value: '{"ok":false}' }] }],
    },
  };

  it('are the Rollout’s own, each in one line with its metrics, failed ones named', () => {
    expect(ownedRuns([run, { metadata: { name: 'other', ownerReferences: [{ uid: 'u2' }] } }], 'u1')).toEqual([run]);
    expect(analysisRunLine(run)).toBe(
      'AnalysisRun shop-new1-3-post: Failed — Metric "success-rate" assessed Failed due to failed (1) > failureLimit (0) (success-rate Failed (value {"ok":false}))',
    );
    expect(analysisRunLine({ metadata: { name: 'r' } })).toBe('AnalysisRun r: Pending');
    expect(failedRuns([run, { metadata: { name: 'ok' }, status: { phase: 'Successful' } }])).toHaveLength(1);
  });
});

describe('inputs with rollout', () => {
  const none: Pick<EksSwitchInputs, 'rollout' | 'service' | 'route' | 'ingress' | 'targetColor' | 'canary' | 'analysis'> = {
    rollout: 'shop',
    service: undefined,
    route: undefined,
    ingress: undefined,
    targetColor: undefined,
    canary: undefined,
  };

  it('refuses the inputs that choose colors, Services or an Ingress, and cleanup, naming each', () => {
    expect(rolloutInputProblems('switch', none)).toEqual([]);
    expect(rolloutInputProblems('switch', { ...none, rollout: undefined, service: 'x' })).toEqual([]);
    const problems = rolloutInputProblems('cleanup', {
      ...none,
      service: 'shop',
      targetColor: 'green',
      canary: [10, 100],
      route: 'ingress',
    });
    expect(problems.map((p) => p.input)).toEqual(['action', 'service', 'route', 'target-color', 'canary']);
    expect(problems[1]?.message).toBe(
      "input 'service': is not used with 'rollout': the Rollout names its active Service (spec.strategy.blueGreen.activeService)",
    );
  });
});
