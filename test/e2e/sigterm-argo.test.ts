// SIGTERM (a cancelled workflow run) while bluegreen-switch promotes an Argo Rollout, through the
// bundle against the bed's real Argo Rollouts controller. Argo owns the promotion once it is
// asked: a cancel does not undo it (an abort would be a decision of its own, which the run was not
// asked to make), it says what stands. While the promote goes out, the Rollout read back decides
// the line: still paused and nothing promoted, or this run's promote landed (on the bed the write
// is too quick for the signal to beat it, so the core is also run with its signal already
// cancelled: nothing is sent). Once promoted, with a post-promotion AnalysisRun still measuring,
// the line says the promote stands and Argo carries on.
import { afterAll, describe, expect, it } from 'vitest';
import { useBed } from '../bed/vitest.ts';
import { rolloutApi, deployedPaused, readRollout, selectedHash, verdictServer } from './argo-bed.ts';
import { jobWorkspace, noAmbientAws, runBundle } from './bundle-run.ts';
import { failure, useSwitchEks } from './switch-eks-fixture.ts';
import { CancelledError } from '../../packages/shared/src/deadline.ts';
import { rolloutSwitchOptions } from './argo-bed.ts';
import { expectOneStateLine } from './sigterm-bed.ts';

const bed = useBed(['k8s', 'argo']);
const { b, run: runCore } = useSwitchEks(bed);

const verdicts = verdictServer(true);
afterAll(async () => {
  (await verdicts).server.close();
});

/** A post-promotion analysis that keeps measuring (a passing answer every second, 600 times). */
const slowAnalysis = (url: string): Record<string, unknown> => ({
  apiVersion: rolloutApi,
  kind: 'AnalysisTemplate',
  metadata: { name: 'slow-success' },
  spec: {
    metrics: [
      {
        name: 'success',
        count: 600,
        interval: '1s',
        successCondition: 'result.ok == true',
        provider: { web: { url, jsonPath: '{$}' } },
      },
    ],
  },
});

async function promoteCancelled(phase: RegExp) {
  const { url } = await verdicts;
  const rollout = await deployedPaused(bed.k8s, b.connection, 'sigterm-argo', [slowAnalysis(url)], {
    postPromotionTemplate: 'slow-success',
  });
  const dir = jobWorkspace(undefined, 'sigterm-argo-');
  const run = await runBundle(
    'bluegreen-switch',
    { platform: 'eks', kubeconfig: bed.k8s.kubeconfig, namespace: rollout.ns, rollout: 'shop', timeout: '30m' },
    { GITHUB_SHA: 'c0ffee0000000000000000000000000000000019', ...noAmbientAws(dir) },
    { workspace: dir, signalAfter: (line) => phase.test(line) },
  );
  return { ...rollout, run, after: await readRollout(b.connection, rollout.ns, 'shop') };
}

describe('bluegreen-switch on an Argo Rollout cancelled (SIGTERM)', () => {
  it('while the post-promotion AnalysisRun measures: the promote stands, Argo carries on, and the line says so', async () => {
    const { run, after, next, ns } = await promoteCancelled(/AnalysisRun shop-\S+-post: Running/);
    const line = expectOneStateLine(run, 'bluegreen-switch');
    expect(line).toMatch(
      /Rollout shop was promoted, but had not settled when the wait stopped \(the run was cancelled \(SIGTERM\)\).*Unchanged: the write stands; Argo Rollouts carries on with it/,
    );
    // Promoted, not aborted: the pause is cleared, the active Service is on the new ReplicaSet.
    expect(after.status?.pauseConditions ?? []).toEqual([]);
    expect(after.status?.abort).not.toBe(true);
    expect(await selectedHash(b.connection, ns, 'shop-active')).toBe(next);
  });

  it('as the promote goes out: still paused and nothing promoted, or this run’s promote stands — said as the Rollout shows', async () => {
    const { run, after, stable } = await promoteCancelled(/^::group::Promoting Rollout shop/);
    const line = expectOneStateLine(run, 'bluegreen-switch');
    expect(line).toMatch(/the run was cancelled \(SIGTERM\)/);
    expect(after.status?.abort).not.toBe(true);
    if ((after.status?.pauseConditions ?? []).length > 0) {
      expect(line).toMatch(new RegExp(`Unchanged: Rollout shop was not promoted: the active Service stays on ${stable}`));
    } else {
      expect(line).toMatch(/(this run's promote of Rollout shop landed; Argo Rollouts carries on with it|Unchanged: the write stands)/);
    }
  });

  it('before the promote is sent (the core, its signal already cancelled): nothing promoted, the Rollout still paused, and said so', async () => {
    const { url } = await verdicts;
    const { ns, stable } = await deployedPaused(bed.k8s, b.connection, 'sigterm-argo', [slowAnalysis(url)], {
      postPromotionTemplate: 'slow-success',
    });
    const cancelled = new AbortController();
    cancelled.abort(new CancelledError('SIGTERM'));
    const error = await failure(runCore(rolloutSwitchOptions(ns), cancelled.signal).result);
    expect(error.message).toBe('the run was cancelled (SIGTERM)');
    expect(error.unchanged).toBe(`Rollout shop was not promoted: the active Service stays on ${stable}`);
    const after = await readRollout(b.connection, ns, 'shop');
    expect(after.status?.pauseConditions?.map((c) => c.reason)).toContain('BlueGreenPause');
    expect(await selectedHash(b.connection, ns, 'shop-active')).toBe(stable);
  });
});
